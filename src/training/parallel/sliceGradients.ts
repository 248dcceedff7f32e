import * as tf from '@tensorflow/tfjs';
import { heapFloats } from '../engine/kernels/wasm/wasmTrainingKernels';
import { leanVariableGrads } from './leanVariableGrads';
import { modelSampleShapes } from '../compile/modelSampleShapes';
import { rankOutput } from '../trainer/outputLoss';
import type { TrainingObjective } from '../trainer/trainingObjective';

/** One replica's share of a batch: the gradient of its mean loss, flattened, and its metric sums. */
export interface SliceGradients {
  /** Every trainable weight's gradient, concatenated in `model.trainableWeights` order (the `into` buffer when one was given). */
  gradients: Float32Array;
  count: number;
  lossSum: number;
  /** Samples whose highest output is the true class. */
  correct: number;
  /** Samples whose true class is among the 5 highest outputs. */
  top5: number;
}

/** The variables a model trains, in the fixed order gradients are packed in. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Top-1 and top-5 hits of a batch of outputs (first maximum wins; ties count against top-5). */
export function countHits(outputs: Float32Array, labels: ArrayLike<number>, classes: number): { correct: number; top5: number } {
  let correct = 0;
  let top5 = 0;
  for (let i = 0; i < labels.length; i++) {
    const { predicted, outranking } = rankOutput(outputs, i * classes, classes, labels[i]);
    if (predicted === labels[i]) correct++;
    if (outranking < 5) top5++;
  }
  return { correct, top5 };
}

/**
 * Forward and backward pass over one slice in training mode (dropout on, batch-norm statistics
 * updated from the slice), without touching the weights: they change only when the mean gradient
 * is applied, identically on every replica. Metrics are counted from the outputs read back,
 * which costs fewer kernel calls than computing them in the graph.
 */
export function sliceGradients(model: tf.LayersModel, objective: TrainingObjective, pixels: Float32Array, labels: Int32Array, classCount: number, into?: Float32Array): SliceGradients {
  const count = labels.length;
  const inputShape = modelSampleShapes(model).input.shape;
  const variables = trainableVariables(model);
  const gradients = into ?? new Float32Array(variables.reduce((n, v) => n + v.size, 0));
  let output: tf.Tensor | undefined;
  const loss = tf.tidy(() => {
    const xs = tf.tensor(pixels, [count, ...inputShape]);
    const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), classCount);
    const { value, grads } = leanVariableGrads(() => {
      output = tf.keep(model.apply(xs, { training: true }) as tf.Tensor);
      return objective.loss(ys, output) as tf.Scalar;
    }, variables);
    // Each gradient is copied straight from the engine into the packed vector: no concatenated
    // tensor and no intermediate array, which on ResNet-18 would each be another 47 MB.
    let offset = 0;
    for (const [i, v] of variables.entries()) {
      const grad = grads[i];
      // A weight the loss does not reach (a dangling branch) gets a zero gradient, as in PyTorch.
      if (grad) copyValues(grad, gradients, offset);
      else gradients.fill(0, offset, offset + v.size);
      offset += v.size;
    }
    return value;
  });
  try {
    // Synchronous reads: the replicas serve steps from a blocking loop, and the engines this runs on compute synchronously anyway.
    const classes = output!.shape[output!.shape.length - 1] as number;
    return { gradients, count, lossSum: loss.dataSync()[0] * count, ...countHits(output!.dataSync() as Float32Array, labels, classes) };
  } finally {
    tf.dispose([loss, output!]);
  }
}

/** Copies a float32 tensor's values into `target` at `offset`, from the wasm engine's heap without an intermediate array. */
function copyValues(tensor: tf.Tensor, target: Float32Array, offset: number): void {
  if (tf.getBackend() === 'wasm') target.set(heapFloats(tf.backend(), tensor), offset);
  else target.set(tensor.dataSync() as Float32Array, offset);
}
