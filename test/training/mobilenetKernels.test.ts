// The project's MobileNetV2 kernels on wasm against TF.js' own: the Relu6 gradient (one SIMD pass)
// equals the built-in gradient's mask-and-multiply, at every length's SIMD tail and at the edges
// 0 and 6, and passes nothing for NaN inputs.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { getGradient } from '@tensorflow/tfjs';
import { installTrainingKernels } from '../../src/training/engine/kernels/installTrainingKernels';
import { selectBackend } from '../../src/training/engine/selectBackend';

describe('MobileNetV2 kernels (wasm)', () => {
  const builtInRelu6 = getGradient('Relu6')!;
  before(async () => {
    await selectBackend({ preferred: 'wasm', smokeTest: false });
    installTrainingKernels('wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  for (const shape of [[2, 5, 5, 7], [1, 3, 3, 16], [11], [64, 4, 4, 24]]) {
    it(`relu6's gradient equals TF.js' own on [${shape}]`, () => {
      assert.notEqual(getGradient('Relu6'), builtInRelu6);
      const size = shape.reduce((a, b) => a * b, 1);
      // Values around both edges, the edges themselves among them.
      const values = Float32Array.from({ length: size }, (_, i) => [0, 6, -1e-3, 6.001, 3][i % 5] + (i % 7 === 0 ? 0 : Math.sin(i) * 8));
      const x = tf.tensor(values, shape);
      const dy = tf.randomNormal(shape, 0, 1, 'float32', 7);
      const expected = builtInRelu6.gradFunc(dy, [x], {}).x().dataSync();
      const actual = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu6(t), dy)))(x).dataSync();
      assert.equal(actual.length, expected.length);
      // === : TF.js' product gives −0 where dy < 0 is masked, the kernel +0, the same gradient.
      for (let i = 0; i < size; i++) assert.ok(actual[i] === expected[i], `at ${i} (x = ${values[i]}): ${actual[i]} vs ${expected[i]}`);
      assert.ok(expected.some((v) => v === 0) && expected.some((v) => v !== 0), 'the inputs cover both sides of the mask');
      tf.dispose([x, dy]);
    });
  }

  it("relu6's gradient passes nothing for a NaN input", () => {
    const x = tf.tensor([NaN, 1, NaN, 2, 7, NaN]);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.relu6(t)))(x).arraySync();
    assert.deepEqual(dx, [0, 1, 0, 1, 0, 0]);
  });

  it("relu6's gradient leaves no tensor behind", () => {
    const x = tf.randomNormal([4, 3, 3, 5], 3, 4);
    const gradient = tf.grad((t: tf.Tensor) => tf.sum(tf.relu6(t)));
    tf.dispose(gradient(x));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(gradient(x));
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });
});
