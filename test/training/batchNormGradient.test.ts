// The project's FusedBatchNorm gradient against TF.js' own (the replaced one, same maths in more
// passes): every input's gradient, for 4-D activations and 2-D features, with and without a scale.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { getGradient, type NamedAttrMap } from '@tensorflow/tfjs';
import { registerBatchNormGradient } from '../../src/training/engine/kernels/batchNormGradient';
import { selectBackend } from '../../src/training/engine/selectBackend';

describe('batch-norm gradient', () => {
  const builtIn = getGradient('FusedBatchNorm')!;
  before(async () => {
    await selectBackend({ preferred: 'wasm', smokeTest: false });
    registerBatchNormGradient();
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  for (const [shape, withScale] of [[[4, 5, 6, 3], true], [[4, 5, 6, 3], false], [[7, 9], true]] as [number[], boolean][]) {
    it(`equals TF.js' own on [${shape}]${withScale ? '' : ' without a scale'} (to 1e-4 relative)`, () => {
      const ours = getGradient('FusedBatchNorm')!;
      assert.notEqual(ours, builtIn);
      const channels = shape[shape.length - 1];
      const x = tf.randomNormal(shape, 1, 2, 'float32', 1);
      const dy = tf.randomNormal(shape, 0, 1, 'float32', 2);
      const mean = tf.randomNormal([channels], 0, 1, 'float32', 3);
      const variance = tf.randomUniform([channels], 0.5, 2, 'float32', 4);
      const scale = tf.randomNormal([channels], 1, 0.5, 'float32', 5);
      const saved = [x, mean, variance, ...(withScale ? [scale] : [])];
      const attrs = { varianceEpsilon: 1e-3 } as unknown as NamedAttrMap;
      // TF.js' own takes only 4-D activations (it tiles to rank 4): 2-D features go in as [N, 1, 1, C].
      const as4d = (t: tf.Tensor) => (shape.length === 4 ? t : t.reshape([shape[0], 1, 1, channels]));
      const expected = builtIn.gradFunc(as4d(dy), [as4d(x), ...saved.slice(1)], attrs);
      const actual = ours.gradFunc(dy, saved, attrs);
      for (const input of ['x', 'mean', 'variance', 'scale', 'offset']) {
        const e = input === 'x' ? expected[input]().reshape(shape) : expected[input]();
        const a = actual[input]();
        assert.deepEqual(a.shape, e.shape, input);
        const ev = e.dataSync();
        const av = a.dataSync();
        const scaleOf = Math.max(...Array.from(ev, Math.abs), 1e-6);
        const worst = Math.max(...Array.from(av, (v, i) => Math.abs(v - ev[i])));
        assert.ok(worst / scaleOf < 1e-4, `${input}: differs by ${worst} (largest ${scaleOf})`);
      }
    });
  }

  it('leaves no tensor behind', () => {
    const builtInGradient = builtIn;
    assert.notEqual(getGradient('FusedBatchNorm'), builtInGradient);
    const [x, mean, variance, offset, scale] = [tf.randomNormal([8, 4, 4, 3]), tf.zeros([3]), tf.ones([3]), tf.zeros([3]), tf.ones([3])];
    const gradients = tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(a, m, v, o, s, 1e-3), a)));
    tf.dispose(gradients([x, mean, variance, offset, scale]));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(gradients([x, mean, variance, offset, scale]));
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, mean, variance, offset, scale]);
  });
});
