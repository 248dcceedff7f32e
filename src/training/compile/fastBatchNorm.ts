/**
 * TF.js' BatchNormalization layer, trained through the project's fused batch-norm kernel
 * (batchNormTraining.ts) where the backend has it: a channels-last batch in training mode. Moving
 * mean and variance update in the same kernel, exactly as TF.js' layer does (v ← v − (v − batch)·(1 − momentum),
 * the batch variance biased). Inference and every other case stay TF.js' own. The class name stays
 * TF.js' batch-norm class name: a saved model reloads as TF.js' own, identical layer.
 */
import * as tf from '@tensorflow/tfjs';
import { KERAS_BATCH_NORMALIZATION } from '../../core/layers/batchNormLayer';
import { batchNormTraining, batchNormTrainingAvailable } from '../engine/kernels/batchNormTraining';

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
  const Base = tf.serialization.SerializationMap.getMap().classNameMap[KERAS_BATCH_NORMALIZATION][0] as unknown as LayerClass;
  class FastBatchNormalization extends Base {
    override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor | tf.Tensor[] {
      const self = this as unknown as BatchNormInternals;
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const lastAxis = self.axis === -1 || self.axis === x.rank - 1;
      if (!kwargs?.training || !lastAxis || x.dtype !== 'float32' || !self.gamma || !self.beta || !batchNormTrainingAvailable()) return super.call(inputs, kwargs);
      return tf.tidy(() => {
        const outputs = batchNormTraining(x, self.gamma!.read(), self.beta!.read(), self.movingMean.read(), self.movingVariance.read(), self.epsilon, self.momentum);
        self.movingMean.write(outputs[3]);
        self.movingVariance.write(outputs[4]);
        return outputs[0];
      });
    }
  }
  fastBatchNorm = FastBatchNormalization;
  return fastBatchNorm;
}
