/**
 * `Add` on wasm when one float32 operand is a vector along the other's last axis (a bias add:
 * [B, H, W, C] + [C] or [1, 1, 1, C], either order). TF.js' kernel walks a broadcast output one
 * value at a time; here the vector is tiled to a period that is a multiple of both its length and
 * the SIMD width, and the output is whole-vector adds of that period. The sums are the same floats
 * (IEEE addition is commutative). Any other Add keeps TF.js' kernel.
 */
import { util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import { free, type KernelArgs } from './kernelCalls';
import { heapFloats, heapOffset, uninitializedOutput, wasmTrainingKernels } from './wasm/wasmTrainingKernels';

/** The shortest tiled period, in floats; a few channels repeat until it. */
const MIN_PERIOD = 64;

export function biasAddKernel(builtIn: KernelConfig) {
  return (args: KernelArgs): TensorInfo => {
    const { a, b } = args.inputs;
    const [x, v] = isRowVectorOf(b, a) ? [a, b] : isRowVectorOf(a, b) ? [b, a] : [];
    if (!x || !v) return builtIn.kernelFunc(args) as TensorInfo;
    const { backend } = args;
    const channels = v.shape[v.shape.length - 1];
    // The least common multiple of the channels and 4, repeated up to MIN_PERIOD.
    const base = channels % 4 === 0 ? channels : channels % 2 === 0 ? 2 * channels : 4 * channels;
    const period = base * Math.ceil(MIN_PERIOD / base);
    const tiled = uninitializedOutput(backend, [period]);
    const bias = heapFloats(backend, v);
    const values = heapFloats(backend, tiled);
    for (let i = 0; i < period; i += channels) values.set(bias, i);
    const out = uninitializedOutput(backend, x.shape);
    wasmTrainingKernels(backend).addPeriodic(heapOffset(backend, x), heapOffset(backend, tiled), heapOffset(backend, out), util.sizeFromShape(x.shape), period);
    free(backend, tiled);
    return out;
  };
}

/** Whether `v` is a float32 vector along `x`'s last axis (leading axes of 1 allowed), `x` float32 and of rank 2 or more. */
function isRowVectorOf(v: TensorInfo, x: TensorInfo): boolean {
  if (v.dtype !== 'float32' || x.dtype !== 'float32' || x.shape.length < 2 || v.shape.length < 1 || v.shape.length > x.shape.length) return false;
  const channels = v.shape[v.shape.length - 1];
  return channels > 0 && channels === x.shape[x.shape.length - 1] && v.shape.slice(0, -1).every((d) => d === 1);
}
