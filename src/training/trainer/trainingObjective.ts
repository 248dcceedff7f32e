import * as tf from '@tensorflow/tfjs';
import { crossEntropy, type OutputKind } from './outputLoss';

/**
 * What a training step minimises and reports, shared by the single-process trainer and every
 * data-parallel replica so that both optimise exactly the same thing: the mean cross-entropy for
 * the output's kind, plus PyTorch-style weight decay (l2/2·Σw² over the trainable weights).
 */
export interface TrainingObjective {
  loss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar;
}

export function trainingObjective(kind: OutputKind, l2: number, trainableWeights: { read(): tf.Tensor }[]): TrainingObjective {
  return {
    loss: (yTrue, yPred) =>
      tf.tidy(() => {
        const ce = crossEntropy(yTrue, yPred, kind);
        if (l2 === 0) return ce;
        const squares = trainableWeights.map((w) => tf.sum(tf.square(w.read())));
        return tf.add(ce, tf.mul(l2 / 2, tf.addN(squares))) as tf.Scalar;
      }),
  };
}
