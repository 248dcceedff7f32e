import { homedir } from 'node:os';
import { join } from 'node:path';
import { readCifar10 } from './cifar10Reader';
import { downloadFile, type DownloadProgress } from './downloadFile';
import type { ImageDataset } from './imageDataset';
import { IDX_FILES, readIdxFolder } from './idxReader';

/** A file of a standard dataset, its usual public locations (first that works) and its published MD5. */
export interface StandardFile {
  name: string;
  urls: string[];
  md5: string;
}

/** A downloadable standard dataset. */
export interface StandardDataset {
  id: 'mnist' | 'fashion-mnist' | 'cifar10';
  description: string;
  files: StandardFile[];
  /** Reads the dataset from the folder holding its files. */
  read(folder: string): ImageDataset;
}

const MNIST_MIRRORS = ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/'];
// The S3 website endpoint serves plain HTTP only; the MD5 check guards the content either way.
const FASHION_MIRRORS = ['https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/', 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'];

const idxFiles = (mirrors: string[], md5: [string, string, string, string]): StandardFile[] =>
  [IDX_FILES.trainImages, IDX_FILES.trainLabels, IDX_FILES.testImages, IDX_FILES.testLabels].map((base, i) => ({
    name: `${base}.gz`,
    urls: mirrors.map((m) => `${m}${base}.gz`),
    md5: md5[i],
  }));

export const FASHION_MNIST_CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export const STANDARD_DATASETS: StandardDataset[] = [
  {
    id: 'mnist',
    description: 'MNIST (LeCun, Cortes, Burges): 60,000 train / 10,000 test handwritten digits',
    files: idxFiles(MNIST_MIRRORS, ['f68b3c2dcbeaaa9fbdd348bbdeb94873', 'd53e105ee54ea40749a09fcbcd1e9432', '9fb629c4189551a2d022fa330f9573f3', 'ec29112dd5afa0611ce80d1b7f02629c']),
    read: (folder) => readIdxFolder(folder, 'mnist', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], 'MNIST (60,000 train / 10,000 test)'),
  },
  {
    id: 'fashion-mnist',
    description: 'Fashion-MNIST (Zalando Research): 60,000 train / 10,000 test clothing images',
    files: idxFiles(FASHION_MIRRORS, ['8d4fb7e6c68d591d4c3dfef9ec88bf0d', '25c81989df183df01b3e8a0aad5dffbe', 'bef4ecab320f06d8554ea6380940ec79', 'bb300cfdad3c16e7a12a480ee83cd310']),
    read: (folder) => readIdxFolder(folder, 'fashion-mnist', FASHION_MNIST_CLASS_NAMES, 'Fashion-MNIST (60,000 train / 10,000 test)'),
  },
  {
    id: 'cifar10',
    description: 'CIFAR-10 (Krizhevsky): 50,000 train / 10,000 test 32×32 colour images',
    files: [{ name: 'cifar-10-binary.tar.gz', urls: ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'], md5: 'c32a1d4ab5d03f1284b67883e8d87530' }],
    read: (folder) => readCifar10(join(folder, 'cifar-10-binary.tar.gz')),
  },
];

/** Where downloads are cached unless the caller (e.g. the extension's storage) says otherwise. */
export const defaultDatasetCache = (): string => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cnn-designer', 'datasets');

/** Downloads (or reuses from the cache) every file of a standard dataset and reads it. */
export async function fetchStandardDataset(
  dataset: StandardDataset,
  options: { cacheDir?: string; onProgress?: (p: DownloadProgress & { file: string; fileIndex: number; fileCount: number }) => void; signal?: AbortSignal; urlsFor?: (file: StandardFile) => string[] } = {},
): Promise<ImageDataset> {
  const folder = join(options.cacheDir ?? defaultDatasetCache(), dataset.id);
  for (const [fileIndex, file] of dataset.files.entries()) {
    await downloadFile(options.urlsFor?.(file) ?? file.urls, join(folder, file.name), {
      md5: file.md5,
      signal: options.signal,
      onProgress: (p) => options.onProgress?.({ ...p, file: file.name, fileIndex, fileCount: dataset.files.length }),
    });
  }
  return dataset.read(folder);
}
