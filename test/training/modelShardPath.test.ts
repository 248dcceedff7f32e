import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainDesign } from '../support/designBuilder';
import { trainedWeightsForPyTorch } from '../../src/training/trainer/exportRunForPyTorch';
import { fileSystemLoader } from '../../src/training/trainer/fileSystemModelIo';
import { modelShardPath } from '../../src/training/trainer/modelShardPath';

describe("a run's model.json reads weight files only inside its model folder", () => {
  let dir: string;
  let model: string;
  const secret = (): string => join(dir, 'secret.bin');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-shards-'));
    model = join(dir, 'run', 'model');
    mkdirSync(join(model, 'sub'), { recursive: true });
    writeFileSync(secret(), Buffer.alloc(64, 7));
    writeFileSync(join(model, 'weights.bin'), Buffer.alloc(16));
    writeFileSync(join(model, 'sub', 'w.bin'), Buffer.alloc(16));
    symlinkSync(secret(), join(model, 'link.bin'));
    symlinkSync(dir, join(model, 'up'));
    execFileSync('mkfifo', [join(model, 'fifo.bin')]);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const hostile = (): string[] => ['../../secret.bin', secret(), 'link.bin', 'up/secret.bin', 'sub/../../../secret.bin', '..', '.'];

  it('resolves shard paths inside the folder and refuses every way out, and non-files', () => {
    assert.equal(modelShardPath(model, './weights.bin'), join(realpathSync(model), 'weights.bin'));
    assert.equal(modelShardPath(model, 'sub/w.bin'), join(realpathSync(model), 'sub', 'w.bin'));
    for (const p of hostile()) assert.throws(() => modelShardPath(model, p), /outside the model folder/, p);
    assert.throws(() => modelShardPath(model, 'fifo.bin'), /not a regular file/);
    assert.throws(() => modelShardPath(model, 'sub'), /not a regular file/);
    for (const p of [7, '', 'a\0b', null]) assert.throws(() => modelShardPath(model, p), /not a file name/);
  });

  it('"Export run for PyTorch" refuses a model.json whose shards lie outside, instead of copying them into the .safetensors', () => {
    const design = chainDesign([4], [['Dense', { units: 4 }]]);
    for (const p of hostile()) {
      writeFileSync(join(model, 'model.json'), JSON.stringify({ weightsManifest: [{ paths: [p], weights: [{ name: 'l1/kernel', shape: [4, 4], dtype: 'float32' }] }] }));
      assert.throws(() => trainedWeightsForPyTorch(design, join(model, 'model.json')), /outside the model folder/, p);
    }
  });

  it('the feature-map and training loader refuses them too', async () => {
    for (const p of hostile()) {
      writeFileSync(join(model, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: [p], weights: [] }] }));
      await assert.rejects(fileSystemLoader(model).load!(), /outside the model folder/, p);
    }
  });
});
