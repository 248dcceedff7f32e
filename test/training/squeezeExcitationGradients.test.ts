// A squeeze-and-excitation block trains: the compiled TF.js model's gradients through Multiply's
// broadcasting (a [1, 1, C] gate, and a [C] gate that Keras' Multiply expands) and through global
// pooling's kept axes equal finite differences of its own outputs.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { Design } from '../../src/core/design';
import { emptyDesign } from '../../src/core/design';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { seededRandom } from '../support/randomDesign';

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
      let checked = 0;
      for (const variable of model.trainableWeights) {
        const v = variable.read() as tf.Variable;
        const values = v.dataSync().slice();
        const g = grads[v.name]?.dataSync();
        assert.ok(g, `a gradient for ${variable.name}`);
        // Two entries of each weight, in float64 arithmetic of float32 outputs: a step of 1e-2 is well above rounding.
        for (const index of [0, values.length - 1]) {
          const eps = 1e-2;
          const at = (delta: number): number => {
            const changed = values.slice();
            changed[index] += delta;
            variable.write(tf.tensor(changed, v.shape));
            return loss().dataSync()[0];
          };
          const numeric = (at(eps) - at(-eps)) / (2 * eps);
          variable.write(tf.tensor(values, v.shape));
          assert.ok(Math.abs(numeric - g[index]) <= 2e-2 * Math.max(1, Math.abs(numeric)), `${variable.name}[${index}]: ${g[index]} vs ${numeric}`);
          checked++;
        }
      }
      assert.ok(checked >= 12, `checked ${checked}`);
      Object.values(grads).forEach((t) => t.dispose());
      x.dispose();
    });
  }
});
