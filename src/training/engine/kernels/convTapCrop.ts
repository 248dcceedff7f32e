/**
 * Convolutions whose padding makes some filter taps never touch the input, computed without those
 * taps. On small maps it is most of the work: a 3×3 'same' convolution of a 1×1 map multiplies
 * eight of its nine taps by padding zeros only, forward and in both gradients, and XNNPACK does all
 * nine. Cropping the filter to the taps that reach the input and shrinking the padding by as much
 * gives the same sums (the dropped taps only ever met zeros). It sees the convolution's own padding
 * ('same', explicit) only: a design's PyTorch-style numeric padding compiles to a ZeroPadding2D
 * layer before a 'valid' convolution, whose zeros are real input here (ResNet-18 as the project
 * builds it), so nothing is cropped there.
 *
 * `convTapCrop` finds the crop; `croppedConv2dKernel` wraps the backend's Conv2D and FusedConv2D
 * with it; the gradient kernels (convGradientKernels.ts) apply it to themselves.
 */
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { backendNameOf, free, runKernel, type KernelArgs } from './kernelCalls';
import { heapFloats, uninitializedOutput, zeroedOutput } from './wasm/wasmTrainingKernels';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/** The taps of a filter that reach the input, and the padding that keeps the output's size with only them. */
export interface TapCrop {
  /** First tap kept along height and width. */
  begin: [number, number];
  /** Taps kept along height and width. */
  size: [number, number];
  /** Channels-last explicit padding for the cropped filter. */
  pad: backend_util.ExplicitPadding;
}

/** Along one axis: the first and last tap that meets an input row for some output row, and the padding around them. */
function axisCrop(inSize: number, outSize: number, taps: number, stride: number, dilation: number, padBefore: number, padAfter: number) {
  let first = -1;
  let last = -1;
  for (let t = 0; t < taps; t++) {
    // Rows tap t reads: t·d − p, then every stride, outSize times.
    const start = t * dilation - padBefore;
    const lowestO = start >= 0 ? 0 : Math.ceil(-start / stride);
    if (lowestO < outSize && start + lowestO * stride < inSize) {
      if (first < 0) first = t;
      last = t;
    }
  }
  const full = { first: 0, size: taps, before: padBefore, after: padAfter };
  if (first < 0) return full;
  const before = padBefore - first * dilation;
  // So that (in + before + after − ((size − 1)·d + 1)) / stride + 1 = outSize exactly.
  const after = (outSize - 1) * stride + last * dilation - padBefore + 1 - inSize;
  if (before < 0 || after < 0) return full;
  return { first, size: last - first + 1, before, after };
}

/** Output and padding geometry of a channels-last forward convolution, as TF.js computes it. */
export function convGeometry(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
}

/**
 * The crop of a channels-last convolution's filter to the taps that reach its input, or undefined
 * when every tap does (nothing to save).
 */
export function convTapCrop(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): TapCrop | undefined {
  if (filterShape[0] === 1 && filterShape[1] === 1) return undefined;
  const info = convGeometry(xShape, filterShape, strides, dilations, pad, dimRoundingMode);
  const { top, bottom, left, right } = info.padInfo;
  const h = axisCrop(info.inHeight, info.outHeight, info.filterHeight, info.strideHeight, info.dilationHeight, top, bottom);
  const w = axisCrop(info.inWidth, info.outWidth, info.filterWidth, info.strideWidth, info.dilationWidth, left, right);
  if (h.size === info.filterHeight && w.size === info.filterWidth) return undefined;
  return {
    begin: [h.first, w.first],
    size: [h.size, w.size],
    pad: [[0, 0], [h.before, h.after], [w.before, w.after], [0, 0]],
  };
}

/**
 * Copies the taps of `from` ([kh, kw, ci, co]) inside the crop into `to` (the cropped shape), or the
 * other way round: every tap is one block of ci·co floats, so on wasm one copy each. TF.js' wasm
 * Slice of the centre tap of a 3×3 512→512 filter takes about 7 ms element by element.
 */
function copyTaps(backend: KernelArgs['backend'], full: TensorInfo, cropped: TensorInfo, crop: TapCrop, toCropped: boolean): void {
  const [, kw, ci, co] = full.shape;
  const block = ci * co;
  // Views taken after both allocations, which may have grown (and moved) the heap.
  const fullValues = heapFloats(backend, full);
  const croppedValues = heapFloats(backend, cropped);
  for (let h = 0; h < crop.size[0]; h++) {
    for (let w = 0; w < crop.size[1]; w++) {
      const outer = ((crop.begin[0] + h) * kw + crop.begin[1] + w) * block;
      const inner = (h * crop.size[1] + w) * block;
      if (toCropped) croppedValues.set(fullValues.subarray(outer, outer + block), inner);
      else fullValues.set(croppedValues.subarray(inner, inner + block), outer);
    }
  }
}

/** The filter's kept taps, a new tensor of the backend. */
export function cropFilter(backend: KernelArgs['backend'], filter: TensorInfo, crop: TapCrop): TensorInfo {
  const [, , ci, co] = filter.shape;
  if (backendNameOf(backend) !== 'wasm') return runKernel(backend, 'Slice', { x: filter }, { begin: [crop.begin[0], crop.begin[1], 0, 0], size: [crop.size[0], crop.size[1], ci, co] });
  const cropped = uninitializedOutput(backend, [crop.size[0], crop.size[1], ci, co]);
  copyTaps(backend, filter, cropped, crop, true);
  return cropped;
}

/** A cropped filter's gradient placed in the full filter's shape, zero at the taps left out (which only met padding). */
export function uncropFilterGradient(backend: KernelArgs['backend'], dw: TensorInfo, crop: TapCrop, filterShape: number[]): TensorInfo {
  const [kh, kw] = filterShape;
  const [top, left] = crop.begin;
  if (backendNameOf(backend) !== 'wasm') {
    return runKernel(backend, 'PadV2', { x: dw }, { paddings: [[top, kh - top - crop.size[0]], [left, kw - left - crop.size[1]], [0, 0], [0, 0]], constantValue: 0 });
  }
  const full = zeroedOutput(backend, filterShape);
  copyTaps(backend, full, dw, crop, false);
  return full;
}

/**
 * Wraps a backend's `Conv2D` or `FusedConv2D` (same inputs x and filter, same geometry attributes):
 * with the filter cropped where taps never reach the input, else the built-in kernel as is.
 */
export function croppedConv2dKernel(builtIn: KernelConfig): KernelFunc {
  return (args) => {
    const { inputs, backend } = args as unknown as KernelArgs;
    const a = args.attrs as unknown as { strides: number | [number, number]; pad: Pad; dataFormat?: string; dilations?: number | [number, number]; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
    const { x, filter } = inputs;
    const crop = (a.dataFormat ?? 'NHWC') === 'NHWC' ? convTapCrop(x.shape, filter.shape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode) : undefined;
    if (!crop) return builtIn.kernelFunc(args);
    const cropped = cropFilter(backend, filter, crop);
    try {
      return builtIn.kernelFunc({ ...args, inputs: { ...args.inputs, filter: cropped }, attrs: { ...args.attrs, pad: crop.pad, dimRoundingMode: undefined } as unknown as typeof args.attrs });
    } finally {
      free(backend, cropped);
    }
  };
}
