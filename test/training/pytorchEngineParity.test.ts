// The PyTorch engine against the wasm engine: the same design, data, seed and settings trained for
// two epochs on the embedded MNIST sample reach test accuracies within one point, and the PyTorch
// run folder holds what every results view reads (the same files and fields as a TF.js run).
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Design } from '../../src/core/design';
import { parseDesign } from '../../src/core/format/parseDesign';
import { selectBackend } from '../../src/training/engine/selectBackend';
import { findPythonWithTorch, type PythonTorchInfo } from '../../src/training/pytorch/findPythonWithTorch';
import { trainWithPyTorch } from '../../src/training/pytorch/trainWithPyTorch';
import { trainDesign } from '../../src/training/trainer/trainDesign';
import type { TrainingResult } from '../../src/training/trainer/trainingReport';
import { PYTHON } from '../export/support/python';

const root = join(__dirname, '../..');
const designText = readFileSync(join(root, 'examples/mnist-cnn.cnn.json'), 'utf8');
const design = parseDesign(designText).design as Design;

describe('PyTorch engine parity with wasm', function () {
  this.timeout(300_000);
  let python: PythonTorchInfo | undefined;
  let runs: string;
  before(async () => {
    python = (await findPythonWithTorch([{ path: PYTHON, source: 'the test interpreter' }])).found;
    runs = mkdtempSync(join(tmpdir(), 'cnn-parity-'));
  });
  after(async () => {
    rmSync(runs, { recursive: true, force: true });
    await tf.setBackend('cpu');
  });

  it('reaches the same test accuracy within 1 point after 2 epochs, with every results view filled', async function () {
    if (!python) this.skip(); // Reason: no PyTorch in the test interpreter; npm test installs Debian's python3-torch.
    const settings = { ...design.training, dataset: 'mnist-sample', epochs: 2, batchSize: 64, optimizer: 'adam' as const, learningRate: 0.001, seed: 7, validationSplit: 0.1 };
    await selectBackend({ preferred: 'wasm', smokeTest: false });
    const wasm: TrainingResult = await trainDesign({ design, designText, runsFolder: join(runs, 'wasm'), settings, replicas: 1 });
    await tf.setBackend('cpu');
    const torch: TrainingResult = await trainWithPyTorch({ design, designText, runsFolder: join(runs, 'pytorch'), settings }, { python: python!, device: 'cpu' });

    assert.equal(wasm.status, 'completed');
    assert.equal(torch.status, 'completed');
    assert.equal(torch.epochs.length, 2);
    const [a, b] = [wasm.test!.accuracy, torch.test!.accuracy];
    assert.ok(a > 0.9 && b > 0.9, `both learn: wasm ${a}, pytorch ${b}`);
    assert.ok(Math.abs(a - b) <= 0.01, `test accuracies within 1 point: wasm ${(a * 100).toFixed(2)}%, pytorch ${(b * 100).toFixed(2)}%`);

    // The same views, filled the same way.
    for (const key of ['confusion', 'perClassAccuracy', 'misclassified', 'gallery'] as const) assert.ok(torch.test![key]!.length > 0, key);
    assert.equal(torch.test!.confusion.flat().reduce((x, y) => x + y, 0), wasm.test!.confusion.flat().reduce((x, y) => x + y, 0));
    assert.deepEqual(torch.test!.gallery!.map((g) => [g.index, g.trueLabel]), wasm.test!.gallery!.map((g) => [g.index, g.trueLabel]));
    assert.deepEqual(
      [torch.firstConvFilters!.layerName, torch.firstConvFilters!.filters.length],
      [wasm.firstConvFilters!.layerName, wasm.firstConvFilters!.filters.length],
    );
    const folder = torch.runFolder!;
    for (const file of ['run.json', 'metrics.json', 'design.cnn.json', 'model/model.json', 'model/weights.bin', 'model.safetensors']) assert.ok(existsSync(join(folder, file)), file);
    const manifest = JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8'));
    assert.equal(manifest.backend.name, 'pytorch');
    assert.equal(manifest.engine.device, 'cpu');
    assert.equal(manifest.engine.interpreter, PYTHON);
    assert.match(manifest.engine.versions.torch, /^\d+\.\d+/);
    // Same data on both engines: identical splits, normalization and dataset identity.
    const wasmManifest = JSON.parse(readFileSync(join(wasm.runFolder!, 'run.json'), 'utf8'));
    assert.deepEqual(manifest.dataset, wasmManifest.dataset);
    assert.deepEqual(manifest.normalization, wasmManifest.normalization);
    assert.equal(wasmManifest.engine.name, 'wasm');
  });
});
