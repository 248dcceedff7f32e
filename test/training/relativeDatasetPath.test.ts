/**
 * A relative `training.datasetPath` is taken from the design file's folder, wherever the training
 * starts: CNN Designer's trainer (which the CLI and the editor both start with the design's path), the
 * CLI itself, and the exported train.py beside the design, each run from another current directory.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { runCli } from '../../src/cli/main';
import { exportDesign } from '../../src/core/export/exportDesign';
import { parseDesign } from '../../src/core/format/parseDesign';
import { serializeDesign } from '../../src/core/format/serializeDesign';
import { selectBackend } from '../../src/training/engine/selectBackend';
import { trainDesign } from '../../src/training/trainer/trainDesign';
import { runPython } from '../export/support/python';

/** An IDX file: big-endian magic (unsigned bytes, `dims` axes), the axis sizes, then the bytes. */
function idx(shape: number[], values: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header.writeUInt32BE(0x0800 + shape.length, 0);
  shape.forEach((n, i) => header.writeUInt32BE(n, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(values)]);
}

/** Four IDX files of `train` and `test` 28×28 digits: the label's row is bright, so the classes differ. */
function writeDigits(folder: string, train: number, test: number): void {
  mkdirSync(folder, { recursive: true });
  const split = (count: number, images: string, labels: string): void => {
    const pixels = new Uint8Array(count * 28 * 28);
    const classes = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      classes[i] = i % 10;
      for (let x = 0; x < 28; x++) pixels[i * 784 + (2 + 2 * classes[i]) * 28 + x] = 255;
    }
    writeFileSync(join(folder, images), idx([count, 28, 28], pixels));
    writeFileSync(join(folder, labels), idx([count], classes));
  };
  split(train, 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte');
  split(test, 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte');
}

describe('a relative training.datasetPath is taken from the design file\'s folder', function () {
  this.timeout(180_000);
  let root: string;
  let designFile: string;
  const design = parseDesign(readFileSync('examples/mnist-cnn.cnn.json', 'utf8')).design!;
  const training = { ...design.training, dataset: 'mnist', datasetPath: 'digits', epochs: 1, batchSize: 16 };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'cnn-relative-'));
    designFile = join(root, 'designs', 'mnist.cnn.json');
    writeDigits(join(root, 'designs', 'digits'), 80, 30);
    writeFileSync(designFile, serializeDesign({ ...design, training }));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("CNN Designer's trainer (CLI and editor): reads the design folder's digits, whatever the current directory", async () => {
    await selectBackend({ preferred: 'cpu', smokeTest: false });
    try {
      assert.notEqual(process.cwd(), join(root, 'designs'));
      const result = await trainDesign({ design: { ...design, training }, designText: readFileSync(designFile, 'utf8'), designPath: designFile, settings: training, limits: { maxBatchesPerEpoch: 2 } });
      const total = result.test!.confusion.flat().reduce((a, b) => a + b, 0);
      assert.equal(total, 30, 'the 30 test digits of designs/digits');
      const manifest = JSON.parse(readFileSync(join(result.runFolder!, 'run.json'), 'utf8'));
      assert.equal(manifest.hyperparameters.datasetPath, join(root, 'designs', 'digits'));
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('cnn-designer train run from another folder: reads the design folder\'s digits', async () => {
    execFileSync(process.execPath, ['esbuild.config.mjs', '--only=trainingProcess'], { stdio: 'inherit' });
    let stdout = '';
    let stderr = '';
    const code = await runCli(['train', designFile, '--max-batches', '2', '--backend', 'cpu', '--replicas', '1', '--runs', join(root, 'runs')], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Test accuracy: .* on 30 images$/m);
  });

  it('train.py exported beside the design: reads the same digits when run from another folder', () => {
    for (const f of exportDesign({ ...design, training }, 'pytorch', { trainScript: true }).files) writeFileSync(join(root, 'designs', f.fileName), f.code);
    const { stdout } = runPython([join(root, 'designs', 'train.py'), '--workers', '0', '--log-every', '1'], { cwd: root });
    // 80 digits, 8 held out for validation (the default split 0.1), in batches of 16: 5 steps.
    assert.equal([...stdout.matchAll(/^epoch 1 step \d+ loss/gm)].length, 5, stdout);
    assert.match(stdout, /^saved /m);
  });
});
