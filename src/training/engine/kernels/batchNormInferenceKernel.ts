/**
 * `FusedBatchNorm` (batch norm with fixed statistics: evaluation, prediction, feature maps) on wasm
 * for float32 tensors whose mean, variance, scale and offset each hold one value per channel of the
 * last axis, as the BatchNormalization layer gives them. TF.js' kernel walks the tensor value by
 * value with a scalar divide and four wrapping indices: in MobileNetV2's inference it took more
 * time than all its regular convolutions together. This one computes the expression of TF.js' source,
 * offset + (x − mean)·scale / √(variance + ε), in its order with every operation rounded to float32,
 * four channels at a time (TF.js' compiled kernel rounds some values differently, by an ulp or two).
 * Other shapes keep TF.js' kernel.
 */
import { util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import { free, type KernelArgs } from './kernelCalls';
import { heapFloats, heapOffset, uninitializedOutput, wasmTrainingKernels } from './wasm/wasmTrainingKernels';

export function batchNormInferenceKernel(builtIn: KernelConfig) {
  return (args: KernelArgs): TensorInfo => {
    const { x, mean, variance, offset, scale } = args.inputs;
    const { varianceEpsilon } = args.attrs as unknown as { varianceEpsilon: number };
    const channels = x.shape[x.shape.length - 1] ?? 0;
    const perChannel = (t: TensorInfo | undefined) => t !== undefined && t.dtype === 'float32' && util.sizeFromShape(t.shape) === channels;
    if (x.dtype !== 'float32' || x.shape.length < 2 || channels === 0 || util.sizeFromShape(x.shape) === 0 || ![mean, variance, offset, scale].every(perChannel)) {
      return builtIn.kernelFunc(args) as TensorInfo;
    }
    const { backend } = args;
    const out = uninitializedOutput(backend, x.shape);
    const norm = uninitializedOutput(backend, [channels]);
    // TF.js' kernel takes ε as a float32 argument and adds it to the float32 variance in float32;
    // √ of a float32 is the same float whether taken in float32 or double and then rounded.
    const epsilon = Math.fround(varianceEpsilon);
    const varianceValues = heapFloats(backend, variance);
    const normValues = heapFloats(backend, norm);
    for (let c = 0; c < channels; c++) normValues[c] = Math.sqrt(Math.fround(varianceValues[c] + epsilon));
    wasmTrainingKernels(backend).batchNormInference(
      heapOffset(backend, x), heapOffset(backend, mean), heapOffset(backend, scale), heapOffset(backend, offset), heapOffset(backend, norm), heapOffset(backend, out),
      util.sizeFromShape(x.shape) / channels, channels,
    );
    free(backend, norm);
    return out;
  };
}
