/**
 * Convolutions whose padding makes some filter taps never touch the input, computed without those
 * taps. On small maps it is most of the work: a 3×3 'same' convolution of a 1×1 map (ResNet-18's
 * last stage at 32×32 input) multiplies eight of its nine taps by padding zeros only, forward and
 * in both gradients, and XNNPACK does all nine. Cropping the filter to the taps that reach the input
 * and shrinking the padding by as much gives the same sums (the dropped taps only ever met zeros).
 *
 * `convTapCrop` finds the crop; `croppedConv2dKernel` wraps the backend's Conv2D and FusedConv2D
 * with it; the gradient kernels (convGradientKernels.ts) apply it to themselves.
 */
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { free, runKernel, type KernelArgs } from './kernelCalls';

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
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
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

/** The filter's kept taps, a new tensor of the backend. */
export function cropFilter(backend: KernelArgs['backend'], filter: TensorInfo, crop: TapCrop): TensorInfo {
  const [, , ci, co] = filter.shape;
  return runKernel(backend, 'Slice', { x: filter }, { begin: [crop.begin[0], crop.begin[1], 0, 0], size: [crop.size[0], crop.size[1], ci, co] });
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
