/**
 * A model's inference outputs for `count` samples of `pixels`, in one pass through the graph.
 * `model.predict` would first copy the whole batch into a slice of itself (and split it into
 * batches of 32 unless told otherwise), then concatenate the outputs: running the graph directly
 * skips both. Layers run in inference mode (no dropout, batch norm with its moving statistics),
 * with each convolution → batch norm [→ ReLU] chain folded into one fused convolution
 * (FoldedInference.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { modelSampleShapes } from '../compile/modelSampleShapes';
import { FoldedInference } from './FoldedInference';

export function predictSlice(model: tf.LayersModel, pixels: Float32Array, count: number): tf.Tensor {
  const { shape, size } = modelSampleShapes(model).input;
  const folded = FoldedInference.of(model);
  return tf.tidy(() => {
    const x = tf.tensor(pixels.subarray(0, count * size), [count, ...shape]);
    return folded ? folded.run(x) : (model.execute(x, model.outputs[0].name) as tf.Tensor);
  });
}
