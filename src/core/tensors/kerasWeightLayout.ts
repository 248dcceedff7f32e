import type { KerasWeight } from '../layers/layerType';
import { transposeTensor } from './transposeTensor';

interface Tensor {
  data: Float32Array;
  shape: number[];
}

/** A Keras-layout weight as PyTorch holds it: its axes moved, then (a depthwise kernel) read in PyTorch's shape. */
export function kerasToTorch(place: KerasWeight, tensor: Tensor): Tensor {
  const moved = place.axes ? transposeTensor(tensor.data, tensor.shape, place.axes) : { data: tensor.data, shape: tensor.shape };
  return place.torchShape ? { data: moved.data, shape: [...place.torchShape] } : moved;
}

/** The inverse of kerasToTorch: a PyTorch tensor in the Keras layout `place` describes. */
export function torchToKeras(place: KerasWeight, tensor: Tensor): Tensor {
  // Read back in the transposed Keras shape first, so that the inverse permutation applies.
  const shape = place.torchShape ? (place.axes ? place.axes.map((a) => place.shape[a]) : place.shape) : tensor.shape;
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== tensor.data.length) return { data: tensor.data, shape: tensor.shape };
  const inverse = place.axes ? place.axes.map((_, i) => place.axes!.indexOf(i)) : undefined;
  return inverse ? transposeTensor(tensor.data, shape, inverse) : { data: tensor.data, shape };
}
