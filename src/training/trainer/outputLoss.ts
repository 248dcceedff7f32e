import * as tf from '@tensorflow/tfjs';
import { activationOfLayer } from '../../core/layers/kerasActivations';

/** What the model's output holds, which decides the loss (as PyTorch's CrossEntropyLoss / NLLLoss would be used). */
export type OutputKind = 'probabilities' | 'logProbabilities' | 'logits';

/** Reads the output kind from the model's last layer: softmax → probabilities, log-softmax → log-probabilities, anything else → logits. */
export function outputKindOf(model: tf.LayersModel): OutputKind {
  const layer = model.outputLayers[0];
  const config = layer.getConfig() as Record<string, unknown>;
  const get = (key: string): unknown => config[key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] ?? config[key];
  // A stand-alone activation layer, else the activation fused into the layer.
  const fn = activationOfLayer(layer.getClassName(), get) ?? activationOfLayer('Activation', get);
  if (fn === 'logSoftmax') return 'logProbabilities';
  if (fn === 'softmax') return 'probabilities';
  return 'logits';
}

const EPSILON = 1e-7;

/** Per-sample log-probabilities of every class, as a tensor (for the training loss). */
export function logProbabilities(output: tf.Tensor, kind: OutputKind): tf.Tensor {
  switch (kind) {
    case 'logProbabilities':
      return output;
    case 'probabilities':
      return tf.log(tf.clipByValue(output, EPSILON, 1));
    case 'logits':
      return tf.logSoftmax(output);
  }
}

/** Mean cross-entropy of one-hot targets: categorical CE for softmax, NLL for log-softmax, CE from logits otherwise. */
export function crossEntropy(oneHot: tf.Tensor, output: tf.Tensor, kind: OutputKind): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logProbabilities(output, kind)), -1))) as tf.Scalar);
}

/** The same per-sample log-probability on plain numbers (for evaluation on downloaded outputs). */
export function logProbabilityOf(row: Float32Array, offset: number, classes: number, label: number, kind: OutputKind): number {
  const v = row[offset + label];
  if (kind === 'logProbabilities') return v;
  if (kind === 'probabilities') return Math.log(Math.min(Math.max(v, EPSILON), 1));
  let max = -Infinity;
  for (let k = 0; k < classes; k++) max = Math.max(max, row[offset + k]);
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += Math.exp(row[offset + k] - max);
  return v - max - Math.log(sum);
}

/**
 * The predicted class of one output row (the first maximum) and how many classes score strictly
 * above the true one (0: top-1 hit; under 5: top-5 hit, ties counting against).
 */
export function rankOutput(row: ArrayLike<number>, offset: number, classes: number, label: number): { predicted: number; outranking: number } {
  let predicted = 0;
  let outranking = 0;
  for (let k = 0; k < classes; k++) {
    if (row[offset + k] > row[offset + predicted]) predicted = k;
    if (row[offset + k] > row[offset + label]) outranking++;
  }
  return { predicted, outranking };
}
