// The project's MobileNetV2 kernels on wasm against TF.js' own: the Relu6 and Relu gradients (one
// SIMD pass each) equal the built-in gradients' mask-and-multiply, at every length's SIMD tail and
// at the edges (0 and 6; 0 and ±1e30), and pass nothing for NaN inputs; the ReLU layer capped at 6
// computed as Relu6 gives TF.js' layer's values and gradients; the fused training batch norm gives
// TF.js' layer's output, input/γ/β gradients and moving statistics, for channel counts off the SIMD
// width and batch 1, and is saved as TF.js' own BatchNormalization; Slice of 4-D tensors copies
// what slicing the nested arrays gives, and PadV2 of 4-D tensors what padding them gives; batch
// norm with fixed statistics (inference) stores the floats of TF.js' expression in its order.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { getGradient } from '@tensorflow/tfjs';
import { builtInKernel, installTrainingKernels } from '../../src/training/engine/kernels/installTrainingKernels';
import { fastBatchNormClass } from '../../src/training/compile/fastBatchNorm';
import { fastReluClass } from '../../src/training/compile/fastRelu6';
import { BATCH_NORM_TRAINING_KERNEL, batchNormTraining } from '../../src/training/engine/kernels/batchNormTraining';
import { selectBackend } from '../../src/training/engine/selectBackend';

describe('MobileNetV2 kernels (wasm)', () => {
  before(async () => {
    await selectBackend({ preferred: 'wasm', smokeTest: false });
    installTrainingKernels('wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  // Relu6 and Relu: their gradients are one SIMD pass each (reluGradients.ts).
  const activations = [
    { name: 'relu6', kernel: 'Relu6', fn: (t: tf.Tensor) => tf.relu6(t), edges: [0, 6, -1e-3, 6.001, 3], nanCase: { x: [NaN, 1, NaN, 2, 7, NaN], dx: [0, 1, 0, 1, 0, 0] } },
    { name: 'relu', kernel: 'Relu', fn: (t: tf.Tensor) => tf.relu(t), edges: [0, 1e-3, -1e-3, 1e30, -1e30], nanCase: { x: [NaN, 1, NaN, -2, 7e30, Infinity], dx: [0, 1, 0, 0, 1, 1] } },
  ];
  for (const activation of activations) {
    const builtIn = getGradient(activation.kernel)!;
    for (const shape of [[2, 5, 5, 7], [1, 3, 3, 16], [11], [64, 4, 4, 24]]) {
      it(`${activation.name}'s gradient equals TF.js' own on [${shape}]`, () => {
        assert.notEqual(getGradient(activation.kernel), builtIn);
        const size = shape.reduce((a, b) => a * b, 1);
        // Values around the edges, the edges themselves among them.
        const values = Float32Array.from({ length: size }, (_, i) => activation.edges[i % 5] + (i % 7 === 0 ? 0 : Math.sin(i) * 8));
        const x = tf.tensor(values, shape);
        const dy = tf.randomNormal(shape, 0, 1, 'float32', 7);
        const expected = builtIn.gradFunc(dy, [x], {}).x().dataSync();
        const actual = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(activation.fn(t), dy)))(x).dataSync();
        assert.equal(actual.length, expected.length);
        // === : TF.js' product gives −0 where dy < 0 is masked, the kernel +0, the same gradient.
        for (let i = 0; i < size; i++) assert.ok(actual[i] === expected[i], `at ${i} (x = ${values[i]}): ${actual[i]} vs ${expected[i]}`);
        assert.ok(expected.some((v) => v === 0) && expected.some((v) => v !== 0), 'the inputs cover both sides of the mask');
        tf.dispose([x, dy]);
      });
    }

    it(`${activation.name}'s gradient passes nothing for a NaN input (as PyTorch's), and dy up to its cap`, () => {
      const x = tf.tensor(activation.nanCase.x);
      const dx = tf.grad((t: tf.Tensor) => tf.sum(activation.fn(t)))(x).arraySync();
      assert.deepEqual(dx, activation.nanCase.dx);
    });

    it(`${activation.name}'s gradient leaves no tensor behind`, () => {
      const x = tf.randomNormal([4, 3, 3, 5], 3, 4);
      const gradient = tf.grad((t: tf.Tensor) => tf.sum(activation.fn(t)));
      tf.dispose(gradient(x));
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) tf.dispose(gradient(x));
      assert.equal(tf.memory().numTensors, before);
      x.dispose();
    });
  }

  /** Largest difference relative to the largest magnitude of `expected`. */
  function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
    assert.deepEqual(actual.shape, expected.shape);
    const a = actual.dataSync();
    const e = expected.dataSync();
    const scale = Math.max(...Array.from(e, Math.abs), 1e-6);
    return Math.max(...Array.from(a, (v, i) => Math.abs(v - e[i]))) / scale;
  }

  function layers(shape: number[], momentum: number, epsilon: number): [tf.layers.Layer, tf.layers.Layer] {
    const channels = shape[shape.length - 1];
    const config = { axis: -1, momentum, epsilon, name: 'bn' };
    const FastBatchNorm = fastBatchNormClass();
    const ours = new FastBatchNorm(config);
    const stock = tf.layers.batchNormalization(config);
    for (const layer of [ours, stock]) layer.build([null, ...shape.slice(1)]);
    // The same non-trivial γ, β and moving statistics in both.
    const weights = [tf.randomNormal([channels], 1, 0.3, 'float32', 11), tf.randomNormal([channels], 0, 0.5, 'float32', 12), tf.randomNormal([channels], 0, 1, 'float32', 13), tf.randomUniform([channels], 0.5, 2, 'float32', 14)];
    ours.setWeights(weights);
    stock.setWeights(weights);
    tf.dispose(weights);
    return [ours, stock];
  }

  for (const [shape, momentum, epsilon] of [[[4, 5, 5, 7], 0.99, 1e-3], [[1, 3, 3, 16], 0.9, 1e-5], [[6, 13], 0.99, 1e-3], [[2, 4, 4, 3], 0.5, 1e-3]] as [number[], number, number][]) {
    it(`fused training batch norm equals TF.js' layer on [${shape}] (output, gradients, moving statistics)`, () => {
      const [ours, stock] = layers(shape, momentum, epsilon);
      const x = tf.randomNormal(shape, 2, 3, 'float32', 21);
      const dy = tf.randomNormal(shape, 0, 1, 'float32', 22);
      const run = (layer: tf.layers.Layer) => {
        const variables = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
        const f = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, dy));
        const { grads } = tf.variableGrads(() => f(x) as tf.Scalar, variables);
        const dx = tf.grad(f)(x);
        const y = layer.apply(x, { training: true }) as tf.Tensor;
        return { y, dx, grads: variables.map((v) => grads[v.name]), weights: layer.getWeights() };
      };
      const a = run(ours);
      const e = run(stock);
      assert.ok(relativeError(a.y, e.y) < 1e-5, `y: ${relativeError(a.y, e.y)}`);
      assert.ok(relativeError(a.dx, e.dx) < 1e-4, `dx: ${relativeError(a.dx, e.dx)}`);
      assert.equal(a.grads.length, 2);
      for (let i = 0; i < 2; i++) assert.ok(relativeError(a.grads[i], e.grads[i]) < 1e-4, `d${['gamma', 'beta'][i]}: ${relativeError(a.grads[i], e.grads[i])}`);
      // The moving statistics were updated three times (two gradients, one apply) in each.
      for (let i = 2; i < 4; i++) assert.ok(relativeError(a.weights[i], e.weights[i]) < 1e-6, `weight ${i}: ${relativeError(a.weights[i], e.weights[i])}`);
      const inference = relativeError(ours.apply(x) as tf.Tensor, stock.apply(x) as tf.Tensor);
      assert.equal(inference, 0, "inference mode is TF.js' own");
      tf.dispose([x, dy]);
    });
  }

  it('fused training batch norm is saved as TF.js\' own BatchNormalization', () => {
    const input = tf.input({ shape: [4, 4, 5] });
    const FastBatchNorm = fastBatchNormClass();
    const model = tf.model({ inputs: input, outputs: new FastBatchNorm({ name: 'bn' }).apply(input) as tf.SymbolicTensor });
    const json = model.toJSON(null, false) as unknown as { config: { layers: { class_name: string }[] } };
    assert.deepEqual(json.config.layers.map((l) => l.class_name), ['InputLayer', 'BatchNormalization']);
    model.dispose();
  });

  it('fused training batch norm leaves no tensor behind, with or without the input gradient', () => {
    const x = tf.randomNormal([3, 4, 4, 6]);
    const [gamma, beta] = [tf.variable(tf.ones([6])), tf.variable(tf.zeros([6]))];
    const [movingMean, movingVariance] = [tf.zeros([6]), tf.ones([6])];
    const loss = (input: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(batchNormTraining(input, g, b, movingMean, movingVariance, 1e-3, 0.99)[0])) as tf.Scalar;
    const steps = [() => tf.dispose(tf.grads(loss)([x, gamma, beta])), () => {
      const { value, grads } = tf.variableGrads(() => loss(x, gamma, beta), [gamma, beta]);
      tf.dispose([value, grads]);
    }];
    for (const step of steps) {
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      assert.equal(tf.memory().numTensors, before);
    }
    tf.dispose([x, gamma, beta, movingMean, movingVariance]);
  });

  it('the layer trains through the fused kernel', () => {
    const [ours] = layers([2, 3, 3, 5], 0.99, 1e-3);
    const x = tf.randomNormal([2, 3, 3, 5]);
    const kernels: string[] = [];
    const original = tf.engine().runKernel.bind(tf.engine());
    // Counts the kernels run by name, the engine's own entry point for every op.
    tf.engine().runKernel = ((name: string, ...rest: unknown[]) => {
      kernels.push(name);
      return (original as (...a: unknown[]) => unknown)(name, ...rest);
    }) as typeof original;
    try {
      tf.dispose(tf.grad((input: tf.Tensor) => tf.sum(ours.apply(input, { training: true }) as tf.Tensor))(x));
    } finally {
      tf.engine().runKernel = original;
    }
    assert.ok(kernels.includes(BATCH_NORM_TRAINING_KERNEL), kernels.join(', '));
    assert.ok(!kernels.includes('FusedBatchNorm'), kernels.join(', '));
    x.dispose();
  });

  const slices: [number[], number[], number[]][] = [
    [[2, 6, 7, 5], [0, 1, 1, 0], [2, 4, 5, 5]], // whole channels: rows copied at once
    [[1, 5, 5, 16], [0, 0, 1, 0], [1, 4, 4, -1]], // batch 1, size −1
    [[3, 4, 4, 7], [1, 1, 0, 2], [2, 2, 4, 3]], // some channels: pixel by pixel
    [[2, 3, 3, 3], [1, 0, 0, 0], [1, 3, 3, 3]], // contiguous: TF.js' own
  ];
  for (const [shape, begin, size] of slices) {
    it(`Slice of [${shape}] from [${begin}] size [${size}] equals slicing the arrays`, () => {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 31);
      const n = (axis: number) => (size[axis] === -1 ? shape[axis] - begin[axis] : size[axis]);
      const cut = <T,>(a: T[], axis: number) => a.slice(begin[axis], begin[axis] + n(axis));
      const expected = cut(x.arraySync() as number[][][][], 0).map((a) => cut(a, 1).map((r) => cut(r, 2).map((p) => cut(p, 3))));
      assert.deepEqual(tf.slice(x, begin, size).arraySync(), expected);
      x.dispose();
    });
  }

  it("ZeroPadding2D's gradient (a Slice of dy) is dy without the padded border", () => {
    const x = tf.randomNormal([2, 5, 5, 6], 0, 1, 'float32', 41);
    const dy = tf.randomNormal([2, 6, 7, 6], 0, 1, 'float32', 42);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.pad(t, [[0, 0], [0, 1], [1, 1], [0, 0]]), dy)))(x);
    const rows = dy.arraySync() as number[][][][];
    assert.deepEqual(dx.arraySync(), rows.map((image) => image.slice(0, 5).map((row) => row.slice(1, 6))));
    tf.dispose([x, dy, dx]);
  });

  it("ReLU capped at 6 equals TF.js' layer (values and gradients, edges included) and is saved as ReLU", () => {
    const FastReLU = fastReluClass();
    const ours = new FastReLU({ maxValue: 6, name: 'r' });
    const stock = tf.layers.reLU({ maxValue: 6, name: 'r' });
    const values = Float32Array.from({ length: 2 * 3 * 3 * 5 }, (_, i) => [0, 6, -2, 7, 2.5][i % 5] + (i % 3 === 0 ? 0 : Math.cos(i) * 5));
    const x = tf.tensor(values, [2, 3, 3, 5]);
    const dy = tf.randomNormal([2, 3, 3, 5], 0, 1, 'float32', 51);
    const through = (layer: tf.layers.Layer) => (t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t, { training: true }) as tf.Tensor, dy));
    assert.deepEqual((ours.apply(x) as tf.Tensor).arraySync(), (stock.apply(x) as tf.Tensor).arraySync());
    const a = tf.grad(through(ours))(x).dataSync();
    const e = tf.grad(through(stock))(x).dataSync();
    for (let i = 0; i < a.length; i++) assert.ok(a[i] === e[i], `at ${i} (x = ${values[i]}): ${a[i]} vs ${e[i]}`);
    const input = tf.input({ shape: [3, 3, 5] });
    const model = tf.model({ inputs: input, outputs: new FastReLU({ maxValue: 6, name: 'r6' }).apply(input) as tf.SymbolicTensor });
    const json = model.toJSON(null, false) as unknown as { config: { layers: { class_name: string; config: { max_value?: number } }[] } };
    assert.equal(json.config.layers[1].class_name, 'ReLU');
    assert.equal(json.config.layers[1].config.max_value, 6);
    tf.dispose([x, dy]);
    model.dispose();
  });

  const pads: [number[], [number, number][], number][] = [
    [[2, 4, 5, 3], [[0, 0], [0, 1], [1, 1], [0, 0]], 0], // ZeroPadding2D before a stride-2 layer
    [[1, 3, 3, 16], [[1, 0], [2, 2], [0, 3], [0, 0]], -1.5], // batch padded too, another constant
    [[2, 2, 2, 5], [[0, 0], [1, 1], [1, 1], [1, 2]], 0], // channels padded: TF.js' own
  ];
  for (const [shape, paddings, value] of pads) {
    it(`PadV2 of [${shape}] by ${JSON.stringify(paddings)} with ${value} equals padding the arrays`, () => {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 61);
      const padAxis = (a: unknown[], axis: number, filler: () => unknown): unknown[] => [
        ...Array.from({ length: paddings[axis][0] }, filler), ...a, ...Array.from({ length: paddings[axis][1] }, filler),
      ];
      const blank = (axis: number): unknown => (axis === 4 ? value : Array.from({ length: shape[axis] + paddings[axis][0] + paddings[axis][1] }, () => blank(axis + 1)));
      const padded = (a: unknown, axis: number): unknown => (axis === 4 ? a : padAxis((a as unknown[]).map((b) => padded(b, axis + 1)), axis, () => blank(axis + 1)));
      assert.deepEqual(tf.pad(x, paddings, value).arraySync(), padded(x.arraySync(), 0));
      x.dispose();
    });
  }

  const norms: [number[], number[], number][] = [
    [[2, 5, 5, 7], [7], 1e-3], // channels off the SIMD width
    [[1, 3, 3, 16], [16], 1e-5],
    [[64, 4, 4, 24], [24], 0.001],
    [[6, 10], [10], 1e-3], // after a Dense layer
    [[1, 1, 1, 1], [1], 0.1],
    [[2, 3, 3, 4], [1], 1e-3], // one value for every channel: TF.js' own kernel
  ];
  for (const [shape, statShape, epsilon] of norms) {
    it(`batch norm with fixed statistics on [${shape}] (statistics [${statShape}], ε ${epsilon}) computes TF.js' expression in its order`, () => {
      assert.notEqual(tf.getKernel('FusedBatchNorm', 'wasm')?.kernelFunc, builtInKernel('FusedBatchNorm', 'wasm')?.kernelFunc, 'the project kernel is installed');
      const x = tf.randomNormal(shape, 0.3, 2, 'float32', 71);
      const mean = tf.randomNormal(statShape, 0, 1, 'float32', 72);
      // Variances from tiny (ε dominates) to large.
      const variance = tf.tensor(Float32Array.from({ length: statShape[0] }, (_, i) => [1e-7, 0.5, 3, 1e4][i % 4] * (1 + i / 7)), statShape);
      const offset = tf.randomNormal(statShape, 0, 1, 'float32', 73);
      const scale = tf.randomNormal(statShape, 1, 0.5, 'float32', 74);
      const inputs = { x, mean, variance, offset, scale };
      const actual = (tf.engine().runKernel('FusedBatchNorm', inputs, { varianceEpsilon: epsilon }) as tf.Tensor).dataSync();
      const backend = tf.backend();
      const info = builtInKernel('FusedBatchNorm', 'wasm')!.kernelFunc({ inputs, attrs: { varianceEpsilon: epsilon }, backend }) as { dataId: object };
      const builtIn = backend.readSync(info.dataId) as Float32Array;
      backend.disposeData(info.dataId);
      // TF.js' source expression, offset + (x − mean)·scale / √(variance + ε), every operation rounded
      // to float32: the kernel stores exactly these floats. TF.js' compiled kernel rounds some of
      // them differently (its compiler's choice), by at most a few units in the last place.
      const [xs, m, v, o, g] = [x, mean, variance, offset, scale].map((t) => t.dataSync());
      const f = Math.fround;
      const channels = m.length;
      assert.equal(actual.length, xs.length);
      for (let i = 0; i < actual.length; i++) {
        const c = channels === shape[shape.length - 1] ? i % channels : 0;
        const normalised = f(f(f(xs[i] - m[c]) * g[c]) / f(Math.sqrt(f(v[c] + f(epsilon)))));
        const expected = f(o[c] + normalised);
        if (channels === shape[shape.length - 1]) assert.ok(Object.is(actual[i], expected), `at ${i}: ${actual[i]} vs ${expected}`);
        else assert.ok(Object.is(actual[i], builtIn[i]), `TF.js' own kernel at ${i}`);
        assert.ok(Math.abs(actual[i] - builtIn[i]) <= 2.5e-7 * (Math.abs(o[c]) + Math.abs(normalised)), `against TF.js' kernel at ${i}: ${actual[i]} vs ${builtIn[i]}`);
      }
      tf.dispose([x, mean, variance, offset, scale]);
    });
  }

  it("a BatchNormalization layer's prediction equals the layer's formula", () => {
    const layer = fastBatchNormClass();
    const input = tf.input({ shape: [3, 3, 5] });
    const model = tf.model({ inputs: input, outputs: new layer({ epsilon: 1e-3, name: 'bn' }).apply(input) as tf.SymbolicTensor });
    const [gamma, beta, movingMean, movingVariance] = [1.5, -0.25, 0.2, 2].map((v, i) => tf.fill([5], v + i * 0.01));
    model.getLayer('bn').setWeights([gamma, beta, movingMean, movingVariance]);
    const x = tf.randomNormal([2, 3, 3, 5], 0, 1, 'float32', 75);
    const y = (model.predict(x) as tf.Tensor).dataSync();
    const xs = x.dataSync();
    const [g, b, m, v] = [gamma, beta, movingMean, movingVariance].map((t) => t.dataSync()[0]);
    for (let i = 0; i < xs.length; i++) assert.ok(Math.abs(y[i] - (b + ((xs[i] - m) * g) / Math.sqrt(v + 1e-3))) < 1e-5, `at ${i}`);
    tf.dispose([gamma, beta, movingMean, movingVariance, x]);
    model.dispose();
  });
});
