import type { ResolvedTrainingSettings } from '../trainer/resolveTrainingSettings';
import type { DownloadProgress } from './downloadFile';
import { fitImagesToShape } from './fitImagesToShape';
import type { ImageDataset } from './imageDataset';
import { datasetSources, loadDataset } from './loadDataset';
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
export async function loadRunData(request: RunDataRequest): Promise<{ dataset: ImageDataset; data: PreparedData; sources: ReturnType<typeof datasetSources> }> {
  const { settings, inputShape, outputShape } = request;
  const datasetRequest = { name: settings.dataset, path: settings.datasetPath, cacheDir: request.datasetCacheDir };
  let dataset = await loadDataset({ ...datasetRequest, inputShape, seed: settings.seed, onLog: request.onLog, onDownload: request.onDownload });
  const sources = datasetSources(datasetRequest, dataset);
  const imageSize = dataset.shape[0] * dataset.shape[1] * dataset.shape[2];
  if (inputShape.length === 3) dataset = fitImagesToShape(dataset, inputShape as [number, number, number]);
  else if (inputShape.reduce((a, b) => a * b, 1) !== imageSize) {
    throw new Error(`The design's input [${inputShape.join(', ')}] does not fit ${dataset.id} images (${dataset.shape.join('×')}).`);
  }
  const classCount = dataset.classNames.length;
  // Checked before anything is written: a run that cannot score its classes leaves no run folder.
  if (outputShape[0] !== classCount) throw new Error(classCountMismatch(outputShape[0], dataset.id, classCount));
  const data = prepareData(dataset, {
    validationSplit: settings.validationSplit,
    standardize: settings.standardize,
    seed: settings.seed,
    maxTrain: request.limits?.maxTrainImages,
    maxTest: request.limits?.maxTestImages,
  });
  return { dataset, data, sources };
}

/** The error for an output layer whose units are not the dataset's classes, with its fix. */
export function classCountMismatch(units: number, datasetId: string, classCount: number): string {
  return `The output has ${units} units but ${datasetId} has ${classCount} classes: set the last layer's units to ${classCount}.`;
}
