/**
 * `Slice` on wasm for 4-D float32 tensors, copying whole contiguous runs with one copyWithin on
 * the heap: a run is a row of pixels when the slice keeps every channel (the gradient of a
 * ZeroPadding2D, as MobileNetV2 pads before each stride-2 depthwise convolution), else one pixel's
 * channels. TF.js' wasm kernel allocates a subarray view for every pixel, which measured 32 ms of a
 * 566 ms MobileNetV2 training step. Other slices keep TF.js' kernel.
 */
import { slice_util, util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import type { KernelArgs } from './kernelCalls';
import { heapOffset, uninitializedOutput, wholeHeapFloats } from './wasm/wasmTrainingKernels';

export function sliceRowsKernel(builtIn: KernelConfig) {
  return (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs;
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    if (x.dtype !== 'float32' || x.shape.length !== 4) return builtIn.kernelFunc(args) as TensorInfo;
    const [b, s] = slice_util.parseSliceParams(x as never, begin, size);
    if (slice_util.isSliceContinous(x.shape, b, s)) return builtIn.kernelFunc(args) as TensorInfo;
    const out = uninitializedOutput(args.backend, s);
    if (util.sizeFromShape(s) === 0) return out;
    const heap = wholeHeapFloats(args.backend);
    const [, h, w, c] = x.shape;
    const wholeRows = b[3] === 0 && s[3] === c;
    const run = wholeRows ? s[2] * c : s[3];
    const xBase = heapOffset(args.backend, x) / 4;
    let to = heapOffset(args.backend, out) / 4;
    for (let i = b[0]; i < b[0] + s[0]; i++) {
      for (let j = b[1]; j < b[1] + s[1]; j++) {
        const row = xBase + ((i * h + j) * w) * c;
        if (wholeRows) {
          const from = row + b[2] * c;
          heap.copyWithin(to, from, from + run);
          to += run;
        } else {
          for (let k = b[2]; k < b[2] + s[2]; k++) {
            const from = row + k * c + b[3];
            heap.copyWithin(to, from, from + run);
            to += run;
          }
        }
      }
    }
    return out;
  };
}
