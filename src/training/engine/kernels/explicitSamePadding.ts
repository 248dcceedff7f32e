/**
 * TF.js' wasm convolutions (TF.js 4.22: Conv2D, FusedConv2D, DepthwiseConv2dNative,
 * FusedDepthwiseConv2D) compute 'same' padding wrongly in about half the cases where a window is
 * smaller than its stride along an axis: a 3×1 window at strides [1, 3], 5×1 or 1×7 at stride 2
 * (Inception's factorized layers), 2×2 at stride 3 give zeros or shifted sums. In a scan of 3,000
 * random convolutions every wrong one was such a case, and explicit padding was always right. This
 * wraps those kernels to pass 'same' as the explicit padding TF.js computes for it; every other
 * padding goes through as it was.
 */
import { backend_util, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/** The kernels that take `pad` and get it wrong for 'same' on wasm. */
export const SAME_PADDING_KERNELS = ['Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D'] as const;

/** Wraps a backend's convolution kernel so that 'same' padding reaches it as explicit padding. */
export function explicitSamePaddingKernel(builtIn: KernelConfig): KernelFunc {
  const depthwise = builtIn.kernelName.includes('Depthwise');
  return (args) => {
    const a = args.attrs as unknown as { strides: number | [number, number]; pad: Pad; dataFormat?: string; dilations?: number | [number, number] };
    const { x, filter } = args.inputs as unknown as Record<'x' | 'filter', { shape: number[] }>;
    const channelsLast = (a.dataFormat ?? 'NHWC') === 'NHWC';
    if (a.pad !== 'same' || !channelsLast) return builtIn.kernelFunc(args);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      a.strides,
      a.dilations ?? 1,
      'same',
      undefined,
      depthwise,
      'channelsLast',
    );
    const { top, bottom, left, right } = info.padInfo;
    return builtIn.kernelFunc({ ...args, attrs: { ...args.attrs, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] } as unknown as typeof args.attrs });
  };
}
