// A real training run's saved TF.js model, converted with `export --weights` or from the Runs tab,
// must be the same network in PyTorch: the exported module predicts what the trained model predicted.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportRunForPyTorch } from '../../src/training/trainer/exportRunForPyTorch';
import { runPython } from './support/python';

const root = join(__dirname, '..', '..');
const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [join(root, 'bin', 'cnn-designer.js'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });

describe('export of a trained run: weights from a real training run load into the PyTorch module', function () {
  this.timeout(180_000);
  let dir: string;
  let run: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-trained-export-'));
    copyFileSync(join(root, 'examples', 'mnist-cnn.cnn.json'), join(dir, 'mnist-cnn.cnn.json'));
    const train = cli(['train', 'mnist-cnn.cnn.json', '--dataset', 'mnist-sample', '--epochs', '1', '--max-batches', '15'], dir);
    assert.equal(train.status, 0, train.stderr);
    const runsFolder = join(dir, 'mnist-cnn.runs');
    run = join(runsFolder, readdirSync(runsFolder)[0]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The module predicts the labels and confidences the trained TF.js model recorded for its misclassified samples. */
  function assertSameNetwork(module: string, weights: string): void {
    const result = JSON.parse(runPython([join(__dirname, 'support', 'checkTrainedRun.py'), module, weights, run]).stdout);
    assert.ok(result.samples >= 8, `only ${result.samples} misclassified samples to compare`);
    assert.equal(result.labelsAgree, result.samples);
    assert.ok(result.maxConfidenceDifference < 1e-4, `confidence differs by ${result.maxConfidenceDifference}`);
  }

  it('`export --weights` predicts the labels and confidences the trained TF.js model recorded, within 1e-4', () => {
    const exported = cli(['export', 'mnist-cnn.cnn.json', '--to', 'pytorch', '--weights', join(run, 'model', 'model.json'), '-o', 'out'], dir);
    assert.equal(exported.status, 0, exported.stderr);
    const files = readdirSync(join(dir, 'out'));
    assertSameNetwork(join(dir, 'out', files.find((f) => f.endsWith('.py'))!), join(dir, 'out', files.find((f) => f.endsWith('.safetensors'))!));
  });

  it("the Runs tab's export writes the run's own design and weights into its folder, and they predict the same", () => {
    // The design file changes after the run: the export still follows the design the run trained.
    writeFileSync(join(dir, 'mnist-cnn.cnn.json'), readFileSync(join(dir, 'mnist-cnn.cnn.json'), 'utf8').replace('"units": 50', '"units": 64'));
    const exported = exportRunForPyTorch(run);
    assert.equal(exported.folder, join(run, 'pytorch'));
    assert.ok(readFileSync(exported.module, 'utf8').includes('nn.Linear(320, 50)'));
    assertSameNetwork(exported.module, exported.weights);
  });

  it('says what is missing when a run has no checkpoint yet', () => {
    const empty = join(dir, 'mnist-cnn.runs', 'unfinished');
    mkdirSync(empty);
    copyFileSync(join(run, 'design.cnn.json'), join(empty, 'design.cnn.json'));
    assert.throws(() => exportRunForPyTorch(empty), /no saved model yet: a checkpoint is written at the end of the first epoch/);
    assert.throws(() => exportRunForPyTorch(join(dir, 'mnist-cnn.runs')), /no design\.cnn\.json/);
  });
});
