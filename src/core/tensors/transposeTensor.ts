/** Reorders the axes of a row-major tensor: output axis i is input axis `axes[i]`. */
export function transposeTensor(data: Float32Array, shape: number[], axes: number[]): { data: Float32Array; shape: number[] } {
  const outShape = axes.map((a) => shape[a]);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const strides = axes.map((a) => inStrides[a]);
  const out = new Float32Array(data.length);
  const rank = outShape.length;
  if (data.length === 0) return { data: out, shape: outShape };
  if (rank === 0) {
    out[0] = data[0];
    return { data: out, shape: outShape };
  }
  // The last output axis in one tight loop (a copy where it is contiguous in the input: opening a
  // ResNet-50 transposes 25 M weights); an odometer over the other axes tracks the input offset.
  const inner = outShape[rank - 1];
  const innerStride = strides[rank - 1];
  const index = new Int32Array(rank);
  let source = 0;
  for (let o = 0; o < out.length; o += inner) {
    if (innerStride === 1) out.set(data.subarray(source, source + inner), o);
    else for (let j = 0, s = source; j < inner; j++, s += innerStride) out[o + j] = data[s];
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      source += strides[d];
      if (index[d] < outShape[d]) break;
      source -= strides[d] * outShape[d];
      index[d] = 0;
    }
  }
  return { data: out, shape: outShape };
}
