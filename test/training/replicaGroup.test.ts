// Data-parallel training with real worker-thread replicas (the bundled dist/trainingProcess.js,
// rebuilt here): a split batch takes the same step as the whole batch in one copy, the copies stay
// bit-for-bit equal, batch-norm statistics are averaged, a whole run trains and records its
// replicas, and a replica that cannot start fails the run with a reason.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Design } from '../../src/core/design';
import { parseDesign } from '../../src/core/format/parseDesign';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { SeededRandom } from '../../src/training/data/seededRandom';
import { selectBackend } from '../../src/training/engine/selectBackend';
import { automaticReplicaCount, ReplicaGroup } from '../../src/training/parallel/ReplicaGroup';
import { outputKindOf } from '../../src/training/trainer/outputLoss';
import { resolveTrainingSettings } from '../../src/training/trainer/resolveTrainingSettings';
import { RUN_FILES } from '../../src/training/trainer/runFolder';
import { BatchFeeder } from '../../src/training/data/batchFeeder';
import { evaluateSet, type BatchPredictor, type SetEvaluation } from '../../src/training/trainer/evaluateModel';
import { trainDesign } from '../../src/training/trainer/trainDesign';
import { trainingObjective } from '../../src/training/trainer/trainingObjective';
import { chainDesign } from '../support/designBuilder';

const root = join(__dirname, '..', '..');
const script = join(root, 'dist', 'trainingProcess.js');

/** A small CNN without dropout, so that a step is a pure function of weights and data. */
const deterministicDesign = chainDesign([12, 12, 1], [
  ['Conv2D', { filters: 4, kernelSize: 3, activation: 'relu' }],
  ['MaxPool2D', { poolSize: 2 }],
  ['Flatten', {}],
  ['Dense', { units: 10, activation: 'logSoftmax' }],
]);
const batchNormDesign = chainDesign([12, 12, 1], [
  ['Conv2D', { filters: 4, kernelSize: 3 }],
  ['BatchNorm', {}],
  ['Flatten', {}],
  ['Dense', { units: 10 }],
]);
/** Batch norm and dropout: evaluation must use the running statistics and no dropout in every copy. */
const evaluationDesign = chainDesign([12, 12, 1], [
  ['Conv2D', { filters: 4, kernelSize: 3, activation: 'relu' }],
  ['BatchNorm', {}],
  ['Flatten', {}],
  ['Dropout', { rate: 0.5 }],
  ['Dense', { units: 10, activation: 'softmax' }],
]);

function batch(design: Design, count: number, seed: number): { pixels: Float32Array; labels: Int32Array } {
  const random = new SeededRandom(seed);
  const [h, w, c] = design.nodes[0].params.shape as number[];
  return {
    pixels: Float32Array.from({ length: count * h * w * c }, () => random.next() * 2 - 1),
    labels: Int32Array.from({ length: count }, () => Math.floor(random.next() * 10)),
  };
}

async function group(design: Design, replicas: number, optimizer: 'adam' | 'sgd' = 'adam'): Promise<{ group: ReplicaGroup; model: tf.LayersModel }> {
  tf.setBackend('wasm');
  const random = new SeededRandom(1);
  const originalRandom = Math.random;
  Math.random = () => random.next(); // the same initial weights in every group
  const model = compileDesign(design);
  Math.random = originalRandom;
  const settings = resolveTrainingSettings({ optimizer, learningRate: 0.01 });
  const kind = outputKindOf(model);
  const replicaGroup = await ReplicaGroup.start({ design, model, objective: trainingObjective(kind, 0, model.trainableWeights), backend: 'wasm', settings, kind, classCount: 10, replicas, script });
  return { group: replicaGroup, model };
}

const weightsOf = (model: tf.LayersModel): Float32Array[] => model.weights.map((w) => w.read().dataSync() as Float32Array);

describe('ReplicaGroup (data-parallel training)', function () {
  this.timeout(120_000);
  let runs: string;
  before(async () => {
    execFileSync(process.execPath, ['esbuild.config.mjs', '--only=trainingProcess'], { cwd: root, stdio: 'inherit' });
    await selectBackend({ preferred: 'wasm', smokeTest: false });
    runs = mkdtempSync(join(tmpdir(), 'cnn-replica-runs-'));
  });
  after(async () => {
    rmSync(runs, { recursive: true, force: true });
    await tf.setBackend('cpu');
  });

  it('"auto" uses one copy per core (up to 4) on wasm and cpu while slices keep 8 samples, and one on native engines', () => {
    assert.equal(automaticReplicaCount('wasm', 64, 2), 2);
    assert.equal(automaticReplicaCount('cpu', 64, 16), 4);
    assert.equal(automaticReplicaCount('wasm', 12, 8), 1);
    assert.equal(automaticReplicaCount('wasm', 24, 8), 3);
    assert.equal(automaticReplicaCount('tensorflow', 64, 16), 1);
    assert.equal(automaticReplicaCount('tensorflow-gpu', 256, 16), 1);
  });

  it('a batch split over 3 copies takes the step one copy takes on the whole batch (to 1e-5), and the copies stay bit-for-bit equal', async () => {
    const single = await group(deterministicDesign, 1);
    const split = await group(deterministicDesign, 3);
    try {
      assert.equal(split.group.size, 3);
      assert.deepEqual(weightsOf(split.model), weightsOf(single.model));
      for (let step = 0; step < 4; step++) {
        // 37 samples: uneven slices (13, 12, 12) weigh by their sizes.
        const { pixels, labels } = batch(deterministicDesign, 37, step);
        const a = await single.group.trainBatch(pixels, labels, 0.01);
        const b = await split.group.trainBatch(pixels, labels, 0.01);
        assert.ok(Math.abs(a.loss - b.loss) < 1e-5, `loss ${a.loss} vs ${b.loss}`);
        assert.equal(a.accuracy, b.accuracy);
        assert.equal(a.top5, b.top5);
      }
      await Promise.all([single.group.synchronize(), split.group.synchronize()]);
      const expected = weightsOf(single.model);
      weightsOf(split.model).forEach((w, i) => {
        const worst = Math.max(...Array.from(w, (x, j) => Math.abs(x - expected[i][j])));
        assert.ok(worst < 1e-5, `weight ${i} differs by ${worst}`);
      });
      const own = weightsOf(split.model);
      for (const copy of await split.group.replicaWeights()) assert.deepEqual(copy, own);
    } finally {
      await Promise.all([single.group.dispose(), split.group.dispose()]);
      single.model.dispose();
      split.model.dispose();
    }
  });

  it('a batch smaller than the group uses fewer copies', async () => {
    const { group: replicas, model } = await group(deterministicDesign, 3, 'sgd');
    try {
      const { pixels, labels } = batch(deterministicDesign, 2, 9);
      const step = await replicas.trainBatch(pixels, labels, 0.1);
      assert.ok(Number.isFinite(step.loss));
      await replicas.synchronize();
      const own = weightsOf(model);
      // The third copy got no slice, yet applied the same mean gradient.
      for (const copy of await replicas.replicaWeights()) assert.deepEqual(copy, own);
    } finally {
      await replicas.dispose();
      model.dispose();
    }
  });

  it('averages the batch-norm statistics over the copies', async () => {
    const { group: replicas, model } = await group(batchNormDesign, 2);
    try {
      const { pixels, labels } = batch(batchNormDesign, 32, 3);
      await replicas.trainBatch(pixels, labels, 0.01);
      const before = model.nonTrainableWeights.map((w) => Array.from(w.read().dataSync()));
      const [theirs] = await replicas.replicaWeights();
      const theirStatistics = model.weights.flatMap((w, i) => (w.trainable ? [] : [Array.from(theirs[i])]));
      // Each copy saw a different half, so their statistics differ until averaged.
      assert.notDeepEqual(theirStatistics, before);
      await replicas.synchronize();
      const after = model.nonTrainableWeights.map((w) => Array.from(w.read().dataSync()));
      after.forEach((values, i) => values.forEach((v, j) => assert.ok(Math.abs(v - (before[i][j] + theirStatistics[i][j]) / 2) < 1e-6)));
      const [synced] = await replicas.replicaWeights();
      assert.deepEqual(model.weights.flatMap((w, i) => (w.trainable ? [] : [Array.from(synced[i])])), after);
    } finally {
      await replicas.dispose();
      model.dispose();
    }
  });

  it('evaluation split over the copies gives the metrics one copy gives on whole batches (to 1e-5)', async () => {
    const { group: replicas, model } = await group(evaluationDesign, 3);
    try {
      for (let step = 0; step < 3; step++) {
        const { pixels, labels } = batch(evaluationDesign, 30, 20 + step);
        await replicas.trainBatch(pixels, labels, 0.01);
      }
      const random = new SeededRandom(5);
      // 50 images in batches of 16: the last batch (2 images) is smaller than the group.
      const set = { count: 50, pixels: Uint8Array.from({ length: 50 * 144 }, () => Math.floor(random.next() * 256)), labels: Uint8Array.from({ length: 50 }, () => Math.floor(random.next() * 10)) };
      const feeder = new BatchFeeder([12, 12, 1], { mean: [0.5], std: [0.25] }, 16);
      const oneCopy: BatchPredictor = async (pixels, count) => tf.tidy(() => model.predict(tf.tensor(pixels, [count, 12, 12, 1])) as tf.Tensor).dataSync() as Float32Array;
      const compare = (a: SetEvaluation, b: SetEvaluation): boolean =>
        Math.abs(a.loss - b.loss) < 1e-5 && a.accuracy === b.accuracy && a.top5 === b.top5 && a.predictions.every((p, i) => p === b.predictions[i]) && a.confidences.every((c, i) => Math.abs(c - b.confidences[i]) < 1e-5);
      // Before synchronize() the copies' batch-norm statistics differ (each saw its own slices), so their slices' outputs differ too.
      assert.ok(!compare(await evaluateSet((p, n) => replicas.predictBatch(p, n), set, feeder, 16, 'probabilities'), await evaluateSet(oneCopy, set, feeder, 16, 'probabilities')));
      await replicas.synchronize();
      const split = await evaluateSet((p, n) => replicas.predictBatch(p, n), set, feeder, 16, 'probabilities');
      const whole = await evaluateSet(oneCopy, set, feeder, 16, 'probabilities');
      assert.ok(compare(split, whole), `split: loss ${split.loss}, accuracy ${split.accuracy}; one copy: loss ${whole.loss}, accuracy ${whole.accuracy}`);
      // Training goes on after an evaluation, every copy still equal.
      await replicas.trainBatch(batch(evaluationDesign, 30, 40).pixels, batch(evaluationDesign, 30, 40).labels, 0.01);
      const copies = await replicas.replicaWeights(); // applies the last update everywhere first
      const own = weightsOf(model);
      for (const copy of copies) copy.forEach((w, i) => (model.weights[i].trainable ? assert.deepEqual(w, own[i]) : undefined));
    } finally {
      await replicas.dispose();
      model.dispose();
    }
  });

  it('trains the course MNIST CNN with 2 copies and records them in the run', async () => {
    const text = readFileSync(join(root, 'examples', 'mnist-cnn.cnn.json'), 'utf8');
    const design = parseDesign(text).design as Design;
    const logs: string[] = [];
    const result = await trainDesign(
      { design, designText: text, runsFolder: runs, replicas: 2, replicaScript: script, settings: { ...design.training, dataset: 'mnist-sample', epochs: 2 }, limits: { maxBatchesPerEpoch: 25, maxTestImages: 400 } },
      { onLog: (m) => logs.push(m) },
    );
    assert.equal(result.status, 'completed');
    assert.ok(result.test!.accuracy > 0.6, `50 batches should reach well over 60%, got ${result.test!.accuracy}`);
    assert.ok(result.epochs[1].trainLoss < result.epochs[0].trainLoss);
    assert.ok(logs.some((m) => /2 data-parallel copies/.test(m)));
    const manifest = JSON.parse(readFileSync(join(result.runFolder!, RUN_FILES.manifest), 'utf8')) as { replicas: number };
    assert.equal(manifest.replicas, 2);
  });

  it('a replica that cannot start fails with the reason, and nothing is left running', async () => {
    const model = compileDesign(deterministicDesign);
    const settings = resolveTrainingSettings({});
    const kind = outputKindOf(model);
    await assert.rejects(
      ReplicaGroup.start({ design: deterministicDesign, model, objective: trainingObjective(kind, 0, model.trainableWeights), backend: 'wasm', settings, kind, classCount: 10, replicas: 2, script: join(root, 'no-such-replica.js') }),
      /A training replica (crashed|exited)/,
    );
    await assert.rejects(
      ReplicaGroup.start({ design: deterministicDesign, model, objective: trainingObjective(kind, 0, model.trainableWeights), backend: 'tensorflow', settings, kind, classCount: 10, replicas: 2, script }),
      /run on the wasm or cpu engine, not tensorflow/,
    );
    model.dispose();
  });
});
