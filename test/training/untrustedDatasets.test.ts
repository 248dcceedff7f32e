// Datasets come from anyone (a repository, a download, a shared drive): each way a dataset can be
// hostile ends in a clear error, never a hang, a huge allocation, a read outside it, or a NaN run.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { readCifar10 } from '../../src/training/data/cifar10Reader';
import { makeImageDataset } from '../../src/training/data/imageDataset';
import { parseIdx, readIdxFolder } from '../../src/training/data/idxReader';
import { decodeImage, MAX_IMAGE_PIXELS, readImageFolder } from '../../src/training/data/imageFolderReader';
import { maybeGunzip } from '../../src/training/data/maybeGunzip';
import { prepareData } from '../../src/training/data/prepareData';
import { readTar } from '../../src/training/data/tarReader';
import { idxBytes } from './support/idxBytes';

const root = join(__dirname, '..', '..');
let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'cnn-hostile-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const png = (w: number, h: number): Buffer => PNG.sync.write(new PNG({ width: w, height: h }));

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** A two-class image folder with a few real PNGs. */
function imageFolder(at: string): string {
  for (const cls of ['a', 'b']) {
    mkdirSync(join(at, cls), { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(at, cls, `${i}.png`), png(4, 4));
  }
  return at;
}

describe('hostile datasets end in a clear error', function () {
  this.timeout(60_000);

  it('a dataset with zero training samples is refused before training (no NaN loss, no success)', () => {
    const empty = makeImageDataset({ id: 'empty', description: 'no images', shape: [2, 2, 1], classNames: ['a', 'b'], train: { pixels: new Uint8Array(0), labels: new Uint8Array(0), count: 0 }, test: { pixels: new Uint8Array(0), labels: new Uint8Array(0), count: 0 } });
    assert.throws(() => prepareData(empty, { seed: 1 }), /empty: the training split has no samples; there is nothing to train on/);
    // IDX files that honestly announce zero images read fine, and are refused the same way.
    const folder = join(scratch, 'idx');
    mkdirSync(folder);
    for (const split of ['train', 't10k']) {
      writeFileSync(join(folder, `${split}-images-idx3-ubyte`), idxBytes([0, 28, 28], new Uint8Array(0)));
      writeFileSync(join(folder, `${split}-labels-idx1-ubyte`), idxBytes([0], new Uint8Array(0)));
    }
    assert.throws(() => prepareData(readIdxFolder(folder, 'mnist', '0123456789'.split(''), 'MNIST'), { seed: 1 }), /no samples/);
    const one = makeImageDataset({ id: 'one', description: 'one image', shape: [1, 1, 1], classNames: ['a', 'b'], train: { pixels: new Uint8Array(1), labels: new Uint8Array(1), count: 1 }, test: { pixels: new Uint8Array(0), labels: new Uint8Array(0), count: 0 } });
    assert.throws(() => prepareData(one, { seed: 1, validationSplit: 0.9 }), /no samples left after holding out 1 for validation/);
  });

  it('a FIFO named like an image or a dataset file is refused instead of blocking the read forever', () => {
    const folder = imageFolder(join(scratch, 'fifo'));
    execFileSync('mkfifo', [join(folder, 'a', '9.png')]);
    // In a child process: before this was handled, the read blocked its thread for good.
    const script = join(scratch, 'read.ts');
    // The same for the standard formats' files (IDX here; CIFAR reads through the same function).
    const idx = join(scratch, 'idx-fifo');
    mkdirSync(idx);
    execFileSync('mkfifo', [join(idx, 'train-images-idx3-ubyte')]);
    writeFileSync(join(idx, 'train-labels-idx1-ubyte'), idxBytes([0], new Uint8Array(0)));
    const src = (file: string): string => JSON.stringify(join(root, 'src/training/data', file));
    writeFileSync(
      script,
      `import { readImageFolder } from ${src('imageFolderReader')};\nimport { readIdxSplit } from ${src('idxReader')};\n` +
        `try { readImageFolder(${JSON.stringify(folder)}, [4, 4, 1]); console.log('read'); } catch (err) { console.log(String(err)); }\n` +
        `try { readIdxSplit(${JSON.stringify(join(idx, 'train-images-idx3-ubyte'))}, ${JSON.stringify(join(idx, 'train-labels-idx1-ubyte'))}); console.log('read'); } catch (err) { console.log(String(err)); }\n`,
    );
    const run = spawnSync(process.execPath, ['-r', 'tsx/cjs', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.signal, null, 'the readers returned instead of hanging');
    assert.match(run.stdout, /9\.png: not a regular file/);
    assert.match(run.stdout, /train-images-idx3-ubyte: not a regular file/);
  });

  it('class folders and images linking outside the dataset are refused; links inside it are read', () => {
    const outside = imageFolder(join(scratch, 'elsewhere'));
    const folder = imageFolder(join(scratch, 'linked'));
    symlinkSync(join(folder, 'a'), join(folder, 'c'));
    assert.equal(readImageFolder(folder, [4, 4, 1]).classNames.length, 3, 'a link to a class folder inside the dataset is fine');
    symlinkSync(join(outside, 'b'), join(folder, 'd'));
    assert.throws(() => readImageFolder(folder, [4, 4, 1]), /linked\/d: links to .*elsewhere\/b, outside the dataset folder/);
    rmSync(join(folder, 'd'));
    symlinkSync(join(outside, 'a', '0.png'), join(folder, 'a', '7.png'));
    assert.throws(() => readImageFolder(folder, [4, 4, 1]), /7\.png: links to .*outside the dataset folder/);
  });

  it('a small PNG declaring 20000×20000 pixels is refused before decoding (as JPEG is)', () => {
    const bytes = png(1, 1);
    bytes.writeUInt32BE(20000, 16);
    bytes.writeUInt32BE(20000, 20);
    bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)), 29);
    assert.throws(() => decodeImage(bytes, 'bomb.png'), /bomb\.png: cannot decode image \(the PNG declares 20000×20000 pixels, more than the 67,108,864/);
    assert.equal(MAX_IMAGE_PIXELS, 256 * 1024 * 1024 / 4);
    assert.equal(decodeImage(png(3, 2), 'ok.png').width, 3);
  });

  it('gzip data that decompresses beyond the limit stops there with a clear error', () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
    assert.ok(bomb.length < 100_000);
    assert.throws(() => maybeGunzip(bomb, 'bomb.gz', 1024 * 1024), /bomb\.gz: decompresses to more than 1 MiB/);
    assert.equal(maybeGunzip(bomb, 'ok.gz').length, 8 * 1024 * 1024);
  });

  it('IDX headers that lie about their size are refused without allocating what they claim', () => {
    assert.throws(() => parseIdx(idxBytes([0xffffffff, 0xffffffff, 28], new Uint8Array(16)), 'huge.idx'), /huge\.idx: IDX header announces 4294967295×4294967295×28 = .* values but the file holds 16/);
    assert.throws(() => parseIdx(Buffer.from([0, 0, 8, 200, 1, 2]), 'rank.idx'), /rank\.idx: truncated IDX header/);
    assert.throws(() => parseIdx(idxBytes([2, 2], new Uint8Array(5)), 'long.idx'), /announces 2×2 = 4 values but the file holds 5/);
  });

  it('CIFAR archives are read in memory: nothing is extracted to disk', () => {
    const names = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
    const record = Buffer.alloc(3073);
    const tar = (files: { name: string; data: Buffer }[]): Buffer => {
      const blocks: Buffer[] = [];
      for (const f of files) {
        const header = Buffer.alloc(512);
        header.write(f.name, 0);
        header.write(`${f.data.length.toString(8).padStart(11, '0')}\0`, 124);
        header.write('0', 156);
        blocks.push(header, f.data, Buffer.alloc((512 - (f.data.length % 512)) % 512));
      }
      return Buffer.concat([...blocks, Buffer.alloc(1024)]);
    };
    const archive = join(scratch, 'cifar-10-binary.tar.gz');
    const bytes = tar(names.map((n) => ({ name: `cifar-10-batches-bin/${n}`, data: record })));
    assert.equal(readTar(bytes, 't').length, 6);
    writeFileSync(archive, gzipSync(bytes));
    const before = readdirSync(scratch, { recursive: true });
    assert.equal(readCifar10(archive).train.count, 5);
    assert.deepEqual(readdirSync(scratch, { recursive: true }), before);
  });
});
