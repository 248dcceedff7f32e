import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { makeImageDataset, type ImageDataset, type ImageSet } from './imageDataset';
import { maybeGunzip } from './maybeGunzip';
import { readDatasetFile } from './readDatasetFile';
import { readTar } from './tarReader';

export const CIFAR10_CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;
const TRAIN_BATCHES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_BATCH = 'test_batch.bin';

/** Decodes CIFAR-10 binary batches (label byte + R, G, B planes per record) into channels-last pixels. */
export function decodeCifar10Batches(batches: { name: string; data: Buffer }[]): ImageSet {
  let count = 0;
  for (const b of batches) {
    if (b.data.length % RECORD !== 0) throw new Error(`${b.name}: ${b.data.length} bytes is not a whole number of ${RECORD}-byte CIFAR-10 records`);
    count += b.data.length / RECORD;
  }
  const pixels = new Uint8Array(count * PLANE * 3);
  const labels = new Uint8Array(count);
  let i = 0;
  for (const b of batches) {
    for (let r = 0; r + RECORD <= b.data.length; r += RECORD, i++) {
      const label = b.data[r];
      if (label >= CIFAR10_CLASS_NAMES.length) throw new Error(`${b.name}: record ${r / RECORD} has label ${label} (expected 0–9)`);
      labels[i] = label;
      const out = i * PLANE * 3;
      for (let p = 0; p < PLANE; p++) {
        pixels[out + p * 3] = b.data[r + 1 + p];
        pixels[out + p * 3 + 1] = b.data[r + 1 + PLANE + p];
        pixels[out + p * 3 + 2] = b.data[r + 1 + 2 * PLANE + p];
      }
    }
  }
  return { pixels, labels, count };
}

/**
 * Reads CIFAR-10's binary version from the downloaded `cifar-10-binary.tar.gz`, or from a folder holding
 * the extracted `data_batch_1.bin` … `test_batch.bin` (directly or in `cifar-10-batches-bin/`).
 */
export function readCifar10(path: string): ImageDataset {
  const files = new Map<string, Buffer>();
  if (statSync(path).isDirectory()) {
    const folder = existsSync(join(path, 'cifar-10-batches-bin')) ? join(path, 'cifar-10-batches-bin') : path;
    for (const name of [...TRAIN_BATCHES, TEST_BATCH]) {
      const file = join(folder, name);
      if (!existsSync(file)) throw new Error(`${folder}: missing ${name} (CIFAR-10 binary version)`);
      files.set(name, readDatasetFile(file));
    }
  } else {
    for (const entry of readTar(maybeGunzip(readDatasetFile(path), path), path)) files.set(basename(entry.name), entry.data);
    for (const name of [...TRAIN_BATCHES, TEST_BATCH]) if (!files.has(name)) throw new Error(`${path}: the archive has no ${name} (is it the CIFAR-10 binary version?)`);
  }
  const batch = (name: string) => ({ name, data: files.get(name) as Buffer });
  return makeImageDataset({
    id: 'cifar10',
    description: 'CIFAR-10 (binary version)',
    shape: [SIDE, SIDE, 3],
    classNames: CIFAR10_CLASS_NAMES,
    train: decodeCifar10Batches(TRAIN_BATCHES.map(batch)),
    test: decodeCifar10Batches([batch(TEST_BATCH)]),
  });
}
