// `cnn-designer train` end to end through the CLI entry (real training process, a few batches).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';

const root = join(__dirname, '../..');

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('cnn-designer train', function () {
  this.timeout(120_000);
  let scratch: string;
  before(() => {
    execFileSync(process.execPath, ['esbuild.config.mjs', '--only=trainingProcess'], { cwd: root, stdio: 'inherit' });
    scratch = mkdtempSync(join(tmpdir(), 'cnn-cli-train-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('trains with progress and prints the per-epoch table, test accuracy, backend and run folder', async () => {
    const { code, stdout, stderr } = await cli(['train', join(root, 'examples/mnist-cnn.cnn.json'), '--dataset', 'mnist-sample', '--epochs', '2', '--max-batches', '4', '--runs', scratch]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Backend: wasm \(not used: tensorflow-gpu: .*; tensorflow: .*\)$/m);
    assert.match(stdout, /^epoch 2: train loss \d\.\d{4} acc [\d.]+%, validation loss \d\.\d{4} acc [\d.]+%/m);
    assert.match(stdout, /^Test accuracy: [\d.]+% \(top-5 [\d.]+%, loss [\d.]+\) on 2000 images$/m);
    assert.match(stdout, /^Per-class accuracy: 0 [\d.]+%, 1 [\d.]+%.*9 [\d.]+%$/m);
    assert.match(stdout, new RegExp(`^Run folder: ${scratch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\d{4}-\\d\\d-\\d\\dT`, 'm'));
    assert.match(stderr, /epoch 1\/2 \[#*\.*\] \d+\/4 loss/);
  });

  it('explains bad options and refuses a design with errors, naming the line', async () => {
    const bad = await cli(['train', join(root, 'examples/mnist-cnn.cnn.json'), '--epochs', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--epochs must be an integer in \[1, \d+\], got "0"/);
    // Every training setting is a flag, checked by the training settings specification before any run.
    const translate = await cli(['train', join(root, 'examples/mnist-cnn.cnn.json'), '--translate', '0.9', '--standardize', 'maybe']);
    assert.equal(translate.code, 2);
    assert.match(translate.stderr, /--standardize must be true or false, got "maybe"\n--translate must be a number in \[0, 0\.5\), got "0\.9"/);
    const broken = join(scratch, 'broken.cnn.json');
    writeFileSync(broken, JSON.stringify({ format: 'cnn-designer', version: 1, name: 'b', nodes: [{ id: 'input', type: 'Input', params: { shape: [4, 4, 1] } }, { id: 'c', type: 'Conv2D', params: { filters: 1, kernelSize: 9 } }], edges: [{ source: 'input', target: 'c' }], training: {} }, null, 2));
    const refused = await cli(['train', broken]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /broken\.cnn\.json:\d+:\d+: error \[c\]/);
  });
});
