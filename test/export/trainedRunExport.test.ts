// A real training run's saved TF.js model, converted with `export --weights`, must be the same
// network in PyTorch: the exported module predicts what the trained model predicted.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPython } from './support/python';

const root = join(__dirname, '..', '..');
const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [join(root, 'bin', 'cnn-designer.js'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });

describe('export of a trained run: weights from a real training run load into the PyTorch module', function () {
  this.timeout(180_000);

  it('predicts the labels and confidences the trained TF.js model recorded, within 1e-4', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-trained-export-'));
    copyFileSync(join(root, 'examples', 'mnist-cnn.cnn.json'), join(dir, 'mnist-cnn.cnn.json'));
    const train = cli(['train', 'mnist-cnn.cnn.json', '--dataset', 'mnist-sample', '--epochs', '1', '--max-batches', '15'], dir);
    assert.equal(train.status, 0, train.stderr);
    const runsFolder = join(dir, 'mnist-cnn.runs');
    const run = join(runsFolder, readdirSync(runsFolder)[0]);
    const exported = cli(['export', 'mnist-cnn.cnn.json', '--to', 'pytorch', '--weights', join(run, 'model', 'model.json'), '-o', 'out'], dir);
    assert.equal(exported.status, 0, exported.stderr);
    const files = readdirSync(join(dir, 'out'));
    const module = files.find((f) => f.endsWith('.py'))!;
    const weights = files.find((f) => f.endsWith('.safetensors'))!;
    const result = JSON.parse(runPython([join(__dirname, 'support', 'checkTrainedRun.py'), join(dir, 'out', module), join(dir, 'out', weights), run]).stdout);
    assert.ok(result.samples >= 8, `only ${result.samples} misclassified samples to compare`);
    assert.equal(result.labelsAgree, result.samples);
    assert.ok(result.maxConfidenceDifference < 1e-4, `confidence differs by ${result.maxConfidenceDifference}`);
  });
});
