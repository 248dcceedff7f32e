/**
 * Convolution gradients computed by the backend's own forward `Conv2D`, for backends whose
 * gradient kernels are missing (wasm has no `Conv2DBackpropFilter`) or slow (cpu's takes ~90% of a
 * training step). Both are exact re-arrangements of the same sums:
 *
 * - filter gradient: dW[kh,kw,ci,co] = Σ_b,oh,ow xPad[b, oh·s + kh·d, ow·s + kw·d, ci] · dy[b,oh,ow,co]
 *   is a convolution of x transposed to [ci, H, W, b] (batch ↔ channels) with dy transposed to
 *   [oh, ow, b, co] as the filter, with stride d and dilation s (the forward's roles swapped);
 * - input gradient: dx is a stride-1 convolution of dy with zeros inserted between its positions
 *   (stride > 1), padded by (effective kernel − 1 − pad), with the filter flipped and its channel
 *   axes swapped.
 *
 * They call kernels directly (not ops), as backends do internally, and free every intermediate.
 */
import { backend_util, type KernelBackend, type TensorInfo } from '@tensorflow/tfjs';
import { backendNameOf, free, reshaped, runKernel as run, type KernelArgs } from './kernelCalls';
import { heapOffset, heapSize, uninitializedOutput, wasmTrainingKernels, zeroedOutput } from './wasm/wasmTrainingKernels';
import { convGeometry as geometry, convTapCrop, cropFilter, uncropFilterGradient } from './convTapCrop';
import { transposedBlocks, transposedRuns } from './transposedBlocks';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;


/** How the forward convolution slid its window; both gradients need it. */
interface ConvolutionGeometryArgs {
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export interface FilterGradientArgs extends ConvolutionGeometryArgs {
  x: TensorInfo;
  dy: TensorInfo;
  filterShape: [number, number, number, number];
}

/** dW of a channels-last Conv2D (any padding, strides and dilations) through the backend's Conv2D. */
export function filterGradientViaConv(backend: KernelBackend, args: FilterGradientArgs): TensorInfo {
  const { x, dy, filterShape } = args;
  const info = geometry(x.shape, filterShape, args.strides, args.dilations ?? 1, args.pad, args.dimRoundingMode);
  const { top, bottom, left, right } = info.padInfo;
  const [kh, kw, ci, co] = filterShape;
  const wasm = backendNameOf(backend) === 'wasm';
  const batch = x.shape[0];
  const [, outH, outW] = dy.shape;
  const xT = wasm ? channelsFirstBatchLast(backend, x) : run(backend, 'Transpose', { x }, { perm: [3, 1, 2, 0] });
  const dyT = wasm ? transposedRuns(backend, dy, batch, outH * outW, co, [outH, outW, batch, co]) : run(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const swapped = run(backend, 'Conv2D', { x: xT, filter: dyT }, {
    strides: [info.dilationHeight, info.dilationWidth],
    dilations: [info.strideHeight, info.strideWidth],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: 'NHWC',
  });
  free(backend, xT, dyT);
  // The swapped convolution can reach past the last tap when strides drop rows: keep the kernel's taps.
  let taps = swapped;
  if (swapped.shape[1] !== kh || swapped.shape[2] !== kw) {
    taps = run(backend, 'Slice', { x: swapped }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    free(backend, swapped);
  }
  const dw = wasm ? transposedRuns(backend, taps, ci, kh * kw, co, [kh, kw, ci, co]) : run(backend, 'Transpose', { x: taps }, { perm: [1, 2, 0, 3] });
  free(backend, taps);
  return dw;
}

/** [b, h, w, c] → [c, h, w, b] on wasm as two block transposes: [b, h·w, c] → [b, c, h·w] → [c·h·w, b]. */
function channelsFirstBatchLast(backend: KernelBackend, x: TensorInfo): TensorInfo {
  const [batch, height, width, channels] = x.shape;
  const perImage = transposedBlocks(backend, x, batch, height * width, channels, false, [batch, channels, height * width]);
  const whole = transposedBlocks(backend, perImage, 1, batch, channels * height * width, false, [channels, height, width, batch]);
  free(backend, perImage);
  return whole;
}

export interface InputGradientArgs extends ConvolutionGeometryArgs {
  dy: TensorInfo;
  filter: TensorInfo;
  inputShape: [number, number, number, number];
}

/**
 * The filter with its taps in reverse order along both height and width and its channel axes
 * swapped, [kh, kw, co, ci]: what the input gradient's convolution runs with. On wasm one SIMD pass
 * (`transposedBlocks`: the flipped taps are the reversed kh·kw axis); elsewhere the backend's
 * Reverse and Transpose.
 */
function flippedSwappedFilter(backend: KernelBackend, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  if (backendNameOf(backend) === 'wasm') return transposedBlocks(backend, filter, kh * kw, ci, co, true, [kh, kw, co, ci]);
  const flipped = run(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
  const swapped = run(backend, 'Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
  free(backend, flipped);
  return swapped;
}

/** dx of a channels-last Conv2D through a stride-1 Conv2D of the zero-filled dy with the flipped filter. */
export function inputGradientViaConv(backend: KernelBackend, args: InputGradientArgs): TensorInfo {
  const { dy, filter, inputShape } = args;
  const info = geometry(inputShape, filter.shape, args.strides, args.dilations ?? 1, args.pad, args.dimRoundingMode);
  const [batch, height, width] = inputShape;
  const [outH, outW, co] = [dy.shape[1], dy.shape[2], dy.shape[3]];
  const sH = info.strideHeight;
  const sW = info.strideWidth;
  const toFree: TensorInfo[] = [];

  // Zeros between dy's positions: [b, oh, 1, ow, 1, co] padded to [b, oh, sH, ow, sW, co].
  let spread = dy;
  if (sH > 1 || sW > 1) {
    const expanded = run(backend, 'Reshape', { x: dy }, { shape: [batch, outH, 1, outW, 1, co] });
    const padded = run(backend, 'PadV2', { x: expanded }, { paddings: [[0, 0], [0, 0], [0, sH - 1], [0, 0], [0, sW - 1], [0, 0]], constantValue: 0 });
    spread = run(backend, 'Reshape', { x: padded }, { shape: [batch, outH * sH, outW * sW, co] });
    toFree.push(expanded, padded, spread);
  }
  // Padding so that a stride-1 pass of the effective kernel yields exactly height × width; a negative
  // amount means the forward padding exceeded the kernel reach, so rows are cut instead.
  const effH = info.effectiveFilterHeight;
  const effW = info.effectiveFilterWidth;
  const before = [effH - 1 - info.padInfo.top, effW - 1 - info.padInfo.left];
  const after = [height + effH - 1 - spread.shape[1] - before[0], width + effW - 1 - spread.shape[2] - before[1]];
  let source = spread;
  if (before.some((p) => p < 0) || after.some((p) => p < 0)) {
    const begin = [0, Math.max(0, -before[0]), Math.max(0, -before[1]), 0];
    const size = [batch, spread.shape[1] - begin[1] - Math.max(0, -after[0]), spread.shape[2] - begin[2] - Math.max(0, -after[1]), co];
    source = run(backend, 'Slice', { x: spread }, { begin, size });
    toFree.push(source);
  }
  const swappedFilter = flippedSwappedFilter(backend, filter);
  toFree.push(swappedFilter);
  const dx = run(backend, 'Conv2D', { x: source, filter: swappedFilter }, {
    strides: [1, 1],
    dilations: [info.dilationHeight, info.dilationWidth],
    pad: [[0, 0], [Math.max(0, before[0]), Math.max(0, after[0])], [Math.max(0, before[1]), Math.max(0, after[1])], [0, 0]],
    dataFormat: 'NHWC',
  });
  free(backend, ...toFree);
  return dx;
}

/** Columns larger than this (floats) would cost more memory than the saved arithmetic is worth. */
const MAX_COLUMN_FLOATS = 1 << 24;

/**
 * dx of a channels-last Conv2D on wasm as one matrix product and a scatter: every output
 * position's dy times the filter gives the input patch it came from (columns [b·oh·ow, kh·kw·ci],
 * XNNPACK's GEMM through a 1×1 Conv2D), then the SIMD col2im sums the patches back onto the image.
 * It does only the forward's multiply-adds, where the flipped-filter convolution also multiplies
 * the zeros around and between dy's positions: for a valid 5×5 convolution of an 8×8 map, 2.25×
 * as many.
 */
export function inputGradientViaGemm(backend: KernelBackend, args: InputGradientArgs): TensorInfo {
  const { dy, filter, inputShape } = args;
  const info = geometry(inputShape, filter.shape, args.strides, args.dilations ?? 1, args.pad, args.dimRoundingMode);
  const [kh, kw, ci, co] = filter.shape;
  const [batch, height, width] = inputShape;
  const rows = batch * info.outHeight * info.outWidth;
  const patch = kh * kw * ci;
  const filterT = transposedBlocks(backend, filter, 1, patch, co, false, [co, patch]);
  const columns = run(backend, 'Conv2D', { x: reshaped(dy, [1, 1, rows, co]), filter: reshaped(filterT, [1, 1, co, patch]) }, { strides: 1, pad: 'valid', dilations: 1, dataFormat: 'NHWC' });
  free(backend, filterT);
  const dx = zeroedOutput(backend, inputShape);
  wasmTrainingKernels(backend).col2im(
    heapOffset(backend, columns), heapOffset(backend, dx),
    batch, info.outHeight, info.outWidth, kh, kw, ci, height, width,
    info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left, info.dilationHeight, info.dilationWidth,
  );
  free(backend, columns);
  return dx;
}

/**
 * Whether the matrix-product input gradient beats the flipped-filter convolution: on wasm, when the
 * input is at least a quarter larger than the output (valid padding, strides), so the convolution
 * would multiply many zeros, and the columns fit in memory.
 */
export function prefersGemmInputGradient(backendName: string, inputShape: number[], dyShape: number[], filterShape: number[]): boolean {
  if (backendName !== 'wasm') return false;
  const [batch, height, width] = inputShape;
  const [, outH, outW] = dyShape;
  const [kh, kw, ci] = filterShape;
  return height * width >= 1.25 * outH * outW && batch * outH * outW * kh * kw * ci <= MAX_COLUMN_FLOATS;
}

/**
 * How many bytes of dy one chunk of the direct filter gradient covers: with the input under it, it
 * stays in a core's cache while every block of taps and channels reads it.
 */
const FILTER_GRADIENT_CHUNK_BYTES = 1 << 17;

/** The direct filter gradient's two tile shapes: four taps by twelve output channels, or six by eight. */
export type FilterGradientTile = 'wide' | 'narrow';

/**
 * The tile that passes over the output positions fewer times, its lanes idle past the filter's
 * channels counted. Each does 48 multiply-adds per position and pass, but a narrow pass broadcasts
 * six input values where a wide one broadcasts four: it costs about 1.2 wide passes. Timed alone,
 * interleaved, on slices of 32 (medians of five runs): the tutorial net's 3→6 and 6→16 5×5, a
 * third fewer passes narrow, took 2.04 instead of 2.79 ms and 1.02 instead of 1.54 ms; 64→64 3×3,
 * a ninth fewer, the same time; MNIST's 1→10 5×5, 10 narrow passes against 7, 1.5× longer. So
 * narrow takes channel counts that twelve lanes fit badly (5–8, 13–16) and wide keeps the rest.
 */
export function filterGradientTile(filterShape: number[]): FilterGradientTile {
  const [kh, kw, ci, co] = filterShape;
  const taps = kh * kw * ci;
  const passes = (tapsPerTile: number, channelsPerTile: number) => Math.ceil(taps / tapsPerTile) * Math.ceil(co / channelsPerTile);
  return NARROW_PASS_COST * passes(6, 8) < passes(4, 12) ? 'narrow' : 'wide';
}

/** A narrow tile's pass in wide passes (see `filterGradientTile`). */
const NARROW_PASS_COST = 1.2;

/**
 * dW of a channels-last Conv2D on wasm by the SIMD kernel, which keeps a tile of dW (four taps by
 * twelve output channels, or six by eight: `filterGradientTile`) in registers over a chunk of
 * output positions at a time. A padded convolution's input is padded first (one copy): its dW is
 * the unpadded convolution's of the padded input. XNNPACK runs the swapped convolution of
 * `filterGradientViaConv` as a huge kernel over a tiny output. `options` are for the tests:
 * `chunkRows` (output rows over batch and height per chunk; by default a chunk holds about
 * FILTER_GRADIENT_CHUNK_BYTES of dy) and `tile`. Returns undefined when dy lies too close to the
 * heap's end for the kernel's over-reads.
 */
export function filterGradientDirect(backend: KernelBackend, args: FilterGradientArgs, options: { chunkRows?: number; tile?: FilterGradientTile } = {}): TensorInfo | undefined {
  const { dy, filterShape } = args;
  const info = geometry(args.x.shape, filterShape, args.strides, args.dilations ?? 1, args.pad, args.dimRoundingMode);
  const { top, bottom, left, right } = info.padInfo;
  // The kernel reads up to 48 bytes past dy (lanes it drops): they must be inside the heap.
  if (heapOffset(backend, dy) + dy.shape.reduce((a, b) => a * b, 1) * 4 + 48 > heapSize(backend)) return undefined;
  const [kh, kw, ci, co] = filterShape;
  if (info.batchSize * info.outHeight * info.outWidth === 0) return zeroedOutput(backend, filterShape);
  const padded = top || bottom || left || right;
  const x = padded ? run(backend, 'PadV2', { x: args.x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }) : args.x;
  const [batch, height, width] = x.shape;
  const dw = uninitializedOutput(backend, filterShape);
  const scratch = uninitializedOutput(backend, [48]);
  const rows = options.chunkRows ?? Math.max(1, Math.floor(FILTER_GRADIENT_CHUNK_BYTES / (info.outWidth * co * 4)));
  const kernels = wasmTrainingKernels(backend);
  const kernel = (options.tile ?? filterGradientTile(filterShape)) === 'narrow' ? kernels.filterGradientValidNarrow : kernels.filterGradientValid;
  kernel(
    heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, dw), heapOffset(backend, scratch),
    batch, height, width, ci, info.outHeight, info.outWidth, co,
    kh, kw, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, rows,
  );
  free(backend, scratch);
  if (padded) free(backend, x);
  return dw;
}

/**
 * Whether the direct SIMD filter gradient beats XNNPACK's swapped convolution. Each kernel timed
 * alone and interleaved on slices of 32 (the layers of the MNIST CNN, ResNet-18 and MobileNetV2 at
 * 32×32 input, and ResNet's at 128–224): direct wins by 2–5× on 1×1 convolutions (XNNPACK's swapped
 * convolution has only the output channels as its width), by 2–4× on first layers (3→64 7×7:
 * 7.9 against 14.4 ms) and by 20–60% up to 32 input channels (MNIST's 10→20 5×5); from 64 input
 * channels the two are within 15% on maps of 16×16 and more, where direct wins slightly up to 128
 * channels, and XNNPACK's GEMM wins by 10–40% on smaller maps and from 256 channels (on 1×1, from
 * about 512).
 */
export function prefersDirectFilterGradient(filterShape: number[], dyShape: number[]): boolean {
  const [kh, kw, ci] = filterShape;
  if (kh * kw === 1) return ci < 512;
  if (ci <= 32) return true;
  return ci <= 128 && dyShape[1] * dyShape[2] >= 256;
}

/** `Conv2DBackpropFilter` kernel function: the direct SIMD kernel on wasm where it pays, else `filterGradientViaConv`. */
export function conv2dBackpropFilterKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const a = attrs as unknown as { strides: number | [number, number]; pad: Pad; dataFormat: string; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
  if (a.dataFormat && a.dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter supports channels-last (NHWC) only, got ${a.dataFormat}.`);
  // Taps that never reach the input (padding only) get zero gradient: compute the others', then pad with zeros.
  const crop = convTapCrop(inputs.x.shape, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
  const [, , ci, co] = a.filterShape;
  const filterShape: [number, number, number, number] = crop ? [crop.size[0], crop.size[1], ci, co] : a.filterShape;
  const args: FilterGradientArgs = { x: inputs.x, dy: inputs.dy, filterShape, strides: a.strides, pad: crop ? crop.pad : a.pad, dimRoundingMode: crop ? undefined : a.dimRoundingMode };
  const dw = (backendNameOf(backend) === 'wasm' && prefersDirectFilterGradient(filterShape, inputs.dy.shape) ? filterGradientDirect(backend, args) : undefined) ?? filterGradientViaConv(backend, args);
  if (!crop) return dw;
  const full = uncropFilterGradient(backend, dw, crop, a.filterShape);
  free(backend, dw);
  return full;
}

/** `Conv2DBackpropInput` kernel function: the matrix product where it pays (see `prefersGemmInputGradient`), else `inputGradientViaConv`. */
export function conv2dBackpropInputKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const a = attrs as unknown as { strides: number | [number, number]; pad: Pad; dataFormat: string; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number] };
  if (a.dataFormat && a.dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropInput supports channels-last (NHWC) only, got ${a.dataFormat}.`);
  // Taps that never reach the input (padding only) contribute nothing to dx: leave them out.
  const crop = convTapCrop(a.inputShape, inputs.filter.shape, a.strides, 1, a.pad, a.dimRoundingMode);
  const filter = crop ? cropFilter(backend, inputs.filter, crop) : inputs.filter;
  const args: InputGradientArgs = { dy: inputs.dy, filter, inputShape: a.inputShape, strides: a.strides, pad: crop ? crop.pad : a.pad, dimRoundingMode: crop ? undefined : a.dimRoundingMode };
  const dx = prefersGemmInputGradient(backendNameOf(backend), a.inputShape, inputs.dy.shape, filter.shape) ? inputGradientViaGemm(backend, args) : inputGradientViaConv(backend, args);
  if (filter !== inputs.filter) free(backend, filter);
  return dx;
}
