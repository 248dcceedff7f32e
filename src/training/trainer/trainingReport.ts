/** Plain-data records a training run reports. They cross the process boundary, so only JSON-safe fields. */

/** Emitted at least every half second while batches run. */
export interface TrainingProgress {
  /** 1-based epoch and batch within it. */
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Running mean over the epoch so far. */
  loss: number;
  accuracy: number;
  samplesPerSecond: number;
  /** Seconds left for the whole run at the current speed. */
  etaSeconds: number;
  learningRate: number;
}

/** One finished epoch. Validation fields are absent when the run has no validation split. */
export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  trainTop5: number;
  validationLoss?: number;
  validationAccuracy?: number;
  validationTop5?: number;
  learningRate: number;
  seconds: number;
  samplesPerSecond: number;
  /** Live TF.js tensors and resident memory at the end of the epoch: flat over epochs when nothing leaks. */
  tensors: number;
  residentMegabytes: number;
}

/** A test image with the trained model's prediction for it. */
export interface TestImage {
  /** Position in the test set. */
  index: number;
  trueLabel: number;
  predictedLabel: number;
  /** The model's probability for the predicted class. */
  confidence: number;
  /** uint8 pixels, height × width × channels, as in the dataset. */
  pixels: number[];
}

/** A test image the trained model got wrong. */
export type MisclassifiedImage = TestImage;

/** The first convolution's kernels as images: each filter's channels min–max scaled to 0–255 on its own. */
export interface FilterImages {
  layerName: string;
  height: number;
  width: number;
  inChannels: number;
  /** One entry per output filter: height × width × inChannels bytes. */
  filters: number[][];
}

export interface TestMetrics {
  loss: number;
  accuracy: number;
  top5: number;
  /** confusion[true][predicted] = count. */
  confusion: number[][];
  perClassAccuracy: number[];
  misclassified: MisclassifiedImage[];
  /**
   * A fixed sample of the test set to pick feature-map images from: the first few test images of each
   * class (in test-set order, classes ascending), right or wrong. Absent in runs made before it existed.
   */
  gallery?: TestImage[];
}

/** `running`: only in the metrics.json written after each epoch; a past run still saying so was interrupted. */
export type RunStatus = 'running' | 'completed' | 'cancelled' | 'diverged';

/** Everything a run reports; also written as metrics.json in its run folder. */
export interface TrainingResult {
  status: RunStatus;
  /** Why the run stopped early, in words (cancelled, early stopping, non-finite loss). */
  stopReason?: string;
  epochs: EpochMetrics[];
  /** Absent when no epoch completed. */
  test?: TestMetrics;
  firstConvFilters?: FilterImages;
  classNames: string[];
  imageShape: number[];
  wallSeconds: number;
  /** Seconds from the start of the run to the end of its first training batch. */
  secondsToFirstBatch?: number;
  backend: string;
  runFolder?: string;
}

/** Top-5 accuracy says something only with more than 5 classes (with 5 or fewer it is always 100%): shown only then. */
export const showsTop5 = (classCount: number): boolean => classCount > 5;
