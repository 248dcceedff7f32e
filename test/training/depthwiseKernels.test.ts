// The depthwise convolution gradients on wasm (which TF.js lacks there) against TF.js' own cpu kernels through tf.grad,
// against the direct sums where TF.js cannot differentiate (dilations), against finite differences, and in a training model.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from '../../src/training/engine/kernels/depthwiseGradientKernels';
import { builtInKernel, installTrainingKernels } from '../../src/training/engine/kernels/installTrainingKernels';
import { initWasmBackend } from '../../src/training/engine/initWasmBackend';
import { seededRandom } from '../support/randomDesign';
import { assertClose as assertCloseTo } from '../support/assertClose';

type Pad = 'valid' | 'same' | number | [[0, 0], [number, number], [number, number], [0, 0]];

interface DepthwiseCase {
  xShape: [number, number, number, number];
  /** [kh, kw, channels, multiplier] */
  filterShape: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
}

function randomCase(rnd: () => number, dilated: boolean): DepthwiseCase {
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  for (;;) {
    const kh = int(1, 5);
    const kw = rnd() < 0.7 ? kh : int(1, 5);
    // TF.js' depthwise op takes dilations only with stride 1.
    const dilations: [number, number] = dilated ? [int(1, 3), int(1, 3)] : [1, 1];
    const strides: [number, number] = dilated ? [1, 1] : [int(1, 3), int(1, 3)];
    const r = rnd();
    // TF.js sizes a numeric padding from the filter height and stride alone, so it is drawn for square windows only.
    const square = kh === kw && strides[0] === strides[1] && dilations[0] === dilations[1];
    const pad: Pad = r < 0.3 ? 'valid' : r < 0.65 ? 'same' : r < 0.8 && square ? int(0, 3) : [[0, 0], [int(0, 3), int(0, 3)], [int(0, 3), int(0, 3)], [0, 0]];
    // Channel counts past 16 and 4 reach every part of the SIMD loops (blocks of 16, of 4, single lanes).
    const channels = rnd() < 0.25 ? int(14, 37) : int(1, 9);
    const multiplier = rnd() < 0.6 ? 1 : int(2, 3);
    const xShape: DepthwiseCase['xShape'] = [int(1, 3), int(3, 13), int(3, 13), channels];
    const filterShape: DepthwiseCase['filterShape'] = [kh, kw, channels, multiplier];
    try {
      const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad, undefined, true, 'channelsLast');
      if (info.outHeight > 0 && info.outWidth > 0) return { xShape, filterShape, strides, dilations, pad };
    } catch {
      // geometry TF.js refuses: draw again
    }
  }
}

const forward = (c: DepthwiseCase) => (x: tf.Tensor, w: tf.Tensor): tf.Tensor4D =>
  tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad as 'valid', 'NHWC', c.dilations);

/** Seeded values of a case's x, filter and dy (made on cpu, so every backend gets the same numbers). */
function caseData(c: DepthwiseCase, seed: number) {
  return tf.tidy(() => {
    const x = tf.randomNormal(c.xShape, 0, 1, 'float32', seed);
    const w = tf.randomNormal(c.filterShape, 0, 1, 'float32', seed + 1);
    const y = forward(c)(x, w);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', seed + 2);
    return { x: x.dataSync() as Float32Array, w: w.dataSync() as Float32Array, dy: dy.dataSync() as Float32Array, outShape: y.shape };
  });
}

/** dx and dW by tf.grad on the current backend. */
function gradients(c: DepthwiseCase, data: ReturnType<typeof caseData>): { dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(data.x, c.xShape);
    const w = tf.tensor4d(data.w, c.filterShape);
    const dy = tf.tensor4d(data.dy, data.outShape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(forward(c)(a, b), dy)))([x, w]);
    return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

/** The gradients as direct sums over every tap, the definition itself (for what TF.js cannot compute: dilations). */
function directGradients(c: DepthwiseCase, data: ReturnType<typeof caseData>): { dx: Float32Array; dw: Float32Array } {
  const info = tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, c.dilations, c.pad, undefined, true, 'channelsLast');
  const [B, H, W, C] = c.xShape;
  const [KH, KW, , M] = c.filterShape;
  const [, OH, OW] = data.outShape;
  const dx = new Float32Array(B * H * W * C);
  const dw = new Float32Array(KH * KW * C * M);
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < KH; kh++)
          for (let kw = 0; kw < KW; kw++) {
            const h = oh * info.strideHeight + kh * info.dilationHeight - info.padInfo.top;
            const w = ow * info.strideWidth + kw * info.dilationWidth - info.padInfo.left;
            if (h < 0 || h >= H || w < 0 || w >= W) continue;
            for (let ch = 0; ch < C; ch++)
              for (let m = 0; m < M; m++) {
                const g = data.dy[((b * OH + oh) * OW + ow) * C * M + ch * M + m];
                dw[((kh * KW + kw) * C + ch) * M + m] += data.x[((b * H + h) * W + w) * C + ch] * g;
                dx[((b * H + h) * W + w) * C + ch] += data.w[((kh * KW + kw) * C + ch) * M + m] * g;
              }
          }
  return { dx, dw };
}

const assertClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tolerance = 1e-4): void => assertCloseTo(actual, expected, what, tolerance);

describe('depthwise convolution gradients on wasm', function () {
  this.timeout(300_000);

  before(async () => {
    await tf.setBackend('cpu');
    installTrainingKernels('cpu');
    await initWasmBackend();
    installTrainingKernels('wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('are installed on wasm (which has none of its own); cpu keeps its built-in kernels', () => {
    assert.equal(builtInKernel('DepthwiseConv2dNativeBackpropInput', 'wasm'), undefined, 'TF.js 4.22 has no wasm kernel (else compare against it)');
    assert.equal(builtInKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm'), undefined);
    assert.equal(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')?.kernelFunc, depthwiseBackpropInputKernel);
    assert.equal(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')?.kernelFunc, depthwiseBackpropFilterKernel);
    assert.equal(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'cpu')?.kernelFunc, builtInKernel('DepthwiseConv2dNativeBackpropInput', 'cpu')?.kernelFunc);
  });

  it('equal TF.js\' cpu kernels through tf.grad on 150 random cases (multipliers, strides, all paddings, odd sizes, batches), to 1e-4 relative', async () => {
    const rnd = seededRandom(81);
    const counts = { strided: 0, multiplied: 0, same: 0, explicit: 0 };
    for (let i = 0; i < 150; i++) {
      const c = randomCase(rnd, false);
      await tf.setBackend('cpu');
      const data = caseData(c, 10 * i);
      const expected = gradients(c, data);
      await tf.setBackend('wasm');
      const actual = gradients(c, data);
      const what = `case ${i} ${JSON.stringify(c)}`;
      assertClose(actual.dx, expected.dx, `${what} dx`);
      assertClose(actual.dw, expected.dw, `${what} dW`);
      if (c.strides.some((s) => s > 1)) counts.strided++;
      if (c.filterShape[3] > 1) counts.multiplied++;
      if (c.pad === 'same') counts.same++;
      if (Array.isArray(c.pad)) counts.explicit++;
    }
    assert.ok(Object.values(counts).every((n) => n >= 20), `every kind of case is drawn often enough: ${JSON.stringify(counts)}`);
  });

  for (const backendName of ['wasm', 'cpu']) {
    it(`differentiate dilated depthwise convolutions on ${backendName} (TF.js refuses to) as the direct sums do, on 50 random cases`, async () => {
      await tf.setBackend('cpu');
      const rnd = seededRandom(backendName === 'wasm' ? 91 : 92);
      let dilatedCases = 0;
      for (let i = 0; i < 50; i++) {
        const c = randomCase(rnd, true);
        if (c.dilations.some((d) => d > 1)) dilatedCases++;
        await tf.setBackend('cpu');
        const data = caseData(c, 10 * i + 5);
        const expected = directGradients(c, data);
        await tf.setBackend(backendName);
        const actual = gradients(c, data);
        const what = `case ${i} ${JSON.stringify(c)}`;
        assertClose(actual.dx, expected.dx, `${what} dx`);
        assertClose(actual.dw, expected.dw, `${what} dW`);
      }
      assert.ok(dilatedCases >= 25, `enough dilated cases (${dilatedCases})`);
    });
  }

  it('agree with finite differences on small cases (the function is linear in x and in W, so differences are exact up to rounding)', async () => {
    await tf.setBackend('wasm');
    const cases: DepthwiseCase[] = [
      { xShape: [2, 5, 6, 3], filterShape: [3, 2, 3, 2], strides: [2, 2], dilations: [1, 1], pad: 'same' },
      { xShape: [1, 7, 7, 5], filterShape: [3, 3, 5, 1], strides: [1, 1], dilations: [2, 2], pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
    ];
    for (const c of cases) {
      const data = caseData(c, 7);
      const { dx, dw } = gradients(c, data);
      const objective = (xs: Float32Array, ws: Float32Array): number =>
        tf.tidy(() => tf.sum(tf.mul(forward(c)(tf.tensor4d(xs, c.xShape), tf.tensor4d(ws, c.filterShape)), tf.tensor4d(data.dy, data.outShape))).dataSync()[0]);
      const base = objective(data.x, data.w);
      const step = 0.5;
      for (const [values, analytic, name] of [[data.x, dx, 'x'], [data.w, dw, 'W']] as const) {
        for (let i = 0; i < values.length; i += Math.max(1, Math.floor(values.length / 40))) {
          const moved = Float32Array.from(values);
          moved[i] += step;
          const numeric = (name === 'x' ? objective(moved, data.w) : objective(data.x, moved)) - base;
          assert.ok(Math.abs(numeric / step - analytic[i]) <= 2e-3 * (1 + Math.abs(analytic[i])), `${JSON.stringify(c)} d/d${name}[${i}]: finite difference ${numeric / step}, gradient ${analytic[i]}`);
        }
      }
    }
  });

  for (const backendName of ['wasm', 'cpu']) {
    it(`free every intermediate on ${backendName} (multiplier 1 and 3, strided and dilated)`, async () => {
      await tf.setBackend(backendName);
      const backend = tf.backend();
      for (const c of [
        { xShape: [2, 9, 9, 4], filterShape: [3, 3, 4, 1], strides: [2, 2], dilations: [1, 1], pad: 'same' },
        { xShape: [2, 9, 9, 4], filterShape: [3, 3, 4, 3], strides: [1, 1], dilations: [2, 2], pad: 'valid' },
      ] as DepthwiseCase[]) {
        const x = tf.randomNormal(c.xShape);
        const w = tf.randomNormal(c.filterShape);
        const tensors = tf.memory().numTensors;
        const dataIds = backend.numDataIds();
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(forward(c)(a, b))))([x, w]);
        assert.deepEqual([gx.shape, gw.shape], [c.xShape, c.filterShape]);
        tf.dispose([gx, gw]);
        assert.equal(tf.memory().numTensors, tensors, `${JSON.stringify(c)}: tensors`);
        assert.equal(backend.numDataIds(), dataIds, `${JSON.stringify(c)}: backend buffers`);
        tf.dispose([x, w]);
      }
    });
  }

  it('train a small model with depthwise convolutions on wasm: one step\'s gradients equal cpu\'s, and the loss falls', async () => {
    const build = (): tf.Sequential => {
      const model = tf.sequential();
      model.add(tf.layers.depthwiseConv2d({ inputShape: [9, 9, 3], kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'relu' }));
      model.add(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 1, padding: 'valid' }));
      model.add(tf.layers.flatten());
      model.add(tf.layers.dense({ units: 2 }));
      return model;
    };
    const stepGradients = (model: tf.Sequential, xs: Float32Array, ys: Float32Array) =>
      tf.tidy(() => {
        const x = tf.tensor4d(xs, [8, 9, 9, 3]);
        const y = tf.tensor2d(ys, [8, 2]);
        const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const { grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar, variables);
        return variables.map((v) => grads[v.name].dataSync() as Float32Array);
      });
    await tf.setBackend('cpu');
    const cpuModel = build();
    const weights = cpuModel.getWeights().map((w) => ({ values: w.dataSync() as Float32Array, shape: w.shape }));
    const xs = tf.tidy(() => tf.randomNormal([8, 9, 9, 3], 0, 1, 'float32', 3).dataSync() as Float32Array);
    const ys = tf.tidy(() => tf.randomNormal([8, 2], 0, 1, 'float32', 4).dataSync() as Float32Array);
    const expected = stepGradients(cpuModel, xs, ys);
    cpuModel.dispose();

    await tf.setBackend('wasm');
    const model = build();
    model.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
    const actual = stepGradients(model, xs, ys);
    assert.equal(actual.length, 6, 'two depthwise kernels and biases, the dense kernel and bias');
    actual.forEach((g, i) => assertClose(g, expected[i], `gradient of ${model.trainableWeights[i].name}`));

    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const x = tf.tensor4d(xs, [8, 9, 9, 3]);
    const y = tf.tensor2d(ys, [8, 2]);
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) losses.push((await model.trainOnBatch(x, y)) as number);
    assert.ok(losses.every(Number.isFinite), 'finite losses');
    assert.ok(losses[losses.length - 1] < 0.5 * losses[0], `the loss falls: ${losses[0]} → ${losses[losses.length - 1]}`);
    tf.dispose([x, y]);
    model.dispose();
  });
});
