/**
 * The gradient of TF.js' FusedBatchNorm with per-channel statistics, in fewer full-size passes: the
 * built-in one tiles 1/√(var+ε) to the input's whole shape and makes eleven passes over
 * activation-sized tensors; this one makes five (x − mean, dy·(x − mean), two channel sums, and
 * dy times one per-channel factor), broadcasting the rest over channels. The maths is unchanged:
 *   dx = dy·γ/σ,  dmean = −Σdy·γ/σ,  dvar = −½·Σ(dy·(x−mean))·γ/σ³,  dγ = Σ(dy·(x−mean))/σ,  dβ = Σdy
 * with σ = √(var+ε) and sums over every axis but the channels'. Other statistic shapes keep the
 * built-in gradient. On a MobileNetV2 training step (32×32, wasm) batch norm took half the step.
 */
import * as tf from '@tensorflow/tfjs';
import { getGradient, registerGradient, type GradConfig, type NamedAttrMap } from '@tensorflow/tfjs';

let registered = false;

/** Replaces TF.js' FusedBatchNorm gradient by the one above (idempotent). */
export function registerBatchNormGradient(): void {
  if (registered) return;
  const builtIn = getGradient('FusedBatchNorm');
  if (!builtIn) return;
  const gradient: GradConfig = {
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
      const [x, mean, variance, scale] = saved;
      if (mean.rank !== 1 || variance.rank !== 1 || (scale && scale.rank !== 1)) return builtIn.gradFunc(dy, saved, attrs);
      const grad = dy as tf.Tensor;
      const epsilon = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      const channels = mean.shape as [number];
      const inverseDeviation = tf.rsqrt(tf.add(variance, tf.scalar(epsilon)));
      const gamma = scale ?? tf.onesLike(mean);
      const sumDy = tf.sum(grad, axes);
      const sumDyCentered = tf.sum(tf.mul(grad, tf.sub(x, mean)), axes);
      return {
        x: () => tf.mul(grad, tf.mul(gamma, inverseDeviation)),
        mean: () => tf.reshape(tf.neg(tf.mul(sumDy, tf.mul(gamma, inverseDeviation))), channels),
        variance: () => tf.reshape(tf.mul(tf.scalar(-0.5), tf.mul(sumDyCentered, tf.mul(gamma, tf.pow(inverseDeviation, 3)))), channels),
        scale: () => tf.reshape(tf.mul(sumDyCentered, inverseDeviation), channels),
        offset: () => tf.reshape(sumDy, channels),
      };
    },
  };
  registerGradient(gradient);
  registered = true;
}
