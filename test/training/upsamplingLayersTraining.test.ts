// The project's own layers for transposed convolution, padding modes and PyTorch's pooling modes train:
// their gradients are those of the function they compute (central differences), a step of gradient
// descent lowers the loss, and a saved model reloads with the same outputs.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { seededRandom } from '../support/randomDesign';
import { chainDesign, type ChainLayer } from '../support/designBuilder';
import { assertCentralDifferences } from './support/assertCentralDifferences';

/** Each case ends in layers without weights behind a weighted one, so their input gradients are checked too. */
const CASES: { name: string; shape: number[]; layers: ChainLayer[]; classes: string[] }[] = [
  {
    name: 'transposed 2-D: padding, output padding past the full output, dilation, groups',
    shape: [3, 4, 4],
    layers: [
      ['Conv2DTranspose', { filters: 4, kernelSize: 3, strides: 2, padding: 1, outputPadding: 1, groups: 2 }],
      ['Conv2DTranspose', { filters: 2, kernelSize: 2, strides: 3, dilationRate: 2, padding: 0, outputPadding: 2, activation: 'tanh' }],
    ],
    classes: ['CnnConv2DTranspose'],
  },
  {
    name: 'transposed 2-D as Keras has it ("same")',
    shape: [3, 4, 2],
    layers: [['Conv2DTranspose', { filters: 3, kernelSize: 3, strides: 2, padding: 'same' }]],
    classes: ['Conv2DTranspose'],
  },
  {
    name: 'transposed 1-D',
    shape: [5, 2],
    layers: [['Conv1DTranspose', { filters: 3, kernelSize: 4, strides: 3, padding: 2, outputPadding: 1, dilationRate: 2 }]],
    classes: ['CnnConv1DTranspose'],
  },
  {
    name: 'reflect, replicate and circular padding, cropping',
    shape: [4, 5, 2],
    layers: [
      ['Conv2D', { filters: 2, kernelSize: 2 }],
      ['Padding2D', { padding: [2, 1, 0, 3], mode: 'reflect' }],
      ['Padding2D', { padding: [1, 2], mode: 'replicate' }],
      ['Padding2D', { padding: [1, 0, 2, 1], mode: 'circular' }],
      ['Padding2D', { padding: 1, value: 0.5 }],
      ['Cropping2D', { cropping: [1, 0, 2, 1] }],
    ],
    classes: ['CnnPadding2D', 'Cropping2D'],
  },
  {
    name: 'ceil-mode pooling, average pooling without its padding in the count',
    shape: [6, 7, 2],
    layers: [
      ['Conv2D', { filters: 2, kernelSize: 2 }],
      ['MaxPool2D', { poolSize: 3, strides: 2, padding: 1, ceilMode: true }],
      ['AvgPool2D', { poolSize: 2, strides: 2, padding: 1, ceilMode: true }],
      ['AvgPool2D', { poolSize: 2, strides: 1, padding: 1, countIncludePad: false }],
    ],
    classes: ['CnnMaxPool2D', 'CnnAvgPool2D'],
  },
  {
    name: '1-D ceil-mode pooling',
    shape: [9, 2],
    layers: [
      ['Conv1D', { filters: 2, kernelSize: 2 }],
      ['AvgPool1D', { poolSize: 3, strides: 2, padding: 1, ceilMode: true, countIncludePad: false }],
      ['MaxPool1D', { poolSize: 2, strides: 2, ceilMode: true }],
      ['GlobalAvgPool1D'],
    ],
    classes: ['CnnAvgPool1D', 'CnnMaxPool1D'],
  },
];

const STEP = 2e-3;

describe('transposed convolution, padding and pooling modes train in TF.js', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const c of CASES) {
    it(`${c.name}: gradients equal central differences, a step lowers the loss, and it reloads`, async () => {
      const model = compileDesign(chainDesign(c.shape, c.layers));
      for (const cls of c.classes) assert.ok(model.layers.some((l) => l.getClassName() === cls), `compiled with ${cls}`);
      const rnd = seededRandom(7);
      // Seeded weights: with random ones a max-pooling choice could flip within one difference step.
      for (const w of model.trainableWeights) w.write(tf.tensor(Array.from({ length: (w.shape as number[]).reduce((a, b) => a * b, 1) }, () => rnd() - 0.5), w.shape as number[]));
      const x = tf.tensor(Array.from({ length: 2 * c.shape.reduce((a, b) => a * b, 1) }, () => 2 * rnd() - 1), [2, ...c.shape]);
      const outShape = (model.outputs[0].shape as number[]).slice(1);
      const dy = tf.tensor(Array.from({ length: 2 * outShape.reduce((a, b) => a * b, 1) }, () => 2 * rnd() - 1), [2, ...outShape]);
      const loss = (): tf.Scalar => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, dy)) as tf.Scalar;
      const { value, grads } = tf.variableGrads(loss);
      const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
      assert.ok(weights.length > 0);
      // Central differences on a few entries of every weight (float32: the loss is linear in each weight but for activations and max pooling, whose choice a step small enough keeps).
      assertCentralDifferences(model, loss, grads, { step: STEP, tolerance: 1e-2 });
      // A small step against the gradient lowers the loss.
      const before = value.dataSync()[0];
      for (const w of weights) w.assign(tf.sub(w, tf.mul(grads[w.name], 1e-3)));
      assert.ok(tf.tidy(() => loss().dataSync()[0]) < before, 'one gradient step lowers the loss');

      let saved: tf.io.ModelArtifacts | undefined;
      await model.save(tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }));
      const reloaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
      assert.deepEqual(reloaded.layers.map((l) => l.getClassName()), model.layers.map((l) => l.getClassName()));
      assert.deepEqual((reloaded.predict(x) as tf.Tensor).arraySync(), (model.predict(x) as tf.Tensor).arraySync());
      tf.dispose([x, dy, value, ...Object.values(grads)]);
      model.dispose();
      reloaded.dispose();
    });
  }
});
