/** Reorders the axes of a row-major tensor: output axis i is input axis `axes[i]`. */
export function transposeTensor(data: Float32Array, shape: number[], axes: number[]): { data: Float32Array; shape: number[] } {
  const outShape = axes.map((a) => shape[a]);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const strides = axes.map((a) => inStrides[a]);
  const out = new Float32Array(data.length);
  const index = new Array(outShape.length).fill(0);
  let source = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[source];
    // Odometer over the output index, tracking the matching input offset.
    for (let d = outShape.length - 1; d >= 0; d--) {
      index[d]++;
      source += strides[d];
      if (index[d] < outShape[d]) break;
      source -= strides[d] * outShape[d];
      index[d] = 0;
    }
  }
  return { data: out, shape: outShape };
}
