/**
 * `Sum` on wasm when it reduces the leading axes of a float32 tensor (a bias gradient: dy summed
 * over batch and positions), by the SIMD row sum; any other reduction keeps TF.js' kernel, which
 * first transposes the reduced axes innermost.
 */
import { backend_util, util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import type { KernelArgs } from './kernelCalls';
import { heapOffset, uninitializedOutput, wasmTrainingKernels } from './wasm/wasmTrainingKernels';

export function sumLeadingAxesKernel(builtIn: KernelConfig) {
  return (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const axes = [...new Set(util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return builtIn.kernelFunc(args) as TensorInfo;
    const kept = x.shape.slice(axes.length);
    const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
    const cols = util.sizeFromShape(kept);
    const outShape = keepDims ? backend_util.expandShapeToKeepDim(kept, axes) : kept;
    const out = uninitializedOutput(args.backend, outShape);
    wasmTrainingKernels(args.backend).sumRows(heapOffset(args.backend, x), heapOffset(args.backend, out), rows, cols);
    return out;
  };
}
