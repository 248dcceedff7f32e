/**
 * Gradients of TF.js' `DepthwiseConv2dNative` (channels-last, channel multiplier M ≥ 1, any strides,
 * dilations and padding) for the wasm backend, which has the forward kernel but neither gradient,
 * so depthwise networks (MobileNet, EfficientNet, ConvNeXt) could not train on it. With
 * y[b,oh,ow,c·M+m] = Σ_kh,kw xPad[b, oh·s + kh·d, ow·s + kw·d, c] · W[kh,kw,c,m]:
 *
 * - dx[b,h,w,c] = Σ_m,kh,kw dy[b,oh,ow,c·M+m] · W[kh,kw,c,m] over the (oh, ow) whose window put
 *   tap (kh, kw) on (h, w): the SIMD kernel `depthwiseInputGradient` gathers it for M = 1, all
 *   channels of a position at once; for M > 1 it runs on the C·M channels of dy and the M partial
 *   sums of each input channel are added after (a `Sum` over the innermost axis).
 * - dW[kh,kw,c,m] = Σ_b,oh,ow xPad[b, oh·s + kh·d, ow·s + kw·d, c] · dy[b,oh,ow,c·M+m]: the SIMD
 *   kernel `depthwiseFilterGradient` accumulates it in one pass over x and dy for M = 1; for M > 1
 *   x's channels are first repeated M times (a `Tile`), which makes it the M = 1 case over C·M channels.
 *
 * Both do only the forward's multiply-adds, one thread, no intermediates for M = 1. Measured
 * against two compositions of wasm's own XNNPACK depthwise convolution (the bench
 * `bench/depthwiseGradientBench.ts` re-runs the comparison): dx as the stride-1 depthwise
 * convolution of dy with zeros inserted between its positions, padded, by the flipped filter; dW as
 * the depthwise convolution of x with batch folded into channels by dy as a filter of outH × outW
 * taps (stride and dilation swapped), summed over the batch. ms per call, batch 32, 3×3 kernels,
 * multiplier 1, 'same', medians on a shared two-core machine; TF.js' cpu backend's built-in
 * kernels and wasm's forward for scale:
 *
 *   x                  stride | forward | dx: ours  XNNPACK  cpu | dW: ours  XNNPACK   cpu
 *   32×16×16×96          1    |   2.1   |     2.3     2.4    115 |     2.0     26    2,216
 *   32×32×32×144         2    |   7.7   |     3.4    17.7    205 |     2.8     70    4,624
 *
 * The zero-inserted dx multiplies four times as many terms at stride 2, and XNNPACK runs the
 * swapped dW (a 256-tap filter over a 3×3 output) slowly.
 */
import { backend_util, type KernelBackend, type TensorInfo } from '@tensorflow/tfjs';
import { free, reshaped, runKernel as run, type KernelArgs } from './kernelCalls';
import { heapOffset, uninitializedOutput, wasmTrainingKernels, zeroedOutput } from './wasm/wasmTrainingKernels';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/** The attributes both gradient kernels get from TF.js' depthwise gradient (and ours). */
interface DepthwiseGeometryAttrs {
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Output and padding geometry of the forward depthwise convolution, as TF.js computes it. */
function depthwiseGeometry(xShape: number[], filterShape: number[], a: DepthwiseGeometryAttrs) {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    true,
    'channelsLast',
  );
}

type Geometry = ReturnType<typeof depthwiseGeometry>;

type N = number;
/** The geometry arguments the SIMD kernels take after the tensors and batch. */
const kernelGeometry = (info: Geometry, channels: number): [N, N, N, N, N, N, N, N, N, N, N, N, N] => [
  info.inHeight, info.inWidth, channels, info.outHeight, info.outWidth,
  info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
  info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
];

export interface DepthwiseInputGradientArgs extends DepthwiseGeometryAttrs {
  dy: TensorInfo;
  filter: TensorInfo;
  inputShape: [number, number, number, number];
}

export interface DepthwiseFilterGradientArgs extends DepthwiseGeometryAttrs {
  x: TensorInfo;
  dy: TensorInfo;
  filterShape: [number, number, number, number];
}

/** dx of a depthwise convolution on wasm by the SIMD gather (then a sum over the multiplier when M > 1). */
export function depthwiseInputGradient(backend: KernelBackend, args: DepthwiseInputGradientArgs): TensorInfo {
  const { dy, filter, inputShape } = args;
  const info = depthwiseGeometry(inputShape, filter.shape, args);
  const [batch, height, width, channels] = inputShape;
  const multiplier = filter.shape[3];
  const spread = channels * multiplier;
  const partial = uninitializedOutput(backend, [batch, height, width, spread]);
  const kernels = wasmTrainingKernels(backend);
  kernels.depthwiseInputGradient(heapOffset(backend, dy), heapOffset(backend, filter), heapOffset(backend, partial), batch, ...kernelGeometry(info, spread));
  if (multiplier === 1) return partial;
  const dx = run(backend, 'Sum', { x: reshaped(partial, [batch, height, width, channels, multiplier]) }, { axis: [4], keepDims: false });
  free(backend, partial);
  return dx;
}

/** dW of a depthwise convolution on wasm by the SIMD accumulation (over x's channels repeated M times when M > 1). */
export function depthwiseFilterGradient(backend: KernelBackend, args: DepthwiseFilterGradientArgs): TensorInfo {
  const { x, dy, filterShape } = args;
  const info = depthwiseGeometry(x.shape, filterShape, args);
  const [batch, height, width, channels] = x.shape;
  const multiplier = filterShape[3];
  const spread = channels * multiplier;
  const repeated = multiplier === 1 ? x : run(backend, 'Tile', { x: reshaped(x, [batch, height, width, channels, 1]) }, { reps: [1, 1, 1, 1, multiplier] });
  const dw = zeroedOutput(backend, filterShape);
  wasmTrainingKernels(backend).depthwiseFilterGradient(heapOffset(backend, repeated), heapOffset(backend, dy), heapOffset(backend, dw), batch, ...kernelGeometry(info, spread));
  if (repeated !== x) free(backend, repeated);
  return dw;
}

function checkChannelsLast(kernelName: string, attrs: { dataFormat?: string }): void {
  if (attrs.dataFormat && attrs.dataFormat !== 'NHWC') throw new Error(`${kernelName} supports channels-last (NHWC) only, got ${attrs.dataFormat}.`);
}

/** `DepthwiseConv2dNativeBackpropInput` kernel function (wasm). */
export function depthwiseBackpropInputKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const a = attrs as unknown as DepthwiseGeometryAttrs & { dataFormat?: string; inputShape: [number, number, number, number] };
  checkChannelsLast('DepthwiseConv2dNativeBackpropInput', a);
  return depthwiseInputGradient(backend, { dy: inputs.dy, filter: inputs.filter, inputShape: a.inputShape, strides: a.strides, pad: a.pad, dilations: a.dilations, dimRoundingMode: a.dimRoundingMode });
}

/** `DepthwiseConv2dNativeBackpropFilter` kernel function (wasm). */
export function depthwiseBackpropFilterKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const a = attrs as unknown as DepthwiseGeometryAttrs & { dataFormat?: string; filterShape: [number, number, number, number] };
  checkChannelsLast('DepthwiseConv2dNativeBackpropFilter', a);
  return depthwiseFilterGradient(backend, { x: inputs.x, dy: inputs.dy, filterShape: a.filterShape, strides: a.strides, pad: a.pad, dilations: a.dilations, dimRoundingMode: a.dimRoundingMode });
}
