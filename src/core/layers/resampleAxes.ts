/**
 * PyTorch's index rules for resampling one spatial axis, shared by the analysis, the ONNX export
 * and the TF.js layers that train: F.interpolate's nearest and bilinear source positions and
 * adaptive pooling's windows. Every one of them is separable (height and width independently), so
 * nearest, bilinear and adaptive averaging are each a fixed (out × in) matrix per axis.
 */

export type ResampleMode = 'nearest' | 'bilinear';

/**
 * Output length of F.interpolate along an axis: the given size, or ⌊in · scale⌋ (PyTorch floors the
 * product in double precision).
 */
export function resampledLength(input: number, scale: number): number {
  return Math.floor(input * scale);
}

/**
 * PyTorch's "nearest" source index (not "nearest-exact"): ⌊dst · s⌋ with s = 1/scale when a scale
 * factor was given, else in/out, both rounded to float32 as PyTorch's kernel does; equal sizes are
 * the identity and twice the size halves the index exactly.
 */
export function nearestSource(dst: number, input: number, output: number, scale?: number): number {
  if (output === input) return dst;
  if (output === 2 * input) return dst >> 1;
  const step = Math.fround(scale !== undefined && scale > 0 ? 1 / scale : input / output);
  return Math.min(Math.floor(Math.fround(dst * step)), input - 1);
}

/**
 * PyTorch's bilinear taps along an axis: the two source indices and their weights. Half-pixel
 * centers (src = (dst + 0.5)·s − 0.5, clamped at 0; s = 1/scale when a scale factor was given, else
 * in/out) unless `alignCorners` (src = dst·(in − 1)/(out − 1)).
 */
export function bilinearTaps(dst: number, input: number, output: number, alignCorners: boolean, scale?: number): { i0: number; i1: number; w0: number; w1: number } {
  if (output === input && !alignCorners) return { i0: dst, i1: dst, w0: 1, w1: 0 };
  let src: number;
  if (alignCorners) src = output > 1 ? (dst * (input - 1)) / (output - 1) : 0;
  else {
    const step = scale !== undefined && scale > 0 ? 1 / scale : input / output;
    src = Math.max((dst + 0.5) * step - 0.5, 0);
  }
  const i0 = Math.min(Math.floor(src), input - 1);
  const i1 = i0 < input - 1 ? i0 + 1 : i0;
  const w1 = Math.min(Math.max(src - i0, 0), 1);
  return { i0, i1, w0: 1 - w1, w1 };
}

/** Adaptive pooling's window of output `i`: [⌊i·in/out⌋, ⌈(i + 1)·in/out⌉) in integers. */
export function adaptiveWindow(i: number, input: number, output: number): [number, number] {
  return [Math.floor((i * input) / output), Math.ceil(((i + 1) * input) / output)];
}

/** Whether adaptive pooling is a plain pooling along this axis: every window has the same size and step. */
export const adaptiveIsUniform = (input: number, output: number): boolean => input % output === 0;

/** The (out × in) matrix, row-major, that resamples one axis as F.interpolate does. */
export function resampleMatrix(input: number, output: number, mode: ResampleMode, alignCorners: boolean, scale?: number): Float32Array {
  const m = new Float32Array(output * input);
  for (let o = 0; o < output; o++) {
    if (mode === 'nearest') {
      m[o * input + nearestSource(o, input, output, scale)] = 1;
      continue;
    }
    const { i0, i1, w0, w1 } = bilinearTaps(o, input, output, alignCorners, scale);
    m[o * input + i0] += w0;
    m[o * input + i1] += w1;
  }
  return m;
}

/** The (out × in) matrix, row-major, that averages adaptive pooling's windows along one axis. */
export function adaptiveAverageMatrix(input: number, output: number): Float32Array {
  const m = new Float32Array(output * input);
  for (let o = 0; o < output; o++) {
    const [start, end] = adaptiveWindow(o, input, output);
    for (let i = start; i < end; i++) m[o * input + i] = 1 / (end - start);
  }
  return m;
}
