/**
 * A model's inference outputs for `count` samples of `pixels`, in one pass through the graph.
 * `model.predict` would first copy the whole batch into a slice of itself (and split it into
 * batches of 32 unless told otherwise), then concatenate the outputs: running the graph directly
 * skips both. Layers run in inference mode (no dropout, batch norm with its moving statistics).
 */
import * as tf from '@tensorflow/tfjs';
import { modelSampleShapes } from '../compile/modelSampleShapes';

export function predictSlice(model: tf.LayersModel, pixels: Float32Array, count: number): tf.Tensor {
  const { shape, size } = modelSampleShapes(model).input;
  return tf.tidy(() => model.execute(tf.tensor(pixels.subarray(0, count * size), [count, ...shape]), model.outputs[0].name) as tf.Tensor);
}
