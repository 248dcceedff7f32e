import type { ImageDataset, ImageSet } from './imageDataset';
import { SeededRandom } from './seededRandom';

/** Per-channel scaling applied to every split: x = (pixel / 255 - mean[c]) / std[c]. */
export interface Normalization {
  mean: number[];
  std: number[];
}

/** Augmentation of training batches only (the course's torchvision transforms). */
export interface Augmentation {
  horizontalFlip?: boolean;
  /** Largest shift as a fraction of height/width (RandomAffine's translate), filled with black. */
  translate?: number;
  /** Zero padding before a random crop back to the original size (RandomCrop's padding), in pixels. */
  cropPadding?: number;
}

/** The splits a run trains, validates and tests on, with the normalization fitted on the training split. */
export interface PreparedData {
  shape: [number, number, number];
  classCount: number;
  train: ImageSet;
  validation: ImageSet;
  test: ImageSet;
  normalization: Normalization;
}

/** Copies the images at `indices` into a new set. */
export function selectImages(set: ImageSet, indices: ArrayLike<number>, imageSize: number): ImageSet {
  const pixels = new Uint8Array(indices.length * imageSize);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    pixels.set(set.pixels.subarray(j * imageSize, (j + 1) * imageSize), i * imageSize);
    labels[i] = set.labels[j];
  }
  return { pixels, labels, count: indices.length };
}

/**
 * Per-channel mean and standard deviation of pixel/255 over a set. Computed on the training split only
 * and then applied to validation and test, so no information from held-out data leaks into training.
 */
export function fitNormalization(set: ImageSet, channels: number): Normalization {
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  const { pixels } = set;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i] / 255;
    const c = i % channels;
    sum[c] += v;
    sumSq[c] += v * v;
  }
  const n = pixels.length / channels;
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(sumSq, (s, c) => Math.sqrt(Math.max(s / n - mean[c] * mean[c], 0)) || 1);
  return { mean, std };
}

/**
 * Splits off a seeded validation subset of the training split (fraction in [0, 1)), optionally limits
 * the number of training/test images (for quick runs), and fits the normalization on what remains for
 * training.
 */
export function prepareData(
  dataset: ImageDataset,
  options: { validationSplit?: number; standardize?: boolean; seed: number; maxTrain?: number; maxTest?: number },
): PreparedData {
  const [h, w, c] = dataset.shape;
  const size = h * w * c;
  const split = options.validationSplit ?? 0;
  if (!(split >= 0 && split < 1)) throw new Error(`validationSplit must be in [0, 1), got ${split}`);
  const random = new SeededRandom(options.seed);
  const order = random.permutation(dataset.train.count);
  const validationCount = Math.round(dataset.train.count * split);
  const trainIndices = order.subarray(validationCount, validationCount + Math.min(options.maxTrain ?? Infinity, dataset.train.count - validationCount));
  // Zero samples would "train" with a NaN loss and report success.
  if (trainIndices.length === 0) {
    throw new Error(
      `${dataset.id}: the training split has no samples${validationCount ? ` left after holding out ${validationCount} for validation` : ''}; there is nothing to train on.`,
    );
  }
  const train = selectImages(dataset.train, trainIndices, size);
  const validation = selectImages(dataset.train, order.subarray(0, validationCount), size);
  const testCount = Math.min(options.maxTest ?? Infinity, dataset.test.count);
  const test: ImageSet = {
    pixels: dataset.test.pixels.subarray(0, testCount * size),
    labels: dataset.test.labels.subarray(0, testCount),
    count: testCount,
  };
  const normalization = options.standardize === false ? { mean: Array(c).fill(0), std: Array(c).fill(1) } : fitNormalization(train, c);
  return { shape: dataset.shape, classCount: dataset.classNames.length, train, validation, test, normalization };
}
