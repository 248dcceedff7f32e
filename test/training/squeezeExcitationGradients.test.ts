// A squeeze-and-excitation block trains: the compiled TF.js model's gradients through Multiply's
// broadcasting (a [1, 1, C] gate, and a [C] gate that Keras' Multiply expands) and through global
// pooling's kept axes equal finite differences of its own outputs.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { Design } from '../../src/core/design';
import { emptyDesign } from '../../src/core/design';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { seededRandom } from '../support/randomDesign';
import { assertCentralDifferences } from './support/assertCentralDifferences';

function seDesign(keepDims: boolean): Design {
  const d = emptyDesign(keepDims ? 'se_kept' : 'se_vector');
  d.nodes = [
    { id: 'input', type: 'Input', params: { shape: [5, 4, 3] } },
    { id: 'conv', type: 'Conv2D', params: { filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' } },
    { id: 'pool', type: 'GlobalAvgPool2D', params: keepDims ? { keepDims: true } : {} },
    keepDims ? { id: 'reduce', type: 'Conv2D', params: { filters: 2, kernelSize: 1, activation: 'tanh' } } : { id: 'reduce', type: 'Dense', params: { units: 2, activation: 'tanh' } },
    keepDims ? { id: 'expand', type: 'Conv2D', params: { filters: 4, kernelSize: 1, activation: 'sigmoid' } } : { id: 'expand', type: 'Dense', params: { units: 4, activation: 'sigmoid' } },
    { id: 'scale', type: 'Multiply', params: {} },
  ];
  const chain = ['input', 'conv', 'pool', 'reduce', 'expand', 'scale'];
  d.edges = [...chain.slice(1).map((target, i) => ({ source: chain[i], target })), { source: 'conv', target: 'scale' }];
  return d;
}

describe('squeeze-and-excitation trains: gradients through Multiply and kept pooling axes', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const keepDims of [true, false]) {
    it(`${keepDims ? '[1, 1, C]' : '[C]'} gate: each weight's gradient (first and last entry) equals central differences`, () => {
      const rnd = seededRandom(keepDims ? 7 : 8);
      const model = compileDesign(seDesign(keepDims));
      const x = tf.tensor4d(Array.from({ length: 2 * 5 * 4 * 3 }, () => rnd() * 2 - 1), [2, 5, 4, 3]);
      const loss = (): tf.Scalar => tf.tidy(() => tf.sum(tf.square(model.apply(x) as tf.Tensor)));
      const { grads } = tf.variableGrads(loss);
      // Two entries of each weight, in float64 arithmetic of float32 outputs: a step of 1e-2 is well above rounding.
      const checked = assertCentralDifferences(model, loss, grads, { step: 1e-2, entries: 'first and last' });
      assert.ok(checked >= 12, `checked ${checked}`);
      Object.values(grads).forEach((t) => t.dispose());
      x.dispose();
    });
  }
});
