import { createHash } from 'node:crypto';

/** Images of one split as 8-bit pixels, count × height × width × channels (channels last), and their class indices. */
export interface ImageSet {
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** A labelled image dataset with a fixed train/test split, as every reader returns it. */
export interface ImageDataset {
  /** Stable identity, e.g. `mnist-sample`, `cifar10`, `folder:/path`. */
  id: string;
  description: string;
  /** [height, width, channels]. */
  shape: [number, number, number];
  classNames: string[];
  train: ImageSet;
  test: ImageSet;
}

/** Builds an ImageDataset, checking sizes and labels (its content hash is computed only when a run needs it: see datasetIdentity). */
export function makeImageDataset(fields: ImageDataset): ImageDataset {
  const [h, w, c] = fields.shape;
  for (const [name, set] of [['train', fields.train], ['test', fields.test]] as const) {
    if (set.pixels.length !== set.count * h * w * c) {
      throw new Error(`${fields.id}: ${name} split holds ${set.pixels.length} pixel values, expected ${set.count}×${h}×${w}×${c}`);
    }
    if (set.labels.length !== set.count) throw new Error(`${fields.id}: ${name} split has ${set.labels.length} labels for ${set.count} images`);
    for (let i = 0; i < set.count; i++) {
      if (set.labels[i] >= fields.classNames.length) {
        throw new Error(`${fields.id}: ${name} image ${i} has label ${set.labels[i]} but there are only ${fields.classNames.length} classes`);
      }
    }
  }
  return { id: fields.id, description: fields.description, shape: fields.shape, classNames: fields.classNames, train: fields.train, test: fields.test };
}

/** sha256 over shape, class names, labels and pixels of both splits, so a run can name exactly what it trained on. */
export function datasetContentHash(dataset: ImageDataset): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ shape: dataset.shape, classNames: dataset.classNames, train: dataset.train.count, test: dataset.test.count }));
  for (const set of [dataset.train, dataset.test]) {
    hash.update(set.labels);
    hash.update(set.pixels);
  }
  return hash.digest('hex');
}

/** The first `count` images of a set (views, no copy). */
export function takeImages(set: ImageSet, count: number, shape: [number, number, number]): ImageSet {
  const n = Math.min(count, set.count);
  const size = shape[0] * shape[1] * shape[2];
  return { pixels: set.pixels.subarray(0, n * size), labels: set.labels.subarray(0, n), count: n };
}
