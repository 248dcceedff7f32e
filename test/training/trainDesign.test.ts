// The trainer, in process, on the wasm backend and the embedded MNIST sample, kept to a few batches:
// results, run folder, reproducibility, cancel with checkpoint, divergence, losses and settings.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Design, TrainingSettings } from '../../src/core/design';
import { parseDesign } from '../../src/core/format/parseDesign';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { datasetContentHash } from '../../src/training/data/imageDataset';
import { loadMnistSample } from '../../src/training/data/mnistSampleFile';
import { selectBackend } from '../../src/training/engine/selectBackend';
import { EarlyStopping } from '../../src/training/trainer/earlyStopping';
import { testMetrics } from '../../src/training/trainer/evaluateModel';
import { fileSystemLoader, fileSystemSaver } from '../../src/training/trainer/fileSystemModelIo';
import { crossEntropy, outputKindOf } from '../../src/training/trainer/outputLoss';
import { learningRateAt, resolveTrainingSettings } from '../../src/training/trainer/resolveTrainingSettings';
import { listRuns, runsFolderFor } from '../../src/training/trainer/runFolder';
import { trainDesign, type TrainDesignRequest, type TrainerHooks } from '../../src/training/trainer/trainDesign';
import type { TrainingProgress } from '../../src/training/trainer/trainingReport';
import { chainDesign } from '../support/designBuilder';

const mnistText = readFileSync(join(__dirname, '../../examples/mnist-cnn.cnn.json'), 'utf8');
const mnistDesign = parseDesign(mnistText).design as Design;
let runs: string;

function request(overrides: Partial<TrainDesignRequest> & { settings?: TrainingSettings } = {}): TrainDesignRequest {
  return {
    design: mnistDesign,
    designText: mnistText,
    runsFolder: runs,
    ...overrides,
    settings: { ...mnistDesign.training, dataset: 'mnist-sample', epochs: 1, ...overrides.settings },
    limits: { maxBatchesPerEpoch: 6, maxTestImages: 200, ...overrides.limits },
  };
}

describe('trainDesign', function () {
  this.timeout(120_000);
  before(async () => {
    runs = mkdtempSync(join(tmpdir(), 'cnn-runs-'));
    await selectBackend({ preferred: 'wasm', smokeTest: false });
  });
  after(async () => {
    rmSync(runs, { recursive: true, force: true });
    await tf.setBackend('cpu');
  });

  it('trains the course MNIST CNN and reports every result, with flat memory over epochs', async () => {
    const progress: TrainingProgress[] = [];
    let folder = '';
    const result = await trainDesign(request({ settings: { epochs: 3, augment: { cropPadding: 2 } }, limits: { maxBatchesPerEpoch: 15, maxTestImages: 400 } }), {
      onProgress: (p) => progress.push(p),
      onRunFolder: (f) => (folder = f),
    });
    assert.equal(result.status, 'completed');
    assert.equal(result.backend, 'wasm');
    assert.equal(result.epochs.length, 3);
    for (const e of result.epochs) {
      for (const v of [e.trainLoss, e.trainAccuracy, e.trainTop5, e.validationLoss!, e.validationAccuracy!, e.validationTop5!]) assert.ok(Number.isFinite(v));
      assert.ok(e.validationTop5! >= e.validationAccuracy!);
    }
    // Nothing leaks: the same number of live tensors after every epoch.
    assert.deepEqual(result.epochs.map((e) => e.tensors), result.epochs.map(() => result.epochs[0].tensors));
    assert.ok(progress.length >= 3 && progress.every((p) => p.batch <= p.batches && p.etaSeconds >= 0 && p.samplesPerSecond > 0));
    const test = result.test!;
    assert.ok(test.accuracy > 0.4, `45 batches should beat chance (10%) clearly, got ${test.accuracy}`);
    assert.equal(test.confusion.flat().reduce((a, b) => a + b, 0), 400);
    assert.equal(test.perClassAccuracy.length, 10);
    const diagonal = test.confusion.reduce((a, row, k) => a + row[k], 0);
    assert.equal(diagonal / 400, test.accuracy);
    for (const m of test.misclassified) {
      assert.notEqual(m.trueLabel, m.predictedLabel);
      assert.equal(m.pixels.length, 784);
    }
    // The gallery: the first 4 test images of each class, in test-set order, with the same predictions
    // the confusion matrix and the misclassified sample were counted from.
    const sample = loadMnistSample().test;
    const expectedIndices = Array.from({ length: 10 }, (_, k) => [...sample.labels.subarray(0, 400)].flatMap((label, i) => (label === k ? [i] : [])).slice(0, 4)).flat();
    const gallery = test.gallery!;
    assert.equal(gallery.length, 40);
    assert.deepEqual(gallery.map((g) => g.index), expectedIndices);
    assert.deepEqual(gallery.map((g) => g.trueLabel), expectedIndices.map((i) => sample.labels[i]));
    for (const g of gallery) {
      assert.deepEqual(g.pixels, [...sample.pixels.subarray(g.index * 784, (g.index + 1) * 784)], `gallery image ${g.index} pixels`);
      assert.ok(g.predictedLabel >= 0 && g.predictedLabel < 10 && g.confidence > 0 && g.confidence <= 1);
      assert.ok(test.confusion[g.trueLabel][g.predictedLabel] > 0, `confusion counts gallery image ${g.index}'s prediction`);
      const wrong = test.misclassified.find((m) => m.index === g.index);
      if (wrong) assert.deepEqual(g, wrong, 'the misclassified sample and the gallery agree on a shared image');
      else if (test.misclassified.length < 24 || g.index < test.misclassified.at(-1)!.index) assert.equal(g.predictedLabel, g.trueLabel, `gallery image ${g.index} is not among the misclassified, so it was right`);
    }
    assert.ok(gallery.some((g) => g.predictedLabel === g.trueLabel), 'the gallery holds correctly classified images too');
    const filters = result.firstConvFilters!;
    assert.equal(filters.filters.length, 10);
    assert.deepEqual([filters.height, filters.width, filters.inChannels], [5, 5, 1]);
    assert.ok(filters.filters.every((f) => f.length === 25 && Math.min(...f) === 0 && Math.max(...f) === 255));

    // The run folder records exactly what was trained and holds a loadable model.
    assert.equal(result.runFolder, folder);
    const manifest = JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8'));
    assert.equal(manifest.designHash, createHash('sha256').update(mnistText).digest('hex'));
    assert.equal(readFileSync(join(folder, 'design.cnn.json'), 'utf8'), mnistText);
    assert.equal(manifest.dataset.contentHash, datasetContentHash(loadMnistSample()));
    assert.equal(manifest.seed, 42);
    assert.equal(manifest.hyperparameters.optimizer, 'adam');
    assert.equal(manifest.backend.name, 'wasm');
    assert.equal(manifest.versions.tfjs, tf.version.tfjs);
    const metrics = JSON.parse(readFileSync(join(folder, 'metrics.json'), 'utf8'));
    assert.equal(metrics.test.accuracy, test.accuracy);
    assert.deepEqual(metrics.test.gallery, gallery, 'metrics.json keeps the gallery');
    const model = await tf.loadLayersModel(fileSystemLoader(join(folder, 'model')));
    assert.equal(model.countParams(), 21840);
    model.dispose();
    assert.ok(listRuns(runs).some((r) => r.folder === folder && r.metrics?.status === 'completed'));
  });

  it('is reproducible: the same seed gives the same losses, another seed different ones', async () => {
    const losses = async (seed: number) => {
      const r = await trainDesign(request({ runsFolder: undefined, settings: { seed, validationSplit: 0 }, limits: { maxBatchesPerEpoch: 4, maxTestImages: 50 } }));
      return [r.epochs[0].trainLoss, r.test!.loss];
    };
    const a = await losses(3);
    assert.deepEqual(await losses(3), a);
    assert.notDeepEqual(await losses(4), a);
  });

  it('stops on cancel between batches, keeping the last completed epoch\'s checkpoint', async () => {
    let cancel = false;
    let folder = '';
    const hooks: TrainerHooks = {
      onProgress: (p) => {
        if (p.epoch === 2 && p.batch >= 2) cancel = true;
      },
      onRunFolder: (f) => (folder = f),
      isCancelled: () => cancel,
    };
    const result = await trainDesign(request({ settings: { epochs: 3, validationSplit: 0 }, limits: { maxBatchesPerEpoch: 5 } }), hooks);
    assert.equal(result.status, 'cancelled');
    assert.match(result.stopReason!, /checkpoint of epoch 1 is kept/);
    assert.equal(result.epochs.length, 1);
    assert.equal(result.test, undefined);
    assert.ok(existsSync(join(folder, 'model', 'model.json')));
    const metrics = JSON.parse(readFileSync(join(folder, 'metrics.json'), 'utf8'));
    assert.equal(metrics.status, 'cancelled');
    assert.equal(metrics.epochs.length, 1);
  });

  it('stops with an explanation when the loss becomes NaN or infinite', async () => {
    const design = chainDesign([28, 28, 1], [['Flatten'], ['Dense', { units: 10 }]]);
    const text = JSON.stringify(design);
    const result = await trainDesign(
      request({ design, designText: text, settings: { optimizer: 'sgd', learningRate: 1e36, momentum: 0.9, epochs: 2 }, limits: { maxBatchesPerEpoch: 30 } }),
    );
    assert.equal(result.status, 'diverged');
    assert.match(result.stopReason!, /The loss became (NaN|Infinity).*learning rate \(1e\+36\) is most likely too high/);
    assert.equal(result.test, undefined);
  });

  it('refuses a design whose output cannot hold the dataset\'s classes, naming the fix', async () => {
    const design = chainDesign([28, 28, 1], [['Flatten'], ['Dense', { units: 5, activation: 'softmax' }]]);
    await assert.rejects(trainDesign(request({ design, designText: JSON.stringify(design) })), /output has 5 units but mnist-sample has 10 classes: set the last layer's units to 10/);
  });

  it('trains with SGD + momentum and RMSprop too, stepping the learning-rate schedule per epoch', async () => {
    for (const settings of [
      { optimizer: 'sgd', learningRate: 0.05, momentum: 0.9, schedule: 'step', decayRate: 0.5, decaySteps: 1 },
      { optimizer: 'rmsprop', learningRate: 0.001, schedule: 'exponential', decayRate: 0.9 },
    ] as TrainingSettings[]) {
      const r = await trainDesign(request({ runsFolder: undefined, settings: { ...settings, epochs: 2, validationSplit: 0 }, limits: { maxBatchesPerEpoch: 10, maxTestImages: 50 } }));
      assert.equal(r.status, 'completed');
      assert.ok(r.epochs[1].trainLoss < r.epochs[0].trainLoss, `${settings.optimizer}: ${r.epochs.map((e) => e.trainLoss)}`);
      assert.deepEqual(r.epochs.map((e) => e.learningRate), [settings.learningRate!, settings.learningRate! * settings.decayRate!]);
    }
  });

  it('adds the L2 penalty to the loss', async () => {
    const firstLoss = async (l2: number) => {
      let loss = NaN;
      await trainDesign(request({ runsFolder: undefined, settings: { l2, validationSplit: 0 }, limits: { maxBatchesPerEpoch: 1, maxTestImages: 10 } }), {
        onProgress: (p) => (loss = p.loss),
      });
      return loss;
    };
    assert.ok((await firstLoss(1)) > (await firstLoss(0)) + 0.1);
  });
});

describe('losses by output kind', () => {
  it('reads softmax, log-softmax and linear outputs, and their cross-entropies agree', () => {
    const head = (activation: string) => compileDesign(chainDesign([4], [['Dense', { units: 3, activation }]]));
    const models = { softmax: head('softmax'), logSoftmax: head('logSoftmax'), linear: head('linear') };
    assert.equal(outputKindOf(models.softmax), 'probabilities');
    assert.equal(outputKindOf(models.logSoftmax), 'logProbabilities');
    assert.equal(outputKindOf(models.linear), 'logits');
    Object.values(models).forEach((m) => m.dispose());
    const logits = tf.tensor2d([[1, 2, 0.5], [0, -1, 3]]);
    const target = tf.tensor2d([[0, 1, 0], [1, 0, 0]]);
    const fromLogits = crossEntropy(target, logits, 'logits').dataSync()[0];
    const fromLog = crossEntropy(target, tf.logSoftmax(logits), 'logProbabilities').dataSync()[0];
    const fromProbabilities = crossEntropy(target, tf.softmax(logits), 'probabilities').dataSync()[0];
    const expected = -(Math.log(Math.exp(2) / (Math.exp(1) + Math.exp(2) + Math.exp(0.5))) + Math.log(1 / (1 + Math.exp(-1) + Math.exp(3)))) / 2;
    for (const v of [fromLogits, fromLog, fromProbabilities]) assert.ok(Math.abs(v - expected) < 1e-5, `${v} vs ${expected}`);
  });
});

describe('training settings', () => {
  it('fills PyTorch-like defaults and names the field of a bad value', () => {
    const s = resolveTrainingSettings({ optimizer: 'sgd' });
    assert.equal(s.learningRate, 0.01);
    assert.equal(s.momentum, 0.9);
    assert.equal(s.dataset, 'mnist-sample');
    assert.throws(() => resolveTrainingSettings({ epochs: 0 }), /training\.epochs must be an integer in \[1, \d+\], got 0/);
    assert.throws(() => resolveTrainingSettings({ learningRate: -1 }), /training\.learningRate must be a number > 0, got -1/);
    assert.throws(() => resolveTrainingSettings({ optimizer: 'lbfgs' }), /training\.optimizer must be one of sgd, adam, rmsprop/);
  });

  it('steps the learning-rate schedules per epoch', () => {
    const step = resolveTrainingSettings({ learningRate: 1, schedule: 'step', decayRate: 0.5, decaySteps: 2 });
    assert.deepEqual([0, 1, 2, 3, 4].map((e) => learningRateAt(step, e)), [1, 1, 0.5, 0.5, 0.25]);
    const exp = resolveTrainingSettings({ learningRate: 1, schedule: 'exponential', decayRate: 0.9 });
    assert.ok(Math.abs(learningRateAt(exp, 2) - 0.81) < 1e-12);
    assert.equal(learningRateAt(resolveTrainingSettings({ learningRate: 0.3 }), 7), 0.3);
  });

  it('stops early after `patience` epochs without a better loss', () => {
    const stopping = new EarlyStopping(2);
    assert.deepEqual([1.0, 0.8, 0.9, 0.7, 0.75, 0.7].map((loss) => stopping.shouldStop(loss)), [false, false, false, false, false, true]);
    const never = new EarlyStopping(0);
    assert.ok([1, 2, 3, 4].every((loss) => !never.shouldStop(loss)));
  });

  it('names a design\'s runs folder after the design file', () => {
    assert.equal(runsFolderFor(join('examples', 'mnist-cnn.cnn.json')), join('examples', 'mnist-cnn.runs'));
  });
});

describe('fileSystemSaver / fileSystemLoader', () => {
  it('round-trips a model with its weights', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cnn-model-'));
    try {
      const model = compileDesign(chainDesign([3, 3, 1], [['Conv2D', { filters: 2, kernelSize: 2 }], ['Flatten'], ['Dense', { units: 3, activation: 'logSoftmax' }]]));
      await model.save(fileSystemSaver(join(folder, 'm')));
      const loaded = await tf.loadLayersModel(fileSystemLoader(join(folder, 'm')));
      const x = tf.randomNormal([2, 3, 3, 1], 0, 1, 'float32', 9);
      assert.deepEqual(Array.from((loaded.predict(x) as tf.Tensor).dataSync()), Array.from((model.predict(x) as tf.Tensor).dataSync()));
      model.dispose();
      loaded.dispose();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('testMetrics', () => {
  it('keeps the first test images of each class as a gallery, right or wrong, agreeing with the confusion matrix', () => {
    // 12 one-pixel images of 3 classes; the "model" gets images 1, 4 and 9 wrong.
    const labels = Uint8Array.from([0, 1, 0, 2, 1, 0, 0, 1, 2, 2, 1, 0]);
    const predictions = Uint8Array.from(labels);
    predictions[1] = 2;
    predictions[4] = 0;
    predictions[9] = 1;
    const set = { pixels: Uint8Array.from(labels.map((_, i) => i * 10)), labels, count: labels.length };
    const evaluation = { loss: 1, accuracy: 9 / 12, top5: 1, predictions, confidences: Float32Array.from(labels.map((_, i) => 0.5 + i / 100)) };
    const metrics = testMetrics(set, evaluation, 3, 1, 2, 2);
    assert.deepEqual(metrics.gallery!.map((g) => [g.index, g.trueLabel, g.predictedLabel, g.pixels[0]]), [
      [0, 0, 0, 0],
      [2, 0, 0, 20],
      [1, 1, 2, 10],
      [4, 1, 0, 40],
      [3, 2, 2, 30],
      [8, 2, 2, 80],
    ]);
    assert.equal(metrics.gallery![3].confidence, evaluation.confidences[4]);
    assert.deepEqual(metrics.misclassified.map((m) => m.index), [1, 4], 'the misclassified sample stops at its limit');
    assert.deepEqual(metrics.misclassified, metrics.gallery!.filter((g) => g.trueLabel !== g.predictedLabel));
    for (const g of metrics.gallery!) assert.ok(metrics.confusion[g.trueLabel][g.predictedLabel] > 0);
    assert.deepEqual(metrics.confusion, [
      [5, 0, 0],
      [1, 2, 1],
      [0, 1, 2],
    ]);
  });
});
