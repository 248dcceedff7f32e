/**
 * `PadV2` on wasm for 4-D float32 tensors without channel padding (ZeroPadding2D, as MobileNetV2
 * pads before each stride-2 depthwise convolution): the output is filled with the constant and each
 * image row copied in with one copyWithin on the heap. TF.js' kernel walks the output value by
 * value. Other paddings keep TF.js' kernel.
 */
import { util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import type { KernelArgs } from './kernelCalls';
import { heapOffset, uninitializedOutput, wholeHeapFloats } from './wasm/wasmTrainingKernels';

export function padRowsKernel(builtIn: KernelConfig) {
  return (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs;
    const { paddings, constantValue } = args.attrs as unknown as { paddings: [number, number][]; constantValue: number };
    if (x.dtype !== 'float32' || x.shape.length !== 4 || util.sizeFromShape(x.shape) === 0 || paddings[3][0] !== 0 || paddings[3][1] !== 0) {
      return builtIn.kernelFunc(args) as TensorInfo;
    }
    const [n, h, w, c] = x.shape;
    const outShape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
    const [, outH, outW] = outShape;
    const out = uninitializedOutput(args.backend, outShape);
    const heap = wholeHeapFloats(args.backend);
    const outBase = heapOffset(args.backend, out) / 4;
    heap.fill(constantValue, outBase, outBase + util.sizeFromShape(outShape));
    const xBase = heapOffset(args.backend, x) / 4;
    const run = w * c;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < h; j++) {
        const from = xBase + (i * h + j) * run;
        const to = outBase + (((i + paddings[0][0]) * outH + j + paddings[1][0]) * outW + paddings[2][0]) * c;
        heap.copyWithin(to, from, from + run);
      }
    }
    return out;
  };
}
