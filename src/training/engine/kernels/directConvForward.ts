/**
 * A channels-last forward convolution on wasm by the project's SIMD kernel (`convForwardValid` in
 * trainingKernels.wat) instead of XNNPACK's, for the layers where XNNPACK leaves most of its
 * lanes idle: few input channels and an output channel count that its tiles of eight fit badly.
 * MNIST's first layer (1→10, 5×5) is the case that matters: XNNPACK computes sixteen channels for
 * its ten. The kernel keeps four output positions by twelve channels in registers and walks the
 * filter taps; bias and a ReLU/ReLU6 clamp are applied on the way out, so it also serves the
 * fused convolution that inference runs.
 */
import { backend_util, type KernelBackend, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { free, runKernel, type KernelArgs } from './kernelCalls';
import { convGeometry, convTapCrop } from './convTapCrop';
import { heapFloats, heapOffset, uninitializedOutput, wasmTrainingKernels, wholeHeapFloats } from './wasm/wasmTrainingKernels';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

export interface DirectConvArgs {
  x: TensorInfo;
  filter: TensorInfo;
  /** [outC], or absent: no bias. */
  bias?: TensorInfo;
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  /** What the outputs are clamped to: none, ReLU's [0, ∞) or ReLU6's [0, 6]. */
  activation?: keyof typeof CLAMPS;
}

/** Output channels a register tile holds. */
const TILE_CHANNELS = 12;

/** The clamp bounds of each activation the kernel applies itself. */
const CLAMPS = { linear: [-Infinity, Infinity], relu: [0, Infinity], relu6: [0, 6] } as const;

/**
 * Whether the direct kernel beats XNNPACK on a filter [kh, kw, ci, co]: windows of 5×5 and more
 * over at most 8 input channels, where tiles of twelve channels leave no more lanes idle than
 * XNNPACK's tiles of eight. Each kernel timed alone and interleaved, slices of 32 on 28×28 or 32×32
 * maps, XNNPACK's time over the direct kernel's: 1→10 5×5 (MNIST) 1.31–1.44, 1→12 1.78, 1→20
 * 1.27, 1→24 1.50, 1→48 1.56, 2→10 1.16, 3→10 1.18, 4→10 1.35, 8→12 1.44, 1→10 7×7 stride 2 1.54;
 * and where the rule says no: 1→8 0.87, 1→16 0.89, 3→6 5×5 (the tutorial net) 0.58, 3→64 7×7
 * 0.87, and every 3×3 (1→10 0.95, 3→12 0.98, 3→24 0.82, 3→32 0.65), which XNNPACK does well.
 */
export function prefersDirectConvForward(filterShape: number[]): boolean {
  const [kh, kw, ci, co] = filterShape;
  const lanes = (tile: number) => Math.ceil(co / tile) * tile;
  return kh * kw >= 25 && ci <= 8 && lanes(TILE_CHANNELS) <= lanes(8);
}

/**
 * Wraps a backend's `Conv2D` or `FusedConv2D` (`inner`: what runs otherwise): the direct kernel
 * where `prefersDirectConvForward` says it pays and it can (channels-last; for the fused one, no
 * activation but ReLU or ReLU6, a bias of one value per channel).
 */
export function directConv2dKernel(inner: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend } = args as unknown as KernelArgs;
    const a = args.attrs as unknown as { strides: number | [number, number]; pad: Pad; dataFormat?: string; dilations?: number | [number, number]; dimRoundingMode?: 'floor' | 'round' | 'ceil'; activation?: string };
    const { x, filter, bias } = inputs;
    const activation = a.activation ?? 'linear';
    const usable =
      (a.dataFormat ?? 'NHWC') === 'NHWC' &&
      x.dtype === 'float32' &&
      filter.dtype === 'float32' &&
      (activation === 'linear' || activation === 'relu' || activation === 'relu6') &&
      (!bias || (bias.dtype === 'float32' && bias.shape.reduce((p, q) => p * q, 1) === filter.shape[3])) &&
      prefersDirectConvForward(filter.shape) &&
      // The cropped path leaves out taps that only meet padding: on such small maps it does less work.
      !convTapCrop(x.shape, filter.shape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode);
    if (!usable) return inner(args);
    return directConvForward(backend, { x, filter, bias, strides: a.strides, pad: a.pad, dilations: a.dilations, dimRoundingMode: a.dimRoundingMode, activation });
  };
}

/** The convolution's output, computed by the direct kernel. */
export function directConvForward(backend: KernelBackend, args: DirectConvArgs): TensorInfo {
  const info = convGeometry(args.x.shape, args.filter.shape, args.strides, args.dilations ?? 1, args.pad, args.dimRoundingMode);
  const { top, bottom, left, right } = info.padInfo;
  const [kh, kw, ci, co] = args.filter.shape;
  const padded = top || bottom || left || right;
  const x = padded ? runKernel(backend, 'PadV2', { x: args.x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }) : args.x;
  const [batch, height, width] = x.shape;
  const taps = kh * kw * ci;
  const tiles = Math.ceil(co / TILE_CHANNELS);
  // Packed filter [tiles][taps][12] and bias [tiles·12], zero past co; tap offsets (i32) in bytes.
  const packed = uninitializedOutput(backend, [tiles * taps * TILE_CHANNELS]);
  const bias = uninitializedOutput(backend, [tiles * TILE_CHANNELS]);
  const offsets = uninitializedOutput(backend, [taps]);
  const y = uninitializedOutput(backend, [batch, info.outHeight, info.outWidth, co]);
  // Views after every allocation: the heap may have grown (and moved).
  const heap = wholeHeapFloats(backend);
  const filterValues = heapFloats(backend, args.filter);
  const packedAt = heapOffset(backend, packed) / 4;
  for (let tile = 0; tile < tiles; tile++) {
    for (let t = 0; t < taps; t++) {
      const to = packedAt + (tile * taps + t) * TILE_CHANNELS;
      for (let lane = 0; lane < TILE_CHANNELS; lane++) {
        const c = tile * TILE_CHANNELS + lane;
        heap[to + lane] = c < co ? filterValues[t * co + c] : 0;
      }
    }
  }
  const biasAt = heapOffset(backend, bias) / 4;
  const biasValues = args.bias ? heapFloats(backend, args.bias) : undefined;
  for (let c = 0; c < tiles * TILE_CHANNELS; c++) heap[biasAt + c] = biasValues && c < co ? biasValues[c] : 0;
  const tapOffsets = new Int32Array(heap.buffer, heapOffset(backend, offsets), taps);
  for (let t = 0; t < taps; t++) {
    const row = Math.floor(t / (kw * ci));
    const column = Math.floor(t / ci) % kw;
    tapOffsets[t] = ((row * info.dilationHeight * width + column * info.dilationWidth) * ci + (t % ci)) * 4;
  }
  const [min, max] = CLAMPS[args.activation ?? 'linear'];
  wasmTrainingKernels(backend).convForwardValid(
    heapOffset(backend, x), heapOffset(backend, packed), heapOffset(backend, bias), heapOffset(backend, offsets), heapOffset(backend, y),
    batch, height, width, ci, info.outHeight, info.outWidth, co, taps, info.strideHeight, info.strideWidth, min, max,
  );
  free(backend, packed, bias, offsets);
  if (padded) free(backend, x);
  return y;
}
