import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TRAINING_DATASETS } from '../../core/training/trainingSettingsSpec';
import { readCifar10 } from './cifar10Reader';
import type { DownloadProgress } from './downloadFile';
import type { ImageDataset } from './imageDataset';
import { readIdxFolder } from './idxReader';
import { readImageFolder } from './imageFolderReader';
import { embeddedMnistSamplePath, loadMnistSample } from './mnistSampleFile';
import { defaultDatasetCache, fetchStandardDataset, FASHION_MNIST_CLASS_NAMES, STANDARD_DATASETS } from './standardDatasets';

/** The dataset names a design's `training.dataset` (or `--dataset`) may use: the training settings specification's. */
export const DATASET_NAMES = TRAINING_DATASETS;

export interface LoadDatasetRequest {
  /** One of DATASET_NAMES; undefined means the embedded MNIST sample. */
  name?: string;
  /** Local files: the IDX folder, the CIFAR-10 archive/folder or the image folder. Without it standard datasets are downloaded. */
  path?: string;
  /** The design's input shape [H, W, C] (image folders are resized to it). */
  inputShape: number[];
  seed: number;
  cacheDir?: string;
  onLog?: (message: string) => void;
  onDownload?: (p: DownloadProgress & { file: string; fileIndex: number; fileCount: number }) => void;
  signal?: AbortSignal;
}

/** Loads the dataset a run asks for: the embedded sample, local standard files, a download or an image folder. */
export async function loadDataset(request: LoadDatasetRequest): Promise<ImageDataset> {
  const name = request.name ?? 'mnist-sample';
  const { path } = request;
  if (path && !existsSync(path)) throw new Error(`Dataset path not found: ${path}`);
  switch (name) {
    case 'mnist-sample':
      return loadMnistSample();
    case 'mnist':
    case 'fashion-mnist': {
      if (path) {
        if (!statSync(path).isDirectory()) throw new Error(`${path}: expected a folder holding the four ${name} IDX files`);
        return name === 'mnist'
          ? readIdxFolder(path, 'mnist', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], `MNIST from ${path}`)
          : readIdxFolder(path, 'fashion-mnist', FASHION_MNIST_CLASS_NAMES, `Fashion-MNIST from ${path}`);
      }
      return download(name, request);
    }
    case 'cifar10':
      return path ? readCifar10(path) : download(name, request);
    case 'imagefolder': {
      if (!path) throw new Error(`dataset "${name}" needs a path (training.datasetPath or --dataset-path): one subfolder per class`);
      const [h, w, c] = request.inputShape;
      if (request.inputShape.length !== 3) throw new Error(`image folders need a design with an image input [H, W, C], not [${request.inputShape.join(', ')}]`);
      return readImageFolder(path, [h, w, c], { seed: request.seed });
    }
    default:
      throw new Error(`Unknown dataset "${name}": use one of ${DATASET_NAMES.join(', ')}`);
  }
}

/**
 * The files a loaded dataset was read from (what its identity is remembered by): the embedded
 * sample's file, the dataset path, or the download cache's folder of that dataset.
 */
export function datasetSources(request: Pick<LoadDatasetRequest, 'name' | 'path' | 'cacheDir'>, loaded: Pick<ImageDataset, 'id'>): string[] {
  // Offline, `mnist` falls back to the embedded sample: the sample is then what was read.
  if (loaded.id === 'mnist-sample') return [embeddedMnistSamplePath()];
  if (request.path) return [resolve(request.path)];
  const name = request.name ?? 'mnist-sample';
  return STANDARD_DATASETS.some((d) => d.id === name) ? [join(request.cacheDir ?? defaultDatasetCache(), name)] : [];
}

async function download(id: 'mnist' | 'fashion-mnist' | 'cifar10', request: LoadDatasetRequest): Promise<ImageDataset> {
  const dataset = STANDARD_DATASETS.find((d) => d.id === id);
  if (!dataset) throw new Error(`no download source for ${id}`);
  try {
    return await fetchStandardDataset(dataset, { cacheDir: request.cacheDir, onProgress: request.onDownload, signal: request.signal });
  } catch (err) {
    // Offline on a fresh machine, the course's MNIST designs still train: on the embedded real MNIST sample.
    if (id === 'mnist' && !request.signal?.aborted) {
      request.onLog?.(`${(err as Error).message}. Training on the embedded MNIST sample instead.`);
      return loadMnistSample();
    }
    throw new Error(`${dataset.description} could not be downloaded (${(err as Error).message}). Download it when online, or point the dataset path at local files.`);
  }
}
