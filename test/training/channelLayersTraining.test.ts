// The channel-wise layers train in the designer's TF.js engine: gradients through group, instance
// and layer normalization, layer scale, PReLU, channel shuffle and slice equal central differences;
// stochastic depth drops whole samples in training (scaled by 1 / (1 − rate)) and is the identity
// at inference; spatial dropout drops whole channels; instance norm's running statistics follow
// PyTorch's update.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { exportDesign } from '../../src/core/export/exportDesign';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { loadTfjsExport } from '../export/support/tfjsExport';
import { chainDesign, type ChainLayer } from '../support/designBuilder';
import { seededRandom } from '../support/randomDesign';
import { assertCentralDifferences } from './support/assertCentralDifferences';

/** Checks two entries of every trainable weight: the gradient of Σ y·r equals central differences. */
function checkGradients(inputShape: number[], layers: ChainLayer[], seed: number): number {
  const rnd = seededRandom(seed);
  const model = compileDesign(chainDesign(inputShape, layers));
  const x = tf.tensor(Array.from({ length: 2 * inputShape.reduce((a, b) => a * b, 1) }, () => rnd() * 2 - 1), [2, ...inputShape]);
  const outShape = (model.outputs[0].shape as number[]).slice(1);
  const r = tf.tensor(Array.from({ length: 2 * outShape.reduce((a, b) => a * b, 1) }, () => rnd() * 2 - 1), [2, ...outShape]);
  const loss = (): tf.Scalar => tf.tidy(() => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, r)));
  const { grads } = tf.variableGrads(loss);
  const checked = assertCentralDifferences(model, loss, grads, { step: 1e-2 });
  Object.values(grads).forEach((t) => t.dispose());
  tf.dispose([x, r]);
  model.dispose();
  return checked;
}

const conv = (filters: number): ChainLayer => ['Conv2D', { filters, kernelSize: 3, padding: 'same', activation: 'tanh' }];

describe('channel-wise layers train in TF.js', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  const cases: [string, number[], ChainLayer[]][] = [
    ['group norm (3 groups) and layer scale', [5, 4, 3], [conv(6), ['GroupNorm', { groups: 3 }], ['LayerScale', { initValue: 0.7 }], conv(2)]],
    // PReLU first: its kink at 0 then lies on the fixed input, not on values that a weight's finite difference moves.
    ['per-channel PReLU and instance norm (affine, with running statistics)', [5, 4, 3], [['PReLU', {}], conv(4), ['InstanceNorm', { affine: true, trackRunningStats: true }], conv(2)]],
    ['one-α PReLU and instance norm on a sequence', [7, 3], [['PReLU', { sharedAxes: 'all' }], ['Conv1D', { filters: 4, kernelSize: 3, activation: 'tanh' }], ['InstanceNorm', { affine: true }], ['Conv1D', { filters: 2, kernelSize: 1 }]]],
    ['layer norm on an image and on a vector', [4, 4, 3], [conv(4), ['LayerNorm', {}], ['Flatten'], ['Dense', { units: 5, activation: 'tanh' }], ['LayerNorm', { epsilon: 0.000001 }], ['Dense', { units: 3 }]]],
    ['channel shuffle and channel slice between convolutions', [4, 4, 3], [conv(6), ['ChannelShuffle', { groups: 3 }], ['ChannelSlice', { start: 1, end: 5 }], conv(2)]],
  ];
  for (const [name, shape, layers] of cases) {
    it(`${name}: every weight's gradient equals central differences`, () => {
      assert.ok(checkGradients(shape, layers, name.length) >= 8);
    });
  }

  it('drop path drops whole samples in training, scaling the kept ones by 1 / (1 − rate), and is the identity at inference', () => {
    const rate = 0.5;
    const model = compileDesign(chainDesign([3, 3, 2], [['DropPath', { rate }]]));
    const x = tf.ones([400, 3, 3, 2]);
    const y = (model.apply(x, { training: true }) as tf.Tensor).reshape([400, 18]).arraySync() as number[][];
    const kept = y.filter((row) => row.every((v) => Math.abs(v - 1 / (1 - rate)) < 1e-6)).length;
    const dropped = y.filter((row) => row.every((v) => v === 0)).length;
    assert.equal(kept + dropped, 400, 'each sample is kept or dropped as a whole');
    assert.ok(kept > 140 && kept < 260, `${kept} of 400 samples kept at rate ${rate}`);
    const inference = model.predict(x) as tf.Tensor;
    assert.equal(tf.max(tf.abs(tf.sub(inference, x))).dataSync()[0], 0, 'identity at inference');
    tf.dispose([x, inference]);
    model.dispose();
  });

  it('spatial dropout drops whole channels of each sample in training and is the identity at inference', () => {
    const model = compileDesign(chainDesign([3, 3, 4], [['SpatialDropout2D', { rate: 0.5 }]]));
    const x = tf.ones([50, 3, 3, 4]);
    const y = (model.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][][][];
    let zeroChannels = 0;
    for (const sample of y) {
      for (let c = 0; c < 4; c++) {
        const values = sample.flat().map((pixel) => pixel[c]);
        assert.ok(values.every((v) => v === values[0]) && (values[0] === 0 || Math.abs(values[0] - 2) < 1e-6), 'a channel is dropped or kept whole');
        if (values[0] === 0) zeroChannels++;
      }
    }
    assert.ok(zeroChannels > 60 && zeroChannels < 140, `${zeroChannels} of 200 channels dropped`);
    const inference = model.predict(x) as tf.Tensor;
    assert.equal(tf.max(tf.abs(tf.sub(inference, x))).dataSync()[0], 0);
    tf.dispose([x, inference]);
    model.dispose();
  });

  it("instance norm's running statistics follow PyTorch's update (momentum 0.1, unbiased variance) and serve inference", () => {
    const rnd = seededRandom(5);
    const model = compileDesign(chainDesign([3, 2, 2], [['InstanceNorm', { trackRunningStats: true }]]));
    const data = Array.from({ length: 2 * 3 * 2 * 2 }, () => rnd() * 4 - 1);
    const x = tf.tensor4d(data, [2, 3, 2, 2]);
    tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
    const [mean, variance] = model.layers[1].getWeights().map((w) => w.dataSync());
    for (let c = 0; c < 2; c++) {
      let meanSum = 0;
      let varSum = 0;
      for (let n = 0; n < 2; n++) {
        const values = Array.from({ length: 6 }, (_, p) => data[(n * 6 + p) * 2 + c]);
        const m = values.reduce((a, b) => a + b, 0) / 6;
        meanSum += m;
        varSum += values.reduce((a, b) => a + (b - m) ** 2, 0) / 5;
      }
      assert.ok(Math.abs(mean[c] - 0.1 * (meanSum / 2)) < 1e-5, `running mean of channel ${c}`);
      assert.ok(Math.abs(variance[c] - (0.9 + 0.1 * (varSum / 2))) < 1e-5, `running variance of channel ${c}`);
    }
    const y = (model.predict(x) as tf.Tensor).dataSync();
    assert.ok(Math.abs(y[1] - (data[1] - mean[1]) / Math.sqrt(variance[1] + 1e-5)) < 1e-5, 'inference normalizes with the running statistics');
    x.dispose();
    model.dispose();
  });
});

describe("the TF.js export's own classes behave as the engine's in training", () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  /** The design's TF.js export, built in this process, and the engine's compiled model. */
  const both = (layers: ChainLayer[], shape: number[]): tf.LayersModel[] => [loadTfjsExport(exportDesign(chainDesign(shape, layers), 'tfjs').files[0].code).buildModel(), compileDesign(chainDesign(shape, layers))];

  it('DropPath and SpatialDropout2D drop whole samples and whole channels; both are the identity at inference', () => {
    const [exported] = both([['DropPath', { rate: 0.5 }], ['SpatialDropout2D', { rate: 0.5 }]], [2, 2, 3]);
    const x = tf.ones([200, 2, 2, 3]);
    const y = (exported.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][][][];
    let droppedSamples = 0;
    for (const sample of y) {
      const values = sample.flat();
      if (values.every((pixel) => pixel.every((v) => v === 0))) droppedSamples++;
      for (let c = 0; c < 3; c++) {
        const channel = values.map((pixel) => pixel[c]);
        assert.ok(channel.every((v) => v === channel[0]) && [0, 4].some((k) => Math.abs(channel[0] - k) < 1e-5), `a channel is dropped or kept (×2×2) whole: ${channel}`);
      }
    }
    assert.ok(droppedSamples > 70 && droppedSamples < 150, `${droppedSamples} of 200 samples dropped`);
    const inference = exported.predict(x) as tf.Tensor;
    assert.equal(tf.max(tf.abs(tf.sub(inference, x))).dataSync()[0], 0);
    tf.dispose([x, inference]);
    exported.dispose();
  });

  it("InstanceNorm's running statistics and GroupNorm, LayerScale, ChannelShuffle and ChannelSlice outputs equal the engine's", () => {
    const rnd = seededRandom(11);
    const [exported, engine] = both(
      [['InstanceNorm', { affine: true, trackRunningStats: true }], ['GroupNorm', { groups: 2 }], ['LayerScale', { initValue: 0.5 }], ['ChannelShuffle', { groups: 2 }], ['ChannelSlice', { start: 1, end: 3 }]],
      [3, 2, 4],
    );
    const x = tf.tensor4d(Array.from({ length: 2 * 3 * 2 * 4 }, () => rnd() * 3 - 1), [2, 3, 2, 4]);
    const outputs = [exported, engine].map((m) => (m.apply(x, { training: true }) as tf.Tensor).dataSync());
    assert.ok(outputs[0].every((v, i) => Math.abs(v - outputs[1][i]) < 1e-5), 'training outputs');
    const stats = [exported, engine].map((m) => m.layers[1].getWeights().map((w) => [...w.dataSync()]));
    assert.deepEqual(stats[0].map((w) => w.map((v) => v.toFixed(5))), stats[1].map((w) => w.map((v) => v.toFixed(5))), 'weights and running statistics after a training step');
    const predicted = [exported, engine].map((m) => (m.predict(x) as tf.Tensor).dataSync());
    assert.ok(predicted[0].every((v, i) => Math.abs(v - predicted[1][i]) < 1e-5), 'inference outputs');
    x.dispose();
    exported.dispose();
    engine.dispose();
  });
});
