import { BatchFeeder } from '../data/batchFeeder';
import { EventLoopTurns } from './EventLoopTurns';
import type { ImageSet } from '../data/imageDataset';
import { logProbabilityOf, rankOutput, type OutputKind } from './outputLoss';
import type { TestImage, TestMetrics } from './trainingReport';

/** Loss, top-1 and top-5 accuracy and the predicted class of every image of a set (inference mode: no dropout). */
export interface SetEvaluation {
  loss: number;
  accuracy: number;
  top5: number;
  predictions: Uint8Array;
  confidences: Float32Array;
}

/**
 * What evaluation runs a batch through: the model's inference outputs for `count` samples, in batch
 * order (a ReplicaGroup's `predictBatch`, which splits the batch over the data-parallel copies).
 */
export type BatchPredictor = (pixels: Float32Array, count: number) => Promise<Float32Array>;

/** Runs the model over a set in batches, reading outputs back to compute the metrics on plain numbers. */
export async function evaluateSet(
  predict: BatchPredictor,
  set: ImageSet,
  feeder: BatchFeeder,
  batchSize: number,
  kind: OutputKind,
  shouldStop: () => boolean = () => false,
): Promise<SetEvaluation> {
  let lossSum = 0;
  let correct = 0;
  let top5 = 0;
  const predictions = new Uint8Array(set.count);
  const confidences = new Float32Array(set.count);
  const turns = new EventLoopTurns();
  for (let start = 0; start < set.count; start += batchSize) {
    await turns.maybeYield();
    if (shouldStop()) break;
    const batch = feeder.batch(set, undefined, start);
    const values = await predict(batch.pixels, batch.count);
    const classes = values.length / batch.count;
    for (let i = 0; i < batch.count; i++) {
      const o = i * classes;
      const label = batch.labels[i];
      lossSum -= logProbabilityOf(values, o, classes, label, kind);
      const { predicted, outranking } = rankOutput(values, o, classes, label);
      if (predicted === label) correct++;
      if (outranking < 5) top5++;
      predictions[start + i] = predicted;
      confidences[start + i] = Math.exp(logProbabilityOf(values, o, classes, predicted, kind));
    }
  }
  const n = Math.max(set.count, 1);
  return { loss: lossSum / n, accuracy: correct / n, top5: top5 / n, predictions, confidences };
}

/**
 * Confusion matrix, per-class accuracy, a sample of misclassified images and a gallery of the first
 * `galleryPerClass` test images of each class (deterministic: test-set order, grouped by class) from a
 * test evaluation.
 */
export function testMetrics(set: ImageSet, evaluation: SetEvaluation, classCount: number, imageSize: number, maxMisclassified = 24, galleryPerClass = 4): TestMetrics {
  const confusion = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  const misclassified: TestImage[] = [];
  const galleryByClass: TestImage[][] = Array.from({ length: classCount }, () => []);
  const image = (i: number): TestImage => ({
    index: i,
    trueLabel: set.labels[i],
    predictedLabel: evaluation.predictions[i],
    confidence: evaluation.confidences[i],
    pixels: Array.from(set.pixels.subarray(i * imageSize, (i + 1) * imageSize)),
  });
  for (let i = 0; i < set.count; i++) {
    const truth = set.labels[i];
    const predicted = evaluation.predictions[i];
    confusion[truth][predicted]++;
    if (truth !== predicted && misclassified.length < maxMisclassified) misclassified.push(image(i));
    if (galleryByClass[truth].length < galleryPerClass) galleryByClass[truth].push(image(i));
  }
  const perClassAccuracy = confusion.map((row, k) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : row[k] / total;
  });
  return { loss: evaluation.loss, accuracy: evaluation.accuracy, top5: evaluation.top5, confusion, perClassAccuracy, misclassified, gallery: galleryByClass.flat() };
}
