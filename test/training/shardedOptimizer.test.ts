// The data-parallel copies' shared optimizer against the trainer's own: with one copy and the
// whole batch's weight, its shard is everything and it must take PackedOptimizer's steps exactly,
// for every optimizer (no moment vector, one, two). Several copies are covered in replicaGroup.test.ts.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../../src/core/design';
import { ShardedOptimizer } from '../../src/training/parallel/ShardedOptimizer';
import { PackedOptimizer } from '../../src/training/trainer/PackedOptimizer';
import { SeededRandom } from '../../src/training/data/seededRandom';

const CASES: { optimizer: OptimizerName; momentum: number }[] = [
  { optimizer: 'sgd', momentum: 0 },
  { optimizer: 'sgd', momentum: 0.9 },
  { optimizer: 'adam', momentum: 0 },
  { optimizer: 'rmsprop', momentum: 0 },
  { optimizer: 'rmsprop', momentum: 0.9 },
];

describe('ShardedOptimizer', function () {
  this.timeout(30_000);
  before(async function () {
    await tf.setBackend('cpu');
  });

  for (const c of CASES) {
    it(`${c.optimizer} (momentum ${c.momentum}) in one copy takes PackedOptimizer's steps bit for bit, in shared memory`, () => {
      const random = new SeededRandom(3);
      const values = (n: number) => Float32Array.from({ length: n }, () => random.next() * 2 - 1);
      const initial = [values(12), values(5)];
      const make = () => [tf.variable(tf.tensor2d(initial[0], [3, 4])), tf.variable(tf.tensor1d(initial[1]))];
      const settings = { optimizer: c.optimizer, learningRate: 0.01, momentum: c.momentum };
      const plainVariables = make();
      const sharedVariables = make();
      const plain = new PackedOptimizer(settings, plainVariables);
      const buffers = ShardedOptimizer.allocate(settings, sharedVariables, 1);
      assert.equal(buffers.first !== undefined, PackedOptimizer.moments(settings) > 0);
      assert.equal(buffers.second !== undefined, PackedOptimizer.moments(settings) > 1);
      const sharded = new ShardedOptimizer(buffers, 0, settings, sharedVariables);
      for (let step = 0; step < 3; step++) {
        const gradient = values(17);
        plain.step(gradient.slice());
        sharded.gradients.set(gradient);
        sharded.setSliceWeights([1]);
        sharded.apply();
      }
      sharedVariables.forEach((v, i) => assert.deepEqual(Array.from(v.dataSync()), Array.from(plainVariables[i].dataSync())));
      assert.notDeepEqual(Array.from(sharedVariables[1].dataSync()), Array.from(initial[1]));
      tf.dispose([...plainVariables, ...sharedVariables]);
    });
  }

  it('refuses shared state of the wrong size', () => {
    const variables = [tf.variable(tf.tensor1d([1, 2, 3]))];
    assert.throws(() => new PackedOptimizer({ optimizer: 'adam', learningRate: 1, momentum: 0 }, variables, { weights: new Float32Array(3), first: new Float32Array(3) }), /does not fit 3 parameters/);
    tf.dispose(variables);
  });
});
