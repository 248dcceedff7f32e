import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeImageDataset, type ImageDataset, type ImageSet } from './imageDataset';
import { maybeGunzip } from './maybeGunzip';
import { readDatasetFile } from './readDatasetFile';

/** An IDX array of unsigned bytes (the MNIST file format): its dimensions and data. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/** Parses IDX bytes (gzip'd or not); only the unsigned-byte type that MNIST and Fashion-MNIST use. */
export function parseIdx(fileBytes: Buffer, source: string): IdxArray {
  const bytes = maybeGunzip(fileBytes, source);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${source}: not an IDX file (bad magic number)`);
  if (bytes[2] !== UBYTE) throw new Error(`${source}: IDX element type 0x${bytes[2].toString(16)} is not supported (only unsigned bytes)`);
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  if (rank < 1 || bytes.length < headerBytes) throw new Error(`${source}: truncated IDX header`);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(bytes.readUInt32BE(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== headerBytes + size) {
    throw new Error(`${source}: IDX header announces ${dims.join('×')} = ${size} values but the file holds ${bytes.length - headerBytes}`);
  }
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, size) };
}

/** Reads one split from an images IDX file and a labels IDX file. */
export function readIdxSplit(imagesPath: string, labelsPath: string): { set: ImageSet; rows: number; cols: number } {
  const images = parseIdx(readDatasetFile(imagesPath), imagesPath);
  const labels = parseIdx(readDatasetFile(labelsPath), labelsPath);
  if (images.dims.length !== 3) throw new Error(`${imagesPath}: expected a 3-dimensional IDX array (count × rows × cols), found ${images.dims.length} dimensions`);
  if (labels.dims.length !== 1) throw new Error(`${labelsPath}: expected a 1-dimensional IDX array of labels`);
  if (labels.dims[0] !== images.dims[0]) throw new Error(`${labelsPath} holds ${labels.dims[0]} labels but ${imagesPath} holds ${images.dims[0]} images`);
  return { set: { pixels: images.data, labels: labels.data, count: images.dims[0] }, rows: images.dims[1], cols: images.dims[2] };
}

/** The standard IDX file names; each may also be present with a .gz suffix. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

function findIdxFile(folder: string, base: string): string {
  // Some archives name the files with a dot before "idx" (e.g. t10k-images.idx3-ubyte); accept both.
  const names = [base, base.replace('-idx', '.idx')].flatMap((n) => [n, `${n}.gz`]);
  for (const name of names) {
    const path = join(folder, name);
    if (existsSync(path)) return path;
  }
  throw new Error(`${folder}: missing ${base} (or ${base}.gz)`);
}

/** Reads an MNIST-layout folder (MNIST, Fashion-MNIST) of the four standard IDX files. */
export function readIdxFolder(folder: string, id: string, classNames: string[], description: string): ImageDataset {
  const train = readIdxSplit(findIdxFile(folder, IDX_FILES.trainImages), findIdxFile(folder, IDX_FILES.trainLabels));
  const test = readIdxSplit(findIdxFile(folder, IDX_FILES.testImages), findIdxFile(folder, IDX_FILES.testLabels));
  if (train.rows !== test.rows || train.cols !== test.cols) throw new Error(`${folder}: train images are ${train.rows}×${train.cols} but test images are ${test.rows}×${test.cols}`);
  return makeImageDataset({ id, description, shape: [train.rows, train.cols, 1], classNames, train: train.set, test: test.set });
}
