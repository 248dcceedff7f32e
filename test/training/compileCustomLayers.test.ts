// The project's own layers: PyTorch-style padding semantics and a save/reload round trip.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { chainDesign } from '../support/designBuilder';

describe('compiled custom layers', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('max pooling with explicit padding never picks the padding, even when every value is negative', () => {
    const model = compileDesign(chainDesign([2, 2, 1], [['MaxPool2D', { poolSize: 3, strides: 1, padding: 1 }]]));
    const y = model.predict(tf.tensor4d([-5, -6, -7, -8], [1, 2, 2, 1])) as tf.Tensor;
    assert.deepEqual(y.reshape([2, 2]).arraySync(), [[-5, -5], [-5, -5]]);
    model.dispose();
  });

  it('1-D max pooling with padding, and 1-D convolution with zero padding', () => {
    const model = compileDesign(chainDesign([3, 1], [['MaxPool1D', { poolSize: 2, strides: 1, padding: 1 }]]));
    const y = model.predict(tf.tensor3d([-1, -3, -2], [1, 3, 1])) as tf.Tensor;
    assert.deepEqual(y.reshape([4]).arraySync(), [-1, -1, -2, -2]);
    model.dispose();
    const conv = compileDesign(chainDesign([3, 1], [['Conv1D', { filters: 1, kernelSize: 3, padding: 1, useBias: false }]]));
    conv.getLayer('l1').setWeights([tf.ones([3, 1, 1])]);
    const z = conv.predict(tf.tensor3d([1, 2, 4], [1, 3, 1])) as tf.Tensor;
    assert.deepEqual(z.reshape([3]).arraySync(), [3, 7, 6]);
    conv.dispose();
  });

  it('average pooling with explicit padding counts the zeros, as PyTorch does', () => {
    const model = compileDesign(chainDesign([2, 2, 1], [['AvgPool2D', { poolSize: 2, strides: 2, padding: 1 }]]));
    const y = model.predict(tf.tensor4d([4, 8, 12, 16], [1, 2, 2, 1])) as tf.Tensor;
    assert.deepEqual(y.reshape([2, 2]).arraySync(), [[1, 2], [3, 4]]);
    model.dispose();
  });

  it('Conv2D layers compute, while training, the same outputs and gradients as TF.js\' fused convolution', () => {
    for (const activation of ['linear', 'relu', 'tanh']) {
      const model = compileDesign(chainDesign([7, 7, 2], [['Conv2D', { filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation }]]));
      const layer = model.getLayer('l1');
      assert.equal(layer.getClassName(), 'Conv2D', 'saved models name it as TF.js does');
      const [kernel, bias] = layer.getWeights();
      const x = tf.randomNormal([2, 7, 7, 2], 0, 1, 'float32', 3);
      const dy = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 4);
      const ours = tf.variableGrads(() => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, dy)) as tf.Scalar);
      const k = tf.variable(kernel);
      const b = tf.variable(bias);
      // TF.js' own path: the fused op (linear, with its custom gradient), then the activation.
      const reference = tf.variableGrads(() => {
        const pre = tf.fused.conv2d({ x: x as tf.Tensor4D, filter: k as unknown as tf.Tensor4D, strides: 2, pad: 'same', bias: b });
        const out = activation === 'relu' ? tf.relu(pre) : activation === 'tanh' ? tf.tanh(pre) : pre;
        return tf.sum(tf.mul(out, dy)) as tf.Scalar;
      }, [k, b]);
      const close = (a: tf.Tensor, e: tf.Tensor, what: string) => {
        const diff = tf.max(tf.abs(tf.sub(a, e))).dataSync()[0];
        assert.ok(diff < 1e-4, `${activation}: ${what} differs by ${diff}`);
      };
      close(ours.value, reference.value, 'loss');
      close(ours.grads[(layer.trainableWeights[0].read() as tf.Variable).name], reference.grads[k.name], 'kernel gradient');
      close(ours.grads[(layer.trainableWeights[1].read() as tf.Variable).name], reference.grads[b.name], 'bias gradient');
      tf.dispose([x, dy, k, b, ours.value, reference.value, ...Object.values(ours.grads), ...Object.values(reference.grads)]);
      model.dispose();
    }
  });

  it('a model with every custom layer saves and reloads with the same outputs', async () => {
    const design = chainDesign([8, 1], [
      ['Conv1D', { filters: 2, kernelSize: 3, padding: 1 }],
      ['MaxPool1D', { poolSize: 3, strides: 1, padding: 1 }],
      ['Flatten'],
      ['Dense', { units: 3, activation: 'logSoftmax' }],
    ]);
    const image = chainDesign([6, 6, 2], [['Conv2D', { filters: 3, kernelSize: 3, padding: 'same' }], ['MaxPool2D', { poolSize: 3, strides: 2, padding: 1 }], ['Flatten']]);
    const grouped = chainDesign([6, 6, 4], [
      ['Conv2D', { filters: 6, kernelSize: 3, padding: 'same', groups: 2, activation: 'relu' }],
      ['Conv2D', { filters: 6, kernelSize: 2, dilationRate: 2, groups: 6, useBias: false }],
      ['Conv2D', { filters: 12, kernelSize: 1, groups: 6 }],
    ]);
    const groupedSequence = chainDesign([8, 4], [['Conv1D', { filters: 4, kernelSize: 3, strides: 2, groups: 4, activation: 'tanh' }]]);
    for (const d of [design, image, grouped, groupedSequence]) {
      const model = compileDesign(d);
      const classes = model.layers.map((l) => l.getClassName());
      let saved: tf.io.ModelArtifacts | undefined;
      await model.save(tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }));
      const reloaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
      assert.deepEqual(reloaded.layers.map((l) => l.getClassName()), classes);
      const x = tf.randomNormal([2, ...(d.nodes[0].params.shape as number[])]);
      const a = (model.predict(x) as tf.Tensor).arraySync();
      const b = (reloaded.predict(x) as tf.Tensor).arraySync();
      assert.deepEqual(b, a);
      model.dispose();
      reloaded.dispose();
    }
  });
});
