// The data-parallel copies' shared optimizer against the trainer's own: with one copy and the
// whole batch's weight, its shard is everything and it must take PackedOptimizer's steps exactly,
// for every optimizer (no moment vector, one, two). Several copies are covered in replicaGroup.test.ts.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../../src/core/design';
import { ShardedOptimizer } from '../../src/training/parallel/ShardedOptimizer';
import { PackedOptimizer } from '../../src/training/trainer/PackedOptimizer';
import { SeededRandom } from '../../src/training/data/seededRandom';
import { optimizerKernels, sharedKernelMemory } from '../../src/training/engine/kernels/wasm/optimizerKernels';

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

  for (const c of CASES) for (const inKernels of [true, false]) {
    it(`${c.optimizer} (momentum ${c.momentum}) in one copy takes PackedOptimizer's steps bit for bit, in shared memory (${inKernels ? 'WebAssembly kernels' : 'JavaScript, where no WebAssembly memory could be made'})`, () => {
      const random = new SeededRandom(3);
      const values = (n: number) => Float32Array.from({ length: n }, () => random.next() * 2 - 1);
      const initial = [values(12), values(5)];
      const make = () => [tf.variable(tf.tensor2d(initial[0], [3, 4])), tf.variable(tf.tensor1d(initial[1]))];
      const settings = { optimizer: c.optimizer, learningRate: 0.01, momentum: c.momentum };
      const plainVariables = make();
      const sharedVariables = make();
      const plain = new PackedOptimizer(settings, plainVariables);
      const allocated = ShardedOptimizer.allocate(settings, sharedVariables, 1);
      assert.ok(allocated.memory instanceof WebAssembly.Memory);
      const buffers = inKernels ? allocated : { ...allocated, memory: undefined };
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

  for (const c of CASES) {
    it(`${c.optimizer} (momentum ${c.momentum}): the WebAssembly kernels store what the JavaScript update stores, bit for bit, over any range`, () => {
      const random = new SeededRandom(11);
      const n = 1001;
      // Gradients over many magnitudes, weights and moments of both signs, so rounding is exercised.
      const values = (scale: () => number) => Float32Array.from({ length: n }, () => (random.next() * 2 - 1) * scale());
      const magnitude = () => 10 ** Math.floor(random.next() * 12 - 8);
      const memory = sharedKernelMemory(16 + 5 * n * 4 + 64)!;
      assert.ok(memory instanceof WebAssembly.Memory);
      const inMemory = (index: number, init: Float32Array) => {
        const view = new Float32Array(memory.buffer, 16 + index * (n * 4 + 16) - ((index * (n * 4 + 16)) % 16), n);
        view.set(init);
        return view;
      };
      const weights = values(() => 1);
      const first = values(() => 0.01);
      const second = Float32Array.from(values(() => 1e-4), Math.abs);
      const settings = { optimizer: c.optimizer, learningRate: 0.003, momentum: c.momentum };
      const variables = [tf.variable(tf.zeros([n]))];
      const moments = PackedOptimizer.moments(settings);
      const plainState = { weights: weights.slice(), first: moments > 0 ? first.slice() : undefined, second: moments > 1 ? second.slice() : undefined };
      const kernelState = {
        weights: inMemory(0, weights),
        first: moments > 0 ? inMemory(1, first) : undefined,
        second: moments > 1 ? inMemory(2, second) : undefined,
        kernels: optimizerKernels(memory),
      };
      const plain = new PackedOptimizer(settings, variables, plainState);
      const kernel = new PackedOptimizer(settings, variables, kernelState);
      const gradients = inMemory(3, new Float32Array(n));
      // An odd start and an odd length: the two-lane loop and its one-element tail both run.
      for (const [from, to] of [[3, 1000], [0, n], [1, 2], [0, n]]) {
        gradients.set(values(magnitude));
        plain.update(gradients.slice(), from, to);
        kernel.update(gradients, from, to);
        const bits = (a?: Float32Array) => (a ? Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)) : []);
        assert.deepEqual(bits(kernelState.weights), bits(plainState.weights));
        assert.deepEqual(bits(kernelState.first), bits(plainState.first));
        assert.deepEqual(bits(kernelState.second), bits(plainState.second));
      }
      assert.notDeepEqual(Array.from(kernelState.weights), Array.from(weights));
      tf.dispose(variables);
    });
  }

  it('the mean of the copies\' gradients in the kernels is the JavaScript mean, bit for bit', () => {
    const random = new SeededRandom(5);
    const n = 257;
    const memory = sharedKernelMemory(16 + 2 * n * 4 + 64)!;
    const p = new Float32Array(memory.buffer, 16, n);
    const q = new Float32Array(memory.buffer, 16 + Math.ceil((n * 4) / 16) * 16, n);
    p.set(Float32Array.from({ length: n }, () => random.next() * 2 - 1));
    q.set(Float32Array.from({ length: n }, () => (random.next() * 2 - 1) * 1e-3));
    const expected = p.slice();
    for (let i = 1; i < n; i++) expected[i] = (1 / 3) * expected[i];
    for (let i = 1; i < n; i++) expected[i] += (2 / 3) * q[i];
    const kernels = optimizerKernels(memory);
    kernels.scale(p.byteOffset, 1, n, 1 / 3);
    kernels.addScaled(p.byteOffset, q.byteOffset, 1, n, 2 / 3);
    assert.deepEqual(Array.from(new Uint32Array(p.buffer, p.byteOffset, n)), Array.from(new Uint32Array(expected.buffer)));
  });

  it('keeps the shared vectors in one WebAssembly memory, 16-byte aligned and none at 0', () => {
    const variables = [tf.variable(tf.tensor1d([1, 2, 3]))];
    const buffers = ShardedOptimizer.allocate({ optimizer: 'adam', learningRate: 1, momentum: 0 }, variables, 2);
    assert.ok(buffers.memory instanceof WebAssembly.Memory);
    for (const vector of [buffers.weights, buffers.first!, buffers.second!, ...buffers.gradients]) {
      assert.equal(vector.buffer, buffers.memory.buffer);
      assert.ok(vector.byteOffset > 0 && vector.byteOffset % 16 === 0);
    }
    assert.equal(new Set([buffers.weights, buffers.first!, buffers.second!, ...buffers.gradients].map((v) => v.byteOffset)).size, 5);
    tf.dispose(variables);
  });

  it('refuses shared state of the wrong size', () => {
    const variables = [tf.variable(tf.tensor1d([1, 2, 3]))];
    assert.throws(() => new PackedOptimizer({ optimizer: 'adam', learningRate: 1, momentum: 0 }, variables, { weights: new Float32Array(3), first: new Float32Array(3) }), /does not fit 3 parameters/);
    tf.dispose(variables);
  });
});
