// `cnn-designer train` end to end through the CLI entry (real training process, a few batches).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { runCli } from '../../src/cli/main';
import { TrainingRunPrinter } from '../../src/cli/TrainingRunPrinter';

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
    assert.match(stdout, /^Backend: wasm \(not used: pytorch: .*; tensorflow-gpu: .*; tensorflow: .*; webgpu: .*\)$/m);
    assert.match(stdout, /^epoch 2: train loss \d\.\d{4} acc [\d.]+%, validation loss \d\.\d{4} acc [\d.]+%/m);
    assert.match(stdout, /^Test accuracy: [\d.]+% \(top-5 [\d.]+%, loss [\d.]+\) on 2000 images$/m);
    assert.match(stdout, /^Per-class accuracy: 0 [\d.]+%, 1 [\d.]+%.*9 [\d.]+%$/m);
    assert.match(stdout, new RegExp(`^Run folder: ${scratch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\d{4}-\\d\\d-\\d\\dT`, 'm'));
    assert.match(stderr, /^epoch 1\/2 \[#*\.*\] \d+\/4 loss .* ETA run \d+s$/m, 'the ETA says it is for the whole run');
    assert.doesNotMatch(stderr, /\r|\x1b/, 'a log (not a terminal) gets whole lines, no carriage returns');
    // --max-batches is said, and recorded with the run.
    assert.match(stdout, /^Each epoch is capped at 4 batch\(es\) \(--max-batches\)/m);
    const folder = /^Run folder: (.*)$/m.exec(stdout)![1];
    assert.deepEqual(JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8')).limits, { maxBatchesPerEpoch: 4 });
    // Both times are measured from the same start, so the first batch comes within the wall time.
    const [, wall, firstBatch] = /^Wall time: ([\d.]+) s, .*first batch after ([\d.]+) s/m.exec(stdout)!.map(Number);
    assert.ok(firstBatch > 0 && firstBatch <= wall, `first batch ${firstBatch} s, wall ${wall} s`);
  });

  it('refuses an output whose units are not the dataset\'s classes before the run, and leaves out top-5 for 3 classes', async () => {
    const images = join(scratch, 'three-classes');
    for (const [k, cls] of ['circle', 'square', 'triangle'].entries()) {
      mkdirSync(join(images, cls), { recursive: true });
      for (let i = 0; i < 12; i++) {
        const png = new PNG({ width: 8, height: 8 });
        png.data.fill(60 * k + 3 * i);
        writeFileSync(join(images, cls, `${i}.png`), PNG.sync.write(png));
      }
    }
    const runs = join(scratch, 'three-class-runs');
    const template = readFileSync(join(root, 'examples/mnist-cnn.cnn.json'), 'utf8');
    const tenUnits = join(scratch, 'ten-units.cnn.json');
    writeFileSync(tenUnits, template);
    const refused = await cli(['train', tenUnits, '--dataset', 'imagefolder', '--dataset-path', images, '--epochs', '1', '--max-batches', '1', '--runs', runs]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /The output has 10 units but .* has 3 classes: set the last layer's units to 3\./);
    assert.doesNotMatch(refused.stdout, /NaN|Test accuracy/);
    assert.ok(!existsSync(runs) || readdirSync(runs).length === 0, 'no run folder is left for a run that could not start');

    const design = JSON.parse(template);
    design.nodes.find((n: { id: string }) => n.id === 'fc2').params.units = 3;
    const threeUnits = join(scratch, 'three-units.cnn.json');
    writeFileSync(threeUnits, JSON.stringify(design, null, 2));
    const trained = await cli(['train', threeUnits, '--dataset', 'imagefolder', '--dataset-path', images, '--epochs', '1', '--max-batches', '2', '--runs', runs]);
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(trained.stdout, /^Test accuracy: [\d.]+% \(loss [\d.]+\) on \d+ images$/m, 'top-5 of 3 classes is always 100%: not shown');
    assert.doesNotMatch(trained.stdout, /top-5/);
  });

  it('says a Ctrl-C once, however often it is pressed', () => {
    let stderr = '';
    const printer = new TrainingRunPrinter({ stdout: () => undefined, stderr: (t) => (stderr += t) }, Date.now(), false);
    printer.onInterrupt();
    printer.onInterrupt();
    assert.equal(stderr, 'Stopping after the current batch (the last completed epoch is kept)…\n');
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
