// The host's view of real runs: a real training process (the service, on the embedded MNIST sample)
// feeds the LiveRunTracker, then the run folder it wrote is read back as history, exported as a table,
// and its saved model gives feature maps in a separate process.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseDesign } from '../../src/core/format/parseDesign';
import { computeFeatureMaps } from '../../src/featureMaps/computeFeatureMaps';
import { formatRunsTable, RUN_TABLE_COLUMNS } from '../../src/runs/formatRunsTable';
import { LiveRunTracker, MAX_PROGRESS_POINTS } from '../../src/runs/LiveRunTracker';
import { pastRunView, readRunHistory, runFolderNamed } from '../../src/runs/readRunHistory';
import { RunFolders, UntrustedWorkspaceError } from '../../src/runs/RunFolders';
import type { HostToTrainingPanelMessage, RunSummary, TrainingProgress } from '../../src/protocol/trainingPanelProtocol';
import { TrainingService } from '../../src/training/service/TrainingService';
import { hashText, RUN_FILES, runsFolderFor, type RunManifest } from '../../src/training/trainer/runFolder';
import { registerCustomLayers } from '../../src/training/compile/customLayers';
import { fileSystemLoader } from '../../src/training/trainer/fileSystemModelIo';
import type { TrainingResult } from '../../src/training/trainer/trainingReport';

const root = join(__dirname, '../..');

describe('training panel host with a real run', function () {
  this.timeout(120_000);
  let workspace: string;
  let designPath: string;
  let emitted: HostToTrainingPanelMessage[];
  let tracker: LiveRunTracker;
  let result: TrainingResult;

  before(async () => {
    execFileSync(process.execPath, ['esbuild.config.mjs', '--only=trainingProcess,featureMapsProcess'], { cwd: root, stdio: 'inherit' });
    workspace = mkdtempSync(join(tmpdir(), 'cnn-panel-host-'));
    designPath = join(workspace, 'mnist-cnn.cnn.json');
    copyFileSync(join(root, 'examples/mnist-cnn.cnn.json'), designPath);
    const designText = readFileSync(designPath, 'utf8');
    const design = parseDesign(designText).design!;
    const settings = { ...design.training, dataset: 'mnist-sample', epochs: 1, batchSize: 32, backend: 'cpu' };
    emitted = [];
    tracker = new LiveRunTracker({ runId: 'r1', startedAt: Date.now(), designHash: hashText(designText), settings }, (m) => emitted.push(m));
    const run = new TrainingService({ processScript: join(root, 'dist/trainingProcess.js') }).start({ design, designText, designPath, settings, limits: { maxTrainImages: 256, maxTestImages: 60 } });
    run.onMessage((m) => tracker.onProcessMessage(m));
    const outcome = await run.outcome;
    tracker.onOutcome(outcome);
    assert.equal(outcome.kind, 'completed', JSON.stringify(outcome).slice(0, 300));
    result = tracker.run.result!;
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it('turns the process\'s messages into the panel\'s, ending with the result', () => {
    const types = emitted.map((m) => m.type);
    assert.equal(types[0], 'runInfo');
    assert.ok(types.includes('progress') && types.includes('epoch'));
    assert.equal(types.at(-1), 'finished');
    assert.equal(tracker.run.phase, 'completed');
    assert.equal(tracker.run.backend, 'cpu');
    assert.equal(tracker.run.runFolder, result.runFolder);
    assert.equal(tracker.run.epochs.length, 1);
    assert.equal(tracker.run.progress.length, emitted.filter((m) => m.type === 'progress').length);
    assert.ok(tracker.finished);
  });

  it('reads the run folder back as a history row with the architecture and accuracies', () => {
    const [summary] = readRunHistory(designPath);
    assert.equal(summary.name, basename(result.runFolder!));
    assert.equal(summary.status, 'completed');
    assert.equal(summary.parameters, 21840, 'the MNIST CNN has 21,840 parameters');
    assert.equal(summary.layers, 11);
    assert.match(summary.architecture, /^Conv2D×2, MaxPool2D×2/);
    assert.equal(summary.testAccuracy, result.test!.accuracy);
    assert.equal(summary.trainAccuracy, result.epochs[0].trainAccuracy);
    assert.equal(summary.backend, 'cpu');
    assert.equal(summary.batchSize, 32);
    assert.deepEqual(summary.curves.map((c) => c.epoch), [1]);
    const view = pastRunView(designPath, summary.name)!;
    assert.equal(view.phase, 'completed');
    assert.deepEqual(view.result!.test!.confusion, result.test!.confusion);
  });

  it('finds runs only by their folder name, and skips a folder whose files are corrupt', () => {
    assert.equal(runFolderNamed(designPath, basename(result.runFolder!)), result.runFolder);
    assert.equal(runFolderNamed(designPath, '..'), undefined);
    assert.equal(runFolderNamed(designPath, 'no-such-run'), undefined);
    const broken = join(runsFolderFor(designPath), '0000-broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'run.json'), '{ "designName": ');
    try {
      assert.equal(readRunHistory(designPath).length, 1);
    } finally {
      rmSync(broken, { recursive: true });
    }
  });

  it('lists a run folder without metrics.json (nothing learnt yet) only while it is the run training now', () => {
    const started = join(runsFolderFor(designPath), '9999-started');
    mkdirSync(started);
    copyFileSync(join(result.runFolder!, 'run.json'), join(started, 'run.json'));
    try {
      assert.deepEqual(readRunHistory(designPath).map((r) => r.name), [basename(result.runFolder!)], 'a stopped or crashed run that learnt nothing is not listed');
      const live = readRunHistory(designPath, started);
      assert.deepEqual(live.map((r) => [r.name, r.status]), [[basename(result.runFolder!), 'completed'], ['9999-started', 'running']]);
    } finally {
      rmSync(started, { recursive: true });
    }
  });

  it('reads, exports, deletes or shows no run folder in an untrusted workspace, whichever request asks', async () => {
    const name = basename(result.runFolder!);
    const untrusted = new RunFolders(designPath, () => false);
    const table = join(workspace, 'runs-table.md');
    const image = { pixels: new Array(28 * 28).fill(0), shape: [28, 28, 1] };
    assert.deepEqual(untrusted.history(), [], 'no run folder is read for the history');
    const refusals: [string, () => unknown][] = [
      ['open', () => untrusted.open(name)],
      ['folder (reveal)', () => untrusted.folder(name, 'Showing a run folder')],
      ['exportForPyTorch', () => untrusted.exportForPyTorch(name)],
      ['delete', () => untrusted.delete(name)],
      ['writeTable', () => untrusted.writeTable(table, 'markdown', [])],
    ];
    for (const [action, run] of refusals) assert.throws(run, UntrustedWorkspaceError, action);
    await assert.rejects(untrusted.featureMaps(name, image, join(root, 'dist/featureMapsProcess.js')), UntrustedWorkspaceError);
    assert.ok(existsSync(result.runFolder!), 'the run folder is still there');
    assert.ok(!existsSync(join(result.runFolder!, 'pytorch')) && !existsSync(table), 'nothing was written');

    // Trusted, the same actions work: on a copy, so the other tests keep their run.
    const copy = join(runsFolderFor(designPath), `${name}-copy`);
    cpSync(result.runFolder!, copy, { recursive: true });
    const trusted = new RunFolders(designPath, () => true);
    assert.equal(trusted.writeTable(table, 'markdown', [`${name}-copy`]), 1);
    assert.match(readFileSync(table, 'utf8'), new RegExp(`${name}-copy`));
    assert.equal(trusted.delete(`${name}-copy`), true);
    assert.equal(existsSync(copy), false);
  });

  it('exports the history as a Markdown table and as CSV', () => {
    const runs = readRunHistory(designPath);
    const markdown = formatRunsTable(runs, 'markdown').trimEnd().split('\n');
    assert.equal(markdown.length, 3, 'header, separator, one row');
    assert.equal(markdown[0].split(' | ').length, RUN_TABLE_COLUMNS.length);
    assert.match(markdown[2], new RegExp(`\\| 21840 \\|.*\\| ${(result.test!.accuracy * 100).toFixed(2)}% \\|`));
    const csv = formatRunsTable(runs, 'csv').split('\r\n');
    assert.equal(csv[0].split(',')[0], 'Run');
    assert.match(csv[1], /,"Conv2D×2, MaxPool2D×2, [^"]*",/, 'a field with commas is quoted');
  });

  it('computes the feature maps of every convolution from the saved model in a separate process', async () => {
    const picked = result.test!.misclassified[0] ?? { pixels: new Array(784).fill(0), trueLabel: 0 };
    const layers = await computeFeatureMaps(result.runFolder!, { pixels: picked.pixels, shape: [28, 28, 1] }, { script: join(root, 'dist/featureMapsProcess.js'), maxChannels: 16 });
    assert.deepEqual(layers.map((l) => [l.layerName, l.height, l.width, l.channels, l.maps.length]), [
      ['conv1', 24, 24, 10, 10],
      ['conv2', 8, 8, 20, 16],
    ]);
    for (const layer of layers) {
      for (const map of layer.maps) {
        assert.equal(map.length, layer.height * layer.width);
        assert.ok(map.every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
      }
      assert.ok(layer.maps.some((m) => Math.max(...m) === 255), `${layer.layerName} has a channel scaled to full range`);
    }
  });

  it("gives the same maps as the pure-JavaScript engine's prediction of the saved model (the process runs on wasm)", async () => {
    const picked = result.test!.misclassified[0] ?? { pixels: Array.from({ length: 784 }, (_, i) => (i * 37) % 256), trueLabel: 0 };
    const layers = await computeFeatureMaps(result.runFolder!, { pixels: picked.pixels, shape: [28, 28, 1] }, { script: join(root, 'dist/featureMapsProcess.js'), maxChannels: 32 });
    const manifest = JSON.parse(readFileSync(join(result.runFolder!, RUN_FILES.manifest), 'utf8')) as RunManifest;
    await tf.setBackend('cpu');
    registerCustomLayers();
    const model = await tf.loadLayersModel(fileSystemLoader(join(result.runFolder!, RUN_FILES.model)));
    const { mean, std } = manifest.normalization;
    const input = tf.tensor4d(picked.pixels.map((p) => (p / 255 - mean[0]) / std[0]), [1, 28, 28, 1]);
    const convs = layers.map((layer) => model.getLayer(layer.layerName).output as tf.SymbolicTensor);
    const outputs = tf.model({ inputs: model.inputs, outputs: convs }).predict(input) as tf.Tensor[];
    for (const [i, layer] of layers.entries()) {
      const values = outputs[i].dataSync();
      for (const [channel, map] of layer.maps.entries()) {
        const column = Array.from({ length: layer.height * layer.width }, (_, k) => values[k * layer.channels + channel]);
        const [min, max] = [Math.min(...column), Math.max(...column)];
        // The same scaling to 0–255; float rounding between the engines may move a value across a half.
        const expected = column.map((v) => (max > min ? Math.round(((v - min) / (max - min)) * 255) : 0));
        assert.ok(map.every((v, k) => Math.abs(v - expected[k]) <= 1), `${layer.layerName} channel ${channel}`);
      }
    }
    tf.dispose([input, ...outputs]);
    model.dispose();
  });

  it('shows a missing dataset as a dataset error with what to do next', async () => {
    const designText = readFileSync(designPath, 'utf8');
    const design = parseDesign(designText).design!;
    const settings = { ...design.training, dataset: 'mnist', datasetPath: join(workspace, 'no-such-folder'), backend: 'cpu' };
    const failed = new LiveRunTracker({ runId: 'r2', startedAt: Date.now(), designHash: hashText(designText), settings }, () => undefined);
    const run = new TrainingService({ processScript: join(root, 'dist/trainingProcess.js') }).start({ design, designText, designPath, settings, runsFolder: join(workspace, 'failed-runs') });
    run.onMessage((m) => failed.onProcessMessage(m));
    failed.onOutcome(await run.outcome);
    assert.equal(failed.run.phase, 'failed');
    assert.equal(failed.run.error!.kind, 'dataset', failed.run.error!.detail);
    assert.match(failed.run.error!.detail, /no-such-folder/);
    assert.match(failed.run.error!.advice, /dataset path/);
  });

  it('explains why there are no feature maps', async () => {
    await assert.rejects(computeFeatureMaps(result.runFolder!, { pixels: new Array(16).fill(0), shape: [4, 4, 1] }, { script: join(root, 'dist/featureMapsProcess.js') }), /4×4×1 but the model takes \[28, 28, 1\]/);
    const empty = mkdtempSync(join(workspace, 'empty-'));
    await assert.rejects(computeFeatureMaps(empty, { pixels: [0], shape: [1, 1, 1] }), /saved no model/);
  });
});

describe('LiveRunTracker', () => {
  const make = () => {
    const emitted: HostToTrainingPanelMessage[] = [];
    const tracker = new LiveRunTracker({ runId: 'r', startedAt: 0, designHash: 'h', settings: {} }, (m) => emitted.push(m));
    return { tracker, emitted };
  };
  const progress = (batch: number): TrainingProgress => ({ epoch: 1, epochs: 1, batch, batches: 1e6, loss: 1, accuracy: 0, samplesPerSecond: 1, etaSeconds: 1, learningRate: 0.1 });

  it('reports a crash as a crash, with advice, and an out-of-memory kill as out of memory', () => {
    const { tracker, emitted } = make();
    tracker.onOutcome({ kind: 'crashed', message: 'The training process exited with code 1 before finishing.' });
    assert.equal(tracker.run.phase, 'failed');
    assert.deepEqual(emitted.map((m) => m.type), ['failed']);
    assert.equal(tracker.run.error!.kind, 'crash');
    const oom = make();
    oom.tracker.onOutcome({ kind: 'crashed', message: 'The training process was killed (SIGKILL) before finishing; running out of memory is the usual cause' });
    assert.equal(oom.tracker.run.error!.kind, 'outOfMemory');
  });

  it('finishes a diverged run with its result and the non-finite loss advice', () => {
    const { tracker, emitted } = make();
    const diverged: TrainingResult = { status: 'diverged', stopReason: 'The loss became NaN at epoch 1, batch 3', epochs: [], classNames: [], imageShape: [], wallSeconds: 1, backend: 'cpu' };
    tracker.onOutcome({ kind: 'completed', result: diverged });
    assert.equal(tracker.run.phase, 'diverged');
    const finished = emitted[0];
    assert.ok(finished.type === 'finished' && finished.error?.kind === 'nonFinite');
  });

  it('ends a run cancelled before any epoch as cancelled', () => {
    const { tracker } = make();
    tracker.onOutcome({ kind: 'cancelled' });
    assert.equal(tracker.run.phase, 'cancelled');
    assert.equal(tracker.run.result!.status, 'cancelled');
  });

  it('keeps a bounded number of progress points, thinning the oldest, and forwards every one', () => {
    const { tracker, emitted } = make();
    const total = MAX_PROGRESS_POINTS * 3;
    for (let b = 1; b <= total; b++) tracker.onProcessMessage({ type: 'progress', progress: progress(b) });
    assert.equal(emitted.length, total);
    assert.ok(tracker.run.progress.length <= MAX_PROGRESS_POINTS);
    assert.equal(tracker.run.progress.at(-1)!.batch, total, 'the newest point is kept');
    const batches = tracker.run.progress.map((p) => p.batch);
    assert.deepEqual(batches, [...batches].sort((a, b) => a - b), 'still in order');
  });
});

describe('run table formatting', () => {
  const row = (overrides: Partial<RunSummary>): RunSummary => ({
    name: 'r1', startedAt: '', status: 'completed', designName: 'Net | v2', layers: 3, parameters: 100, architecture: 'Conv2D, Dense', dataset: 'cifar10', epochsPlanned: 2, batchSize: 8,
    optimizer: 'sgd', learningRate: 0.1, schedule: 'step', validationSplit: 0.1, standardize: true, augmentation: 'flip', backend: 'wasm', curves: [], ...overrides,
  });

  it('escapes pipes in Markdown and quotes in CSV, and leaves missing figures empty', () => {
    const markdown = formatRunsTable([row({ designName: 'Net | v2' })], 'markdown');
    assert.match(markdown, /\| Net \\\| v2 \|/);
    assert.match(markdown, /\| 0\/2 \|/, 'no epoch completed out of 2');
    assert.match(markdown, /\| 0\.1 \(step\) \|/);
    const csv = formatRunsTable([row({ designName: 'say "hi"' })], 'csv');
    assert.match(csv, /,"say ""hi""",/);
    assert.match(csv, /,wasm,completed\r\n$/);
    assert.equal(csv.split('\r\n')[1].split(',').length, RUN_TABLE_COLUMNS.length + 1, 'the quoted architecture holds one comma');
  });
});
