import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { makeImageDataset, type ImageDataset, type ImageSet } from './imageDataset';

/**
 * The embedded MNIST sample: a gzip'd binary file committed with the package so training works offline.
 * Layout (little-endian): magic "CNNMNIST", uint32 version, uint32 rows, uint32 cols, uint32 trainCount,
 * uint32 testCount, then train labels, train pixels, test labels, test pixels (uint8 each).
 */
const MAGIC = 'CNNMNIST';
const VERSION = 1;
const HEADER_BYTES = MAGIC.length + 5 * 4;
export const MNIST_SAMPLE_FILE = 'data/mnist-sample.bin.gz';
export const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Serializes the two splits into the gzip'd embedded format. */
export function encodeMnistSample(train: ImageSet, test: ImageSet, rows = 28, cols = 28): Buffer {
  const size = rows * cols;
  const total = HEADER_BYTES + (train.count + test.count) * (size + 1);
  const out = Buffer.alloc(total);
  out.write(MAGIC, 0, 'latin1');
  let o = MAGIC.length;
  for (const v of [VERSION, rows, cols, train.count, test.count]) {
    out.writeUInt32LE(v, o);
    o += 4;
  }
  for (const set of [train, test]) {
    out.set(set.labels.subarray(0, set.count), o);
    o += set.count;
    out.set(set.pixels.subarray(0, set.count * size), o);
    o += set.count * size;
  }
  // mtime 0 in the gzip header is what zlib writes by default, so the committed file is reproducible.
  return gzipSync(out, { level: 9 });
}

/** Parses the embedded format; `source` names the file in errors. */
export function decodeMnistSample(gz: Buffer, source: string): ImageDataset {
  const raw = gunzipSync(gz);
  if (raw.length < HEADER_BYTES || raw.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error(`${source} is not an embedded MNIST sample`);
  let o = MAGIC.length;
  const [version, rows, cols, trainCount, testCount] = [0, 1, 2, 3, 4].map(() => {
    const v = raw.readUInt32LE(o);
    o += 4;
    return v;
  });
  if (version !== VERSION) throw new Error(`${source}: unsupported version ${version}`);
  const size = rows * cols;
  if (raw.length !== HEADER_BYTES + (trainCount + testCount) * (size + 1)) throw new Error(`${source} is truncated`);
  const read = (count: number): ImageSet => {
    const labels = new Uint8Array(raw.buffer, raw.byteOffset + o, count);
    o += count;
    const pixels = new Uint8Array(raw.buffer, raw.byteOffset + o, count * size);
    o += count * size;
    return { labels, pixels, count };
  };
  const train = read(trainCount);
  const test = read(testCount);
  return makeImageDataset({
    id: 'mnist-sample',
    description: `MNIST sample embedded in the package (${trainCount} train / ${testCount} test digits)`,
    shape: [rows, cols, 1],
    classNames: MNIST_CLASS_NAMES,
    train,
    test,
  });
}

/** Finds the embedded file from wherever this code runs (sources, tests or a bundle in dist/). */
export function embeddedMnistSamplePath(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, MNIST_SAMPLE_FILE);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`The embedded MNIST sample (${MNIST_SAMPLE_FILE}) is missing from the installation; rebuild it with: npx tsx scripts/buildMnistSample.ts`);
}

/** Loads the embedded MNIST sample; no network. */
export function loadMnistSample(path = embeddedMnistSamplePath()): ImageDataset {
  return decodeMnistSample(readFileSync(path), path);
}
