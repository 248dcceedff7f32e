// Batch normalization's training mode as one kernel and one gradient kernel on wasm, against TF.js'
// own composition (moments + batchNorm, differentiated by TF.js) on the cpu backend, and in a layer
// that must keep TF.js' moving averages and saved class name.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { batchNormTraining, BATCH_NORM_TRAINING } from '../../src/training/engine/kernels/batchNormTraining';
import { installTrainingKernels } from '../../src/training/engine/kernels/installTrainingKernels';
import { initWasmBackend } from '../../src/training/engine/initWasmBackend';
import { fastBatchNormClass } from '../../src/training/compile/fastBatchNorm';
import { seededRandom } from '../support/randomDesign';

interface Case {
  shape: number[];
  epsilon: number;
  /** Added to x: a large mean tests the variance's precision. */
  shift: number;
}

/** TF.js' own training-mode normalization (what its BatchNormalization layer computes). */
function composed(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor[] {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return [tf.batchNorm(x, mean, variance, beta, gamma, epsilon), mean, variance];
}

function values(rnd: () => number, size: number, shift = 0): Float32Array {
  return Float32Array.from({ length: size }, () => shift + (rnd() * 2 - 1) * 3);
}

/** Outputs and gradients (x, γ, β) for an upstream gradient dy, on the current backend. */
function run(c: Case, data: { x: Float32Array; gamma: Float32Array; beta: Float32Array; dy: Float32Array }, fused: boolean) {
  return tf.tidy(() => {
    const channels = c.shape[c.shape.length - 1];
    const x = tf.tensor(data.x, c.shape);
    const gamma = tf.tensor1d(data.gamma);
    const beta = tf.tensor1d(data.beta);
    const dy = tf.tensor(data.dy, c.shape);
    const normalize = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => (fused ? batchNormTraining(a, g, b, c.epsilon) : composed(a, g, b, c.epsilon));
    const [y, mean, variance] = normalize(x, gamma, beta);
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(normalize(a, g, b)[0], dy)))([x, gamma, beta]);
    assert.deepEqual([mean.shape, variance.shape], [[channels], [channels]]);
    return { y: y.dataSync(), mean: mean.dataSync(), variance: variance.dataSync(), dx: grads[0].dataSync(), dGamma: grads[1].dataSync(), dBeta: grads[2].dataSync() };
  });
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tolerance = 2e-4): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * (1 + scale), `${what}[${i}]: ${actual[i]} vs ${expected[i]} (scale ${scale})`);
  }
}

describe('batch normalization in training mode (one kernel and one gradient kernel on wasm)', function () {
  this.timeout(120_000);

  before(async () => {
    await tf.setBackend('cpu');
    installTrainingKernels('cpu');
    await initWasmBackend();
    installTrainingKernels('wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('is registered on wasm only', () => {
    assert.ok(tf.getKernel(BATCH_NORM_TRAINING, 'wasm'));
    assert.equal(tf.getKernel(BATCH_NORM_TRAINING, 'cpu'), undefined);
  });

  const rnd = seededRandom(19);
  const cases: Case[] = [
    { shape: [4, 5, 6, 7], epsilon: 1e-3, shift: 0 },
    { shape: [1, 3, 3, 1], epsilon: 1e-5, shift: 0 },
    { shape: [8, 4, 4, 96], epsilon: 1e-5, shift: 0 },
    { shape: [3, 11, 13], epsilon: 1e-3, shift: 0 },
    { shape: [16, 10], epsilon: 1e-3, shift: 0 },
    { shape: [2, 6, 6, 5], epsilon: 1e-3, shift: 100 },
  ];
  for (const c of cases) {
    it(`equals TF.js' composition, outputs and gradients: x ${c.shape.join('×')}, ε ${c.epsilon}${c.shift ? `, mean ${c.shift}` : ''}`, async () => {
      const size = c.shape.reduce((a, b) => a * b, 1);
      const channels = c.shape[c.shape.length - 1];
      const data = { x: values(rnd, size, c.shift), gamma: values(rnd, channels), beta: values(rnd, channels), dy: values(rnd, size) };
      await tf.setBackend('cpu');
      const expected = run(c, data, false);
      await tf.setBackend('wasm');
      const actual = run(c, data, true);
      for (const key of ['y', 'mean', 'variance', 'dx', 'dGamma', 'dBeta'] as const) assertClose(actual[key], expected[key], key, key === 'variance' && c.shift ? 1e-3 : 2e-4);
    });
  }

  it('frees every intermediate (outputs and gradients)', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const x = tf.randomNormal([2, 4, 4, 6]);
    const gamma = tf.ones([6]);
    const beta = tf.zeros([6]);
    const tensors = tf.memory().numTensors;
    const dataIds = backend.numDataIds();
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(batchNormTraining(a, g, b, 1e-3)[0])))([x, gamma, beta]);
    tf.dispose(grads);
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(backend.numDataIds(), dataIds);
    tf.dispose([x, gamma, beta]);
  });

  it('in the layer: a training step on wasm takes the same output, moving averages and gradients as TF.js\' layer on cpu, and saves as BatchNormalization', async () => {
    const FastBatchNorm = fastBatchNormClass();
    const config = { momentum: 0.9, epsilon: 1e-5, name: 'bn' };
    const data = values(rnd, 4 * 5 * 5 * 8, 1.5);
    const dyData = values(rnd, 4 * 5 * 5 * 8);
    const step = (layer: tf.layers.Layer) =>
      tf.tidy(() => {
        const x = tf.tensor4d(data, [4, 5, 5, 8]);
        const dy = tf.tensor4d(dyData, [4, 5, 5, 8]);
        layer.build([4, 5, 5, 8]);
        const gamma = layer.getWeights()[0];
        // A non-trivial γ and β, the same on both.
        layer.setWeights([tf.linspace(0.5, 1.5, 8), tf.linspace(-1, 1, 8), ...layer.getWeights().slice(2)]);
        const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, dy)) as tf.Scalar, variables);
        assert.ok(gamma);
        const weights = layer.getWeights().map((w) => w.dataSync());
        return { loss: value.dataSync()[0], grads: variables.map((v) => grads[v.name].dataSync()), weights, inference: (layer.apply(x, { training: false }) as tf.Tensor).dataSync() };
      });
    await tf.setBackend('cpu');
    const BuiltIn = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization[0] as unknown as new (c: object) => tf.layers.Layer;
    const expected = step(new BuiltIn(config));
    await tf.setBackend('wasm');
    const fastLayer = new FastBatchNorm(config);
    const actual = step(fastLayer);
    assert.ok(Math.abs(actual.loss - expected.loss) <= 1e-3 * (1 + Math.abs(expected.loss)));
    actual.grads.forEach((g, i) => assertClose(g, expected.grads[i], `gradient ${i}`));
    // γ, β, moving mean, moving variance (the moving averages moved by one step).
    actual.weights.forEach((w, i) => assertClose(w, expected.weights[i], `weight ${i}`));
    assertClose(actual.inference, expected.inference, 'inference output');
    assert.equal(fastLayer.getClassName(), 'BatchNormalization');
  });
});
