import * as tf from '@tensorflow/tfjs';
import type { ResolvedTrainingSettings } from './resolveTrainingSettings';

/** The optimizer with PyTorch's defaults (Adam betas 0.9/0.999, eps 1e-8; RMSprop alpha 0.99), so runs compare with the course's. */
export function createOptimizer(settings: ResolvedTrainingSettings): tf.Optimizer {
  switch (settings.optimizer) {
    case 'sgd':
      return settings.momentum > 0 ? tf.train.momentum(settings.learningRate, settings.momentum) : tf.train.sgd(settings.learningRate);
    case 'adam':
      return tf.train.adam(settings.learningRate, 0.9, 0.999, 1e-8);
    case 'rmsprop':
      return tf.train.rmsprop(settings.learningRate, 0.99, settings.momentum, 1e-8);
  }
}

/** Changes the learning rate of a live optimizer (the schedules step it once per epoch). */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const withSetter = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof withSetter.setLearningRate === 'function') withSetter.setLearningRate(learningRate);
  else withSetter.learningRate = learningRate;
}
