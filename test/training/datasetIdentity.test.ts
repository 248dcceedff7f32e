// A run names the dataset it trained on by a hash of every pixel; that hash is remembered by the
// dataset files' paths, sizes and modification times, so an unchanged dataset is not hashed again.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { datasetIdentity, IDENTITY_CACHE_FILE } from '../../src/training/data/datasetIdentity';
import { datasetContentHash, type ImageDataset } from '../../src/training/data/imageDataset';
import { readImageFolder } from '../../src/training/data/imageFolderReader';

function writePng(path: string, value: number): void {
  const png = new PNG({ width: 4, height: 4 });
  png.data.fill(value);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  writeFileSync(path, PNG.sync.write(png));
}

describe('dataset identity cache', () => {
  let scratch: string;
  let root: string;
  let cache: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'cnn-identity-'));
    root = join(scratch, 'shapes');
    cache = join(scratch, 'cache');
    for (const [k, cls] of ['circle', 'square'].entries()) {
      mkdirSync(join(root, cls), { recursive: true });
      for (let i = 0; i < 5; i++) writePng(join(root, cls, `${i}.png`), 40 * k + 10 * i);
    }
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  const read = (seed = 1): ImageDataset => readImageFolder(root, [4, 4, 3], { seed });
  const reading = (dataset: ImageDataset, seed = 1) => ({ datasetId: dataset.id, shape: dataset.shape, seed });

  it('hashes a dataset once, then answers from the cache while its files are unchanged', () => {
    const dataset = read();
    const first = datasetIdentity(dataset, [root], reading(dataset), cache);
    assert.deepEqual(first, { contentHash: datasetContentHash(dataset), cached: false });
    assert.ok(existsSync(join(cache, IDENTITY_CACHE_FILE)));
    // The pixels are not read again: a dataset whose pixels differ but whose files did not change gets the remembered hash.
    const altered: ImageDataset = { ...dataset, train: { ...dataset.train, pixels: new Uint8Array(dataset.train.pixels.length) } };
    assert.notEqual(datasetContentHash(altered), first.contentHash);
    assert.deepEqual(datasetIdentity(altered, [root], reading(dataset), cache), { contentHash: first.contentHash, cached: true });
  });

  it('hashes again when a file changes (time or size), a file is added, or the files are read differently', () => {
    const dataset = read();
    const original = datasetIdentity(dataset, [root], reading(dataset), cache).contentHash;
    const again = () => datasetIdentity(read(), [root], reading(dataset), cache);

    const touched = join(root, 'circle', '0.png');
    utimesSync(touched, new Date(), new Date(Date.now() + 60_000));
    const afterTouch = again();
    assert.equal(afterTouch.cached, false, 'a newer modification time is a new identity');
    assert.equal(afterTouch.contentHash, original, 'the same pixels still hash the same');

    writePng(join(root, 'square', '9.png'), 200);
    const afterAdd = again();
    assert.equal(afterAdd.cached, false);
    assert.notEqual(afterAdd.contentHash, original, 'an added image is different data');

    const reseeded = read(2);
    const otherSeed = datasetIdentity(reseeded, [root], reading(reseeded, 2), cache);
    assert.equal(otherSeed.cached, false, 'the seed decides an image folder\'s split, so it is part of the identity');
    assert.equal(otherSeed.contentHash, datasetContentHash(reseeded));
  });

  it('computes the hash when there is nothing to remember it by', () => {
    const dataset = read();
    assert.deepEqual(datasetIdentity(dataset, [], reading(dataset), cache), { contentHash: datasetContentHash(dataset), cached: false });
    assert.deepEqual(datasetIdentity(dataset, [root], reading(dataset), undefined), { contentHash: datasetContentHash(dataset), cached: false });
    // A cache file that is not what this code writes is ignored, not trusted.
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, IDENTITY_CACHE_FILE), '{"broken": ');
    assert.deepEqual(datasetIdentity(dataset, [root], reading(dataset), cache), { contentHash: datasetContentHash(dataset), cached: false });
    assert.equal(datasetIdentity(dataset, [root], reading(dataset), cache).cached, true, 'and replaced by a good one');
  });
});
