// The data side of training: the embedded MNIST sample, the standard-format readers (IDX, CIFAR-10,
// image folders) on files generated here, the downloader against a loopback server, and the
// preprocessing (standardization on the training split, augmentation, seeded splits and batches).
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { BatchFeeder } from '../../src/training/data/batchFeeder';
import { readCifar10 } from '../../src/training/data/cifar10Reader';
import { downloadFile } from '../../src/training/data/downloadFile';
import { fitImagesToShape } from '../../src/training/data/fitImagesToShape';
import { datasetContentHash, makeImageDataset } from '../../src/training/data/imageDataset';
import { parseIdx, readIdxFolder } from '../../src/training/data/idxReader';
import { readImageFolder } from '../../src/training/data/imageFolderReader';
import { loadDataset } from '../../src/training/data/loadDataset';
import { decodeMnistSample, encodeMnistSample, loadMnistSample } from '../../src/training/data/mnistSampleFile';
import { fitNormalization, prepareData } from '../../src/training/data/prepareData';
import { SeededRandom } from '../../src/training/data/seededRandom';
import { fetchStandardDataset, STANDARD_DATASETS, type StandardDataset } from '../../src/training/data/standardDatasets';
import { readTar } from '../../src/training/data/tarReader';
import { idxBytes } from './support/idxBytes';

let scratch: string;
before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'cnn-data-'));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A minimal ustar archive writer for the CIFAR-10 archive tests. */
function tarBytes(files: { name: string; data: Buffer }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const file of files) {
    const header = Buffer.alloc(512);
    header.write(file.name, 0, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${file.data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, file.data, Buffer.alloc((512 - (file.data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const sequence = (n: number, f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i));

describe('the embedded MNIST sample', () => {
  it('holds 8,000 train and 2,000 test real 28×28 digits of all ten classes with a fixed content hash', () => {
    const data = loadMnistSample();
    assert.equal(data.train.count, 8000);
    assert.equal(data.test.count, 2000);
    assert.deepEqual(data.shape, [28, 28, 1]);
    for (const set of [data.train, data.test]) {
      const perClass = new Array(10).fill(0);
      for (const l of set.labels) perClass[l]++;
      // The split is stratified: every digit is about a tenth of each split.
      for (const n of perClass) assert.ok(n > set.count * 0.07 && n < set.count * 0.14, `class counts ${perClass}`);
    }
    // Real digits: mostly black background with bright strokes, not noise.
    const first = data.train.pixels.subarray(0, 784);
    assert.ok(first.filter((v) => v === 0).length > 400);
    assert.ok(first.some((v) => v > 200));
    assert.equal(datasetContentHash(loadMnistSample()), datasetContentHash(data));
  });

  it('round-trips through its file format and rejects a truncated file', () => {
    const train = { pixels: sequence(3 * 784, (i) => i % 251), labels: Uint8Array.from([1, 2, 3]), count: 3 };
    const test = { pixels: sequence(784, (i) => (i * 7) % 256), labels: Uint8Array.from([9]), count: 1 };
    const bytes = encodeMnistSample(train, test);
    const decoded = decodeMnistSample(bytes, 'sample');
    assert.deepEqual(Array.from(decoded.train.pixels), Array.from(train.pixels));
    assert.deepEqual(Array.from(decoded.test.labels), [9]);
    const raw = require('node:zlib').gunzipSync(bytes) as Buffer;
    assert.throws(() => decodeMnistSample(gzipSync(raw.subarray(0, raw.length - 10)), 'cut.bin.gz'), /cut\.bin\.gz is truncated/);
  });
});

describe('IDX reader (MNIST, Fashion-MNIST)', () => {
  it('reads the four standard files, gzip\'d or not, into channels-last uint8 images', () => {
    const folder = join(scratch, 'idx');
    mkdirSync(folder, { recursive: true });
    const trainPixels = sequence(5 * 4 * 3, (i) => i);
    const testPixels = sequence(2 * 4 * 3, (i) => 200 + i);
    writeFileSync(join(folder, 'train-images-idx3-ubyte.gz'), gzipSync(idxBytes([5, 4, 3], trainPixels)));
    writeFileSync(join(folder, 'train-labels-idx1-ubyte'), idxBytes([5], Uint8Array.from([0, 1, 2, 3, 4])));
    writeFileSync(join(folder, 't10k-images-idx3-ubyte'), idxBytes([2, 4, 3], testPixels));
    writeFileSync(join(folder, 't10k-labels-idx1-ubyte.gz'), gzipSync(idxBytes([2], Uint8Array.from([7, 9]))));
    const data = readIdxFolder(folder, 'mnist', '0123456789'.split(''), 'test');
    assert.deepEqual(data.shape, [4, 3, 1]);
    assert.deepEqual(Array.from(data.train.pixels), Array.from(trainPixels));
    assert.deepEqual(Array.from(data.test.labels), [7, 9]);
    assert.deepEqual(Array.from(data.test.pixels.subarray(0, 3)), [200, 201, 202]);
  });

  it('explains bad files: wrong magic, truncated data, a missing file', () => {
    assert.throws(() => parseIdx(Buffer.from([1, 2, 3, 4, 5]), 'x.idx'), /x\.idx: not an IDX file/);
    assert.throws(() => parseIdx(idxBytes([3, 2, 2], new Uint8Array(11)), 'short.idx'), /short\.idx: IDX header announces 3×2×2 = 12 values but the file holds 11/);
    const empty = join(scratch, 'empty-idx');
    mkdirSync(empty, { recursive: true });
    assert.throws(() => readIdxFolder(empty, 'mnist', ['a', 'b'], 't'), /missing train-images-idx3-ubyte/);
  });
});

describe('CIFAR-10 binary reader', () => {
  // Record r of each batch: label r % 10, red plane = r, green = 100 + pixel % 100, blue = 255 - r.
  const batch = (records: number) =>
    Buffer.concat(
      Array.from({ length: records }, (_, r) => {
        const rec = Buffer.alloc(3073);
        rec[0] = r % 10;
        for (let p = 0; p < 1024; p++) {
          rec[1 + p] = r;
          rec[1 + 1024 + p] = 100 + (p % 100);
          rec[1 + 2048 + p] = 255 - r;
        }
        return rec;
      }),
    );
  const names = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat('test_batch.bin');

  it('reads the .tar.gz archive and the extracted folder alike, converting planes to channels-last', () => {
    const files = names.map((name) => ({ name: `cifar-10-batches-bin/${name}`, data: batch(3) }));
    const archive = join(scratch, 'cifar-10-binary.tar.gz');
    writeFileSync(archive, gzipSync(tarBytes(files)));
    const folder = join(scratch, 'cifar-extracted', 'cifar-10-batches-bin');
    mkdirSync(folder, { recursive: true });
    for (const f of files) writeFileSync(join(folder, f.name.split('/')[1]), f.data);
    const fromArchive = readCifar10(archive);
    const fromFolder = readCifar10(join(scratch, 'cifar-extracted'));
    assert.equal(datasetContentHash(fromArchive), datasetContentHash(fromFolder));
    assert.equal(fromArchive.train.count, 15);
    assert.equal(fromArchive.test.count, 3);
    assert.deepEqual(fromArchive.shape, [32, 32, 3]);
    // Image 2 of the first batch, pixel 5: R = 2, G = 105, B = 253.
    const pixel = 2 * 3072 + 5 * 3;
    assert.deepEqual(Array.from(fromArchive.train.pixels.subarray(pixel, pixel + 3)), [2, 105, 253]);
    assert.deepEqual(Array.from(fromArchive.train.labels.subarray(0, 4)), [0, 1, 2, 0]);
  });

  it('lists tar entries with their names and rejects an archive without the batches', () => {
    const entries = readTar(tarBytes([{ name: 'a/b.txt', data: Buffer.from('hello') }]), 't.tar');
    assert.deepEqual(entries.map((e) => [e.name, e.data.toString()]), [['a/b.txt', 'hello']]);
    const wrong = join(scratch, 'wrong.tar.gz');
    writeFileSync(wrong, gzipSync(tarBytes([{ name: 'readme.txt', data: Buffer.from('x') }])));
    assert.throws(() => readCifar10(wrong), /has no data_batch_1\.bin/);
  });
});

describe('image folder reader', () => {
  const solidPng = (w: number, h: number, rgb: [number, number, number]) => {
    const png = new PNG({ width: w, height: h });
    for (let i = 0; i < w * h; i++) png.data.set([...rgb, 255], i * 4);
    return PNG.sync.write(png);
  };
  const solidJpeg = (w: number, h: number, rgb: [number, number, number]) => {
    const data = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([...rgb, 255], i * 4);
    return jpeg.encode({ data, width: w, height: h }, 95).data;
  };

  it('reads one subfolder per class (PNG and JPEG), resizes to the design input and holds out a seeded test split', () => {
    const root = join(scratch, 'folder');
    for (const [cls, rgb] of [['cat', [250, 10, 10]], ['dog', [10, 10, 250]]] as const) {
      mkdirSync(join(root, cls), { recursive: true });
      for (let i = 0; i < 5; i++) {
        writeFileSync(join(root, cls, `${i}.png`), solidPng(20, 12, [...rgb]));
        writeFileSync(join(root, cls, `${i}.jpg`), solidJpeg(9, 9, [...rgb]));
      }
    }
    writeFileSync(join(root, 'cat', 'notes.txt'), 'not an image');
    const data = readImageFolder(root, [8, 8, 3], { seed: 3, testFraction: 0.2 });
    assert.deepEqual(data.classNames, ['cat', 'dog']);
    assert.equal(data.train.count + data.test.count, 20);
    assert.equal(data.test.count, 4);
    for (let i = 0; i < data.train.count; i++) {
      const [r, , b] = data.train.pixels.subarray(i * 192 + 99, i * 192 + 102);
      if (data.train.labels[i] === 0) assert.ok(r > 200 && b < 60, `cat pixel ${r},${b}`);
      else assert.ok(b > 200 && r < 60, `dog pixel ${r},${b}`);
    }
    const gray = readImageFolder(root, [4, 4, 1], { seed: 3 });
    const catGray = Math.round(0.299 * 250 + 0.587 * 10 + 0.114 * 10);
    const index = Array.from(gray.train.labels).indexOf(0);
    assert.ok(Math.abs(gray.train.pixels[index * 16] - catGray) <= 3);
    assert.equal(datasetContentHash(readImageFolder(root, [8, 8, 3], { seed: 3 })), datasetContentHash(data));
  });

  it('uses train/ and test/ subfolders as the splits, and explains a folder without classes', () => {
    const root = join(scratch, 'splits');
    for (const split of ['train', 'test']) for (const cls of ['a', 'b']) {
      mkdirSync(join(root, split, cls), { recursive: true });
      writeFileSync(join(root, split, cls, 'x.png'), solidPng(4, 4, [1, 2, 3]));
    }
    const data = readImageFolder(root, [4, 4, 3]);
    assert.equal(data.train.count, 2);
    assert.equal(data.test.count, 2);
    const flat = join(scratch, 'flat');
    mkdirSync(flat, { recursive: true });
    assert.throws(() => readImageFolder(flat, [4, 4, 3]), /needs one subfolder per class/);
  });
});

describe('downloadFile against a loopback server', () => {
  const payload = Buffer.from(sequence(300_000, (i) => (i * 31) % 256));
  const md5 = createHash('md5').update(payload).digest('hex');
  let server: Server;
  let base: string;
  const hits: Record<string, number> = {};
  const idxServed = new Map<string, Buffer>([
    ['train-images-idx3-ubyte.gz', gzipSync(idxBytes([6, 2, 2], sequence(24, (i) => i * 10)))],
    ['train-labels-idx1-ubyte.gz', gzipSync(idxBytes([6], sequence(6, (i) => i % 3)))],
    ['t10k-images-idx3-ubyte.gz', gzipSync(idxBytes([2, 2, 2], sequence(8, () => 9)))],
    ['t10k-labels-idx1-ubyte.gz', gzipSync(idxBytes([2], Uint8Array.from([2, 0])))],
  ]);
  before(async () => {
    server = createServer((req, res) => {
      hits[req.url ?? ''] = (hits[req.url ?? ''] ?? 0) + 1;
      if (req.url === '/good.bin') {
        res.writeHead(200, { 'content-length': payload.length });
        // Several chunks so that progress is reported more than once.
        let sent = 0;
        const next = () => {
          if (sent >= payload.length) return res.end();
          res.write(payload.subarray(sent, sent + 50_000));
          sent += 50_000;
          setTimeout(next, 30);
        };
        next();
      } else if (req.url === '/midway.bin') {
        res.writeHead(200, { 'content-length': payload.length });
        res.write(payload.subarray(0, 100_000), () => setTimeout(() => res.socket?.destroy(), 20));
      } else if (req.url === '/corrupt.bin') {
        res.writeHead(200, { 'content-length': payload.length });
        res.end(Buffer.concat([payload.subarray(0, 1000), Buffer.alloc(payload.length - 1000)]));
      } else if (req.url?.startsWith('/idx/') && idxServed.has(req.url.slice(5))) {
        res.writeHead(200, { 'content-length': idxServed.get(req.url.slice(5))!.length });
        res.end(idxServed.get(req.url.slice(5)));
      } else if (req.url === '/redirect.bin') {
        res.writeHead(302, { location: '/good.bin' });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const folderFiles = (folder: string) => (existsSync(folder) ? readdirSync(folder) : []);

  it('downloads with progress, verifies the checksum and reuses the cached file without the network', async () => {
    const folder = join(scratch, 'dl-good');
    const progress: number[] = [];
    const file = await downloadFile([`${base}/good.bin`], join(folder, 'good.bin'), { md5, onProgress: (p) => progress.push(p.received) });
    assert.equal(createHash('md5').update(require('node:fs').readFileSync(file)).digest('hex'), md5);
    assert.ok(progress.length >= 2, `progress reported ${progress.length} times`);
    assert.equal(progress[progress.length - 1], payload.length);
    const before = hits['/good.bin'];
    await downloadFile([`${base}/good.bin`], join(folder, 'good.bin'), { md5 });
    assert.equal(hits['/good.bin'], before, 'the cached file is reused');
    assert.deepEqual(folderFiles(folder), ['good.bin']);
  });

  it('never leaves or uses a partial file when the server fails midway, and falls back to the next URL', async () => {
    const folder = join(scratch, 'dl-midway');
    await assert.rejects(downloadFile([`${base}/midway.bin`], join(folder, 'data.bin'), { md5 }), /closed after \d+ bytes/);
    assert.deepEqual(folderFiles(folder), [], 'no partial or final file remains');
    // What a killed download leaves (pid 2^22+1 is beyond Linux's pid_max) is cleaned up on the next attempt.
    writeFileSync(join(folder, 'data.bin.partial-4194305-1'), 'half');
    await downloadFile([`${base}/midway.bin`, `${base}/redirect.bin`], join(folder, 'data.bin'), { md5 });
    assert.deepEqual(folderFiles(folder), ['data.bin']);
  });

  it('fetches a whole standard-layout dataset into the cache and reads it (IDX files, as MNIST)', async () => {
    const md5Of = (b: Buffer) => createHash('md5').update(b).digest('hex');
    const dataset: StandardDataset = {
      id: 'mnist',
      description: 'generated',
      files: [...idxServed.keys()].map((name) => ({ name, urls: [`${base}/idx/${name}`], md5: md5Of(idxServed.get(name)!) })),
      read: (folder) => readIdxFolder(folder, 'mnist', ['a', 'b', 'c'], 'generated'),
    };
    const cacheDir = join(scratch, 'dataset-cache');
    const seen = new Set<string>();
    const data = await fetchStandardDataset(dataset, { cacheDir, onProgress: (p) => seen.add(`${p.fileIndex + 1}/${p.fileCount} ${p.file}`) });
    assert.equal(seen.size, 4);
    assert.equal(data.train.count, 6);
    assert.deepEqual(Array.from(data.test.labels), [2, 0]);
    assert.deepEqual(readdirSync(join(cacheDir, 'mnist')).sort(), [...idxServed.keys()].sort());
  });

  it('rejects a complete download whose checksum does not match, and an HTTP error', async () => {
    const folder = join(scratch, 'dl-corrupt');
    await assert.rejects(downloadFile([`${base}/corrupt.bin`], join(folder, 'data.bin'), { md5 }), /checksum mismatch/);
    await assert.rejects(downloadFile([`${base}/missing.bin`], join(folder, 'data.bin'), { md5 }), /HTTP 404/);
    assert.deepEqual(folderFiles(folder), []);
  });
});

describe('loadDataset', () => {
  it('dispatches on the dataset name: the embedded sample by default, local files for a path, clear errors otherwise', async () => {
    const inputShape = [28, 28, 1];
    assert.equal((await loadDataset({ inputShape, seed: 1 })).id, 'mnist-sample');
    // The IDX and CIFAR folders were written by the reader suites above.
    const idx = await loadDataset({ name: 'fashion-mnist', path: join(scratch, 'idx'), inputShape, seed: 1 });
    assert.equal(idx.id, 'fashion-mnist');
    assert.equal(idx.classNames[9], 'Ankle boot');
    assert.equal((await loadDataset({ name: 'cifar10', path: join(scratch, 'cifar-10-binary.tar.gz'), inputShape, seed: 1 })).train.count, 15);
    assert.equal((await loadDataset({ name: 'imagefolder', path: join(scratch, 'splits'), inputShape: [4, 4, 3], seed: 1 })).train.count, 2);
    await assert.rejects(loadDataset({ name: 'imagefolder', inputShape, seed: 1 }), /dataset "imagefolder" needs a path/);
    await assert.rejects(loadDataset({ name: 'mnist', path: join(scratch, 'nowhere'), inputShape, seed: 1 }), /Dataset path not found: .*nowhere/);
    await assert.rejects(loadDataset({ name: 'svhn', inputShape, seed: 1 }), /Unknown dataset "svhn": use one of mnist-sample, mnist, fashion-mnist, cifar10, imagefolder/);
  });
});

describe('standard dataset sources', () => {
  it('name each file\'s published MD5 and mirrors that end in the file name', () => {
    for (const d of STANDARD_DATASETS) {
      assert.ok(d.files.length > 0);
      for (const f of d.files) {
        assert.match(f.md5, /^[0-9a-f]{32}$/);
        assert.ok(f.urls.length > 0 && f.urls.every((u) => /^https?:\/\//.test(u) && u.endsWith(f.name)), `${d.id} ${f.name}`);
      }
    }
  });
});

describe('preprocessing', () => {
  const dataset = (trainValue: (i: number) => number, testValue: (i: number) => number) =>
    makeImageDataset({
      id: 'synthetic',
      description: 'synthetic',
      shape: [2, 2, 2],
      classNames: ['a', 'b'],
      train: { pixels: sequence(100 * 8, trainValue), labels: sequence(100, (i) => i % 2), count: 100 },
      test: { pixels: sequence(10 * 8, testValue), labels: sequence(10, (i) => i % 2), count: 10 },
    });

  it('fits the standardization on the training split only, per channel', () => {
    // Channel 0 is 0 or 255 in train, channel 1 constant 51; the test split is all 255 and must not matter.
    const data = prepareData(dataset((i) => (i % 2 === 0 ? ((i >> 1) % 2) * 255 : 51), () => 255), { seed: 1, validationSplit: 0.2 });
    const expected = fitNormalization(data.train, 2);
    assert.deepEqual(data.normalization, expected);
    assert.ok(Math.abs(data.normalization.mean[1] - 0.2) < 1e-9);
    assert.equal(data.normalization.std[1], 1, 'a constant channel keeps unit scale');
    assert.ok(data.normalization.mean[0] > 0.3 && data.normalization.mean[0] < 0.7);
    assert.equal(data.test.count, 10);
  });

  it('splits off a seeded, disjoint validation subset', () => {
    const d = dataset((i) => Math.floor(i / 8), () => 0);
    const a = prepareData(d, { seed: 7, validationSplit: 0.25 });
    const b = prepareData(d, { seed: 7, validationSplit: 0.25 });
    const c = prepareData(d, { seed: 8, validationSplit: 0.25 });
    assert.equal(a.validation.count, 25);
    assert.equal(a.train.count, 75);
    const ids = (set: typeof a.train) => Array.from({ length: set.count }, (_, i) => set.pixels[i * 8]);
    assert.deepEqual(ids(a.validation), ids(b.validation));
    assert.notDeepEqual(ids(a.validation), ids(c.validation));
    const train = new Set(ids(a.train));
    assert.ok(ids(a.validation).every((v) => !train.has(v)));
  });

  it('feeds normalized batches and augments with flips and shifts reproducibly', () => {
    const shape: [number, number, number] = [3, 3, 1];
    const set = { pixels: sequence(9, (i) => i * 10), labels: Uint8Array.from([1]), count: 1 };
    const feeder = new BatchFeeder(shape, { mean: [0.5], std: [0.25] }, 4);
    const plain = feeder.batch(set, undefined, 0);
    assert.ok(Math.abs(plain.pixels[8] - (80 / 255 - 0.5) / 0.25) < 1e-6);
    assert.deepEqual(Array.from(plain.labels), [1]);
    const raw = (values: Float32Array) => Array.from(values, (v) => Math.round((v * 0.25 + 0.5) * 255));
    const flipped = feeder.batch(set, undefined, 0, { random: { next: () => 0, int: () => 0 } as unknown as SeededRandom, settings: { horizontalFlip: true } });
    assert.deepEqual(raw(flipped.pixels), [20, 10, 0, 50, 40, 30, 80, 70, 60]);
    // int(3) = 2 → shift +1 down and +1 right, filled with black.
    const shifted = feeder.batch(set, undefined, 0, { random: { next: () => 0.9, int: () => 2 } as unknown as SeededRandom, settings: { cropPadding: 1 } });
    assert.deepEqual(raw(shifted.pixels), [0, 0, 0, 0, 0, 10, 0, 30, 40]);
    const run = (seed: number) => Array.from(feeder.batch(set, undefined, 0, { random: new SeededRandom(seed), settings: { horizontalFlip: true, cropPadding: 1 } }).pixels);
    assert.deepEqual(run(5), run(5));
  });

  it('resizes and converts images to the design input (28×28 gray into 32×32 RGB)', () => {
    const small = makeImageDataset({
      id: 's',
      description: 's',
      shape: [2, 2, 1],
      classNames: ['a', 'b'],
      train: { pixels: Uint8Array.from([100, 100, 100, 100]), labels: Uint8Array.from([0]), count: 1 },
      test: { pixels: Uint8Array.from([7, 7, 7, 7]), labels: Uint8Array.from([1]), count: 1 },
    });
    const fitted = fitImagesToShape(small, [4, 4, 3]);
    assert.deepEqual(fitted.shape, [4, 4, 3]);
    assert.ok(Array.from(fitted.train.pixels).every((v) => v === 100));
    assert.equal(fitted.test.pixels.length, 48);
    assert.equal(fitImagesToShape(small, [2, 2, 1]), small);
  });
});
