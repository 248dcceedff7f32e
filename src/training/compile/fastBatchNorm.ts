/**
 * TF.js' BatchNormalization layer, normalizing in training mode with one fused kernel and its one
 * gradient kernel (batchNormTraining.ts) where the backend has them (wasm), instead of TF.js'
 * composition of about fifteen activation-sized passes. Same rule: batch mean and biased variance,
 * moving averages updated as TF.js does (moving ← moving − (moving − batch)·(1 − momentum));
 * inference, other axes and other backends are TF.js' own code. The class name stays
 * 'BatchNormalization': a saved model reloads as TF.js' own layer.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormTraining, hasBatchNormTraining } from '../engine/kernels/batchNormTraining';

interface BatchNormInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

type LayerClass = new (config: tf.serialization.ConfigDict) => tf.layers.Layer;

let fastBatchNorm: LayerClass | undefined;

/** The class, derived once from the BatchNormalization class TF.js registered. */
export function fastBatchNormClass(): LayerClass {
  if (fastBatchNorm) return fastBatchNorm;
  const Base = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization[0] as unknown as LayerClass;
  class FastBatchNormalization extends Base {
    override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor | tf.Tensor[] {
      const self = this as unknown as BatchNormInternals;
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const lastAxis = self.axis === -1 || self.axis === x.rank - 1;
      if (kwargs?.training !== true || !lastAxis || !self.gamma || !self.beta || x.dtype !== 'float32' || !hasBatchNormTraining()) return super.call(inputs, kwargs);
      return tf.tidy(() => {
        const [y, mean, variance] = batchNormTraining(x, self.gamma!.read(), self.beta!.read(), self.epsilon);
        const decay = 1 - self.momentum;
        for (const [moving, batch] of [
          [self.movingMean, mean],
          [self.movingVariance, variance],
        ] as const) {
          tf.tidy(() => {
            const old = moving.read();
            moving.write(tf.sub(old, tf.mul(tf.sub(old, batch), decay)));
          });
        }
        return y;
      });
    }
  }
  fastBatchNorm = FastBatchNormalization;
  return fastBatchNorm;
}
