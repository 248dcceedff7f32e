// Grouped and depthwise convolutions train in TF.js: the compiled model (Keras' DepthwiseConv2D and
// the project's grouped layers) computes what onnxruntime computes from the same weights in
// PyTorch's layout, and its gradients equal central differences of its own outputs.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { emptyDesign, type Design } from '../../src/core/design';
import { compileGraph } from '../../src/core/export/compileGraph';
import { exportOnnx } from '../../src/core/export/exportOnnx';
import { toPyTorchStateDict } from '../../src/core/export/pytorchWeights';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { installTrainingKernels } from '../../src/training/engine/kernels/installTrainingKernels';
import { initWasmBackend } from '../../src/training/engine/initWasmBackend';
import { seededRandom } from '../support/randomDesign';
import { assertCentralDifferences } from './support/assertCentralDifferences';

/** depthwise ×2 (DepthwiseConv2D) → grouped in 2 with stride (CnnGroupedConv2D) → dilated depthwise (grouped layer) → 1×1. */
function groupedDesign(): Design {
  const d = emptyDesign('grouped_training');
  d.nodes = [
    { id: 'input', type: 'Input', params: { shape: [7, 6, 4] } },
    { id: 'depthwise', type: 'Conv2D', params: { filters: 8, kernelSize: 3, padding: 'same', groups: 4, activation: 'tanh' } },
    { id: 'grouped', type: 'Conv2D', params: { filters: 6, kernelSize: [3, 2], strides: 2, padding: 1, groups: 2, activation: 'tanh' } },
    { id: 'dilated', type: 'Conv2D', params: { filters: 6, kernelSize: 2, dilationRate: 2, padding: 'same', groups: 6, useBias: false } },
    { id: 'mix', type: 'Conv2D', params: { filters: 3, kernelSize: 1 } },
  ];
  const chain = d.nodes.map((n) => n.id);
  d.edges = chain.slice(1).map((target, i) => ({ source: chain[i], target }));
  return d;
}

/** The compiled model's weights as "layer/weight" tensors, as a saved model names them. */
function namedWeights(model: tf.LayersModel): { name: string; shape: number[]; data: Float32Array }[] {
  return model.weights.map((w) => ({ name: w.originalName, shape: w.shape as number[], data: w.read().dataSync() as Float32Array }));
}

function randomize(model: tf.LayersModel, seed: number): void {
  const rnd = seededRandom(seed);
  model.setWeights(model.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, () => rnd() - 0.5), w.shape)));
}

async function gradientsEqualCentralDifferences(): Promise<void> {
  const rnd = seededRandom(5);
  const model = compileDesign(groupedDesign());
  randomize(model, 9);
  const x = tf.tensor4d(Array.from({ length: 2 * 7 * 6 * 4 }, () => rnd() * 2 - 1), [2, 7, 6, 4]);
  const loss = (): tf.Scalar => tf.tidy(() => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)));
  const { grads } = tf.variableGrads(loss);
  // The first, a middle and the last entry of each weight: across groups, so a mixed-up split would show.
  const checked = assertCentralDifferences(model, loss, grads, { step: 1e-2 });
  assert.ok(checked >= 21, `checked ${checked}`);
  Object.values(grads).forEach((t) => t.dispose());
  x.dispose();
  model.dispose();
}

describe('grouped and depthwise convolutions train in TF.js', function () {
  this.timeout(120_000);
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('the compiled layers compute what onnxruntime computes from the same weights in PyTorch\'s layout', async () => {
    const design = groupedDesign();
    const model = compileDesign(design);
    const classes = model.layers.map((l) => l.getClassName());
    assert.ok(classes.includes('DepthwiseConv2D') && classes.includes('CnnGroupedConv2D'), classes.join(' '));
    randomize(model, 3);
    const rnd = seededRandom(4);
    const data = Float32Array.from({ length: 2 * 7 * 6 * 4 }, () => rnd() * 2 - 1);
    const ours = (model.predict(tf.tensor4d(data, [2, 7, 6, 4])) as tf.Tensor).dataSync();
    const bytes = exportOnnx(compileGraph(design), { weights: toPyTorchStateDict(design, namedWeights(model)) });
    const session = await ort.InferenceSession.create(bytes);
    // NHWC → NCHW for onnxruntime, and its NCHW output back.
    const nchw = new Float32Array(data.length);
    for (let n = 0; n < 2; n++) for (let h = 0; h < 7; h++) for (let w = 0; w < 6; w++) for (let c = 0; c < 4; c++) nchw[((n * 4 + c) * 7 + h) * 6 + w] = data[((n * 7 + h) * 6 + w) * 4 + c];
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', nchw, [2, 4, 7, 6]) });
    const got = out[session.outputNames[0]];
    const [, c, h, w] = got.dims as number[];
    assert.deepEqual([c, h, w], [3, 4, 4]);
    let maxDiff = 0;
    for (let n = 0; n < 2; n++)
      for (let y = 0; y < h; y++)
        for (let z = 0; z < w; z++)
          for (let k = 0; k < c; k++) maxDiff = Math.max(maxDiff, Math.abs((got.data as Float32Array)[((n * c + k) * h + y) * w + z] - ours[((n * h + y) * w + z) * c + k]));
    assert.ok(maxDiff < 1e-4, `max difference ${maxDiff}`);
    await session.release();
    model.dispose();
  });

  it('on the cpu backend: each weight\'s gradient (first, middle and last entry) equals central differences', gradientsEqualCentralDifferences);

  it('on the wasm backend (the project\'s depthwise gradient kernels): the same gradients', async () => {
    try {
      await initWasmBackend();
      installTrainingKernels('wasm');
      await gradientsEqualCentralDifferences();
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('a few Adam steps on the cpu backend lower the loss', async () => {
    const model = compileDesign(groupedDesign());
    const rnd = seededRandom(12);
    const x = tf.tensor4d(Array.from({ length: 8 * 7 * 6 * 4 }, () => rnd() * 2 - 1), [8, 7, 6, 4]);
    const y = tf.tensor4d(Array.from({ length: 8 * 4 * 4 * 3 }, () => rnd() - 0.5), [8, 4, 4, 3]);
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });
    const history = await model.fit(x, y, { epochs: 20, batchSize: 8, verbose: 0 });
    const losses = history.history.loss as number[];
    assert.ok(losses[losses.length - 1] < losses[0] * 0.8, `loss ${losses[0]} → ${losses[losses.length - 1]}`);
    tf.dispose([x, y]);
    model.dispose();
  });
});
