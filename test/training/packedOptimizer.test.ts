// The trainer's optimizer against PyTorch's own (Debian's python3-torch): SGD with and without
// momentum, Adam, and RMSprop with and without momentum take the same steps from the same weights
// and gradients.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../../src/core/design';
import { PackedOptimizer } from '../../src/training/trainer/PackedOptimizer';
import { SeededRandom } from '../../src/training/data/seededRandom';
import { PYTHON } from '../export/support/python';

const torchAvailable = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

interface Case {
  optimizer: OptimizerName;
  lr: number;
  momentum: number;
}

const CASES: Case[] = [
  { optimizer: 'sgd', lr: 0.1, momentum: 0 },
  { optimizer: 'sgd', lr: 0.05, momentum: 0.9 },
  { optimizer: 'adam', lr: 1e-3, momentum: 0 },
  { optimizer: 'adam', lr: 0.05, momentum: 0 },
  { optimizer: 'rmsprop', lr: 1e-2, momentum: 0 },
  { optimizer: 'rmsprop', lr: 1e-3, momentum: 0.9 },
];

describe('PackedOptimizer', function () {
  this.timeout(60_000);
  before(async function () {
    await tf.setBackend('cpu');
  });

  it('packs every weight in order and refuses a gradient of the wrong size', () => {
    const variables = [tf.variable(tf.tensor2d([[1, 2], [3, 4]])), tf.variable(tf.tensor1d([5]))];
    const optimizer = new PackedOptimizer({ optimizer: 'sgd', learningRate: 1, momentum: 0 }, variables);
    assert.equal(optimizer.size, 5);
    optimizer.step(Float32Array.from([1, 1, 1, 1, 2]));
    assert.deepEqual(Array.from(variables[0].dataSync()), [0, 1, 2, 3]);
    assert.deepEqual(Array.from(variables[1].dataSync()), [3]);
    assert.throws(() => optimizer.step(new Float32Array(4)), /Expected 5 gradient values, got 4/);
    tf.dispose(variables);
  });

  for (const c of CASES) {
    it(`${c.optimizer} (lr ${c.lr}, momentum ${c.momentum}) takes PyTorch's steps, to 1e-6`, function () {
      if (!torchAvailable) this.skip(); // Reason: no PyTorch in ${PYTHON}; npm test installs Debian's python3-torch.
      const random = new SeededRandom(7);
      const shapes = [[3, 4], [4], [2, 2, 3]];
      const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
      const weights = shapes.map((shape) => Array.from({ length: size(shape) }, () => random.next() * 2 - 1));
      const steps = Array.from({ length: 6 }, () => shapes.map((shape) => Array.from({ length: size(shape) }, () => (random.next() * 2 - 1) * 0.5)));
      const reference = spawnSync(PYTHON, [join(__dirname, 'support', 'torchOptimizerSteps.py')], {
        input: JSON.stringify({ optimizer: c.optimizer, lr: c.lr, momentum: c.momentum, weights: weights.map((w, i) => reshape(w, shapes[i])), gradients: steps.map((s) => s.map((g, i) => reshape(g, shapes[i]))) }),
        encoding: 'utf8',
      });
      assert.equal(reference.status, 0, reference.stderr);
      const expected = JSON.parse(reference.stdout) as unknown[][];

      const variables = weights.map((w, i) => tf.variable(tf.tensor(w, shapes[i])));
      const optimizer = new PackedOptimizer({ optimizer: c.optimizer, learningRate: c.lr, momentum: c.momentum }, variables);
      steps.forEach((step, s) => {
        optimizer.step(Float32Array.from(step.flat()));
        variables.forEach((v, i) => {
          const want = (expected[s][i] as number[] | number[][]).flat(2) as number[];
          const got = Array.from(v.dataSync());
          const worst = Math.max(...got.map((x, j) => Math.abs(x - want[j])));
          assert.ok(worst < 1e-6, `step ${s + 1}, weight ${i}: differs from PyTorch by ${worst}`);
        });
      });
      tf.dispose(variables);
    });
  }
});

/** A flat list as the nested lists PyTorch builds a tensor of that shape from. */
function reshape(values: number[], shape: number[]): unknown {
  if (shape.length <= 1) return values;
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => reshape(values.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}
