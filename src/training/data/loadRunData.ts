import type { ResolvedTrainingSettings } from '../trainer/resolveTrainingSettings';
import type { DownloadProgress } from './downloadFile';
import { fitImagesToShape } from './fitImagesToShape';
import type { ImageDataset } from './imageDataset';
import { loadDataset } from './loadDataset';
import { prepareData, type PreparedData } from './prepareData';

export interface RunDataRequest {
  settings: ResolvedTrainingSettings;
  /** The model's input and output shapes without the batch axis. */
  inputShape: number[];
  outputShape: number[];
  limits?: { maxTrainImages?: number; maxTestImages?: number };
  datasetCacheDir?: string;
  onLog(message: string): void;
  onDownload?(progress: DownloadProgress & { file: string; fileIndex: number; fileCount: number }): void;
}

/**
 * The data of a run, whichever engine trains it: the dataset loaded (or downloaded), fitted to the
 * design's input, checked against its output, split and standardized. Every engine trains on what
 * this returns, so a seed means the same splits and normalization on all of them.
 */
export async function loadRunData(request: RunDataRequest): Promise<{ dataset: ImageDataset; data: PreparedData }> {
  const { settings, inputShape, outputShape } = request;
  let dataset = await loadDataset({
    name: settings.dataset,
    path: settings.datasetPath,
    inputShape,
    seed: settings.seed,
    cacheDir: request.datasetCacheDir,
    onLog: request.onLog,
    onDownload: request.onDownload,
  });
  const imageSize = dataset.shape[0] * dataset.shape[1] * dataset.shape[2];
  if (inputShape.length === 3) dataset = fitImagesToShape(dataset, inputShape as [number, number, number]);
  else if (inputShape.reduce((a, b) => a * b, 1) !== imageSize) {
    throw new Error(`The design's input [${inputShape.join(', ')}] does not fit ${dataset.id} images (${dataset.shape.join('×')}).`);
  }
  const classCount = dataset.classNames.length;
  if (outputShape[0] < classCount) throw new Error(`The output has ${outputShape[0]} units but ${dataset.id} has ${classCount} classes: set the last layer's units to ${classCount}.`);
  if (outputShape[0] > classCount) request.onLog(`The output has ${outputShape[0]} units for ${classCount} classes; the extra units are never a correct answer.`);
  const data = prepareData(dataset, {
    validationSplit: settings.validationSplit,
    standardize: settings.standardize,
    seed: settings.seed,
    maxTrain: request.limits?.maxTrainImages,
    maxTest: request.limits?.maxTestImages,
  });
  return { dataset, data };
}
