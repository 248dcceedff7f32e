// The backward pass that frees as it goes against TF.js' own: the same gradients bit for bit, on a
// net with convolution, batch norm, a residual addition, dropout-free dense head and a weight the
// loss does not reach; no tensor left behind. What it saves shows on real nets (bench:train's peak memory).
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { leanVariableGrads } from '../../src/training/parallel/leanVariableGrads';
import { selectBackend } from '../../src/training/engine/selectBackend';

function net(): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 3] });
  const conv = (x: tf.SymbolicTensor, seed: number) => tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(x) as tf.SymbolicTensor;
  let x = tf.layers.reLU().apply(tf.layers.batchNormalization().apply(conv(input, 1))) as tf.SymbolicTensor;
  // A chain of residual blocks: TF.js' own pass holds every block's output gradient at its end.
  for (let block = 0; block < 4; block++) {
    const y = tf.layers.reLU().apply(tf.layers.batchNormalization().apply(conv(x, 10 + block))) as tf.SymbolicTensor;
    x = tf.layers.add().apply([x, y]) as tf.SymbolicTensor;
  }
  const pooled = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('leanVariableGrads', function () {
  this.timeout(60_000);
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`gives TF.js' own gradients bit for bit on ${backend}, leaves no tensor behind and peaks no higher`, async () => {
      await selectBackend({ preferred: backend, smokeTest: false });
      const model = net();
      const dangling = tf.variable(tf.ones([4]), true, `dangling-${backend}`);
      const variables = [...model.trainableWeights.map((w) => w.read() as tf.Variable), dangling];
      const xs = tf.randomNormal([6, 16, 16, 3], 0, 1, 'float32', 5);
      const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32'), 5);
      const loss = () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar;
      const theirs = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(loss, variables);
        return [value, ...Object.values(grads)];
      });
      const own = tf.variableGrads(loss, variables);
      const oursProfile = await tf.profile(() => {
        const { value, grads } = leanVariableGrads(loss, variables);
        return [value, ...grads.filter((g): g is tf.Tensor => g !== undefined)];
      });
      const before = tf.memory().numTensors;
      const ours = leanVariableGrads(loss, variables);
      const kept = [ours.value, ...ours.grads.filter((g): g is tf.Tensor => g !== undefined)].length;
      assert.equal(tf.memory().numTensors, before + kept, 'only the value and the gradients remain');
      assert.deepEqual(ours.value.dataSync(), own.value.dataSync());
      assert.equal(ours.grads[variables.length - 1], undefined);
      variables.slice(0, -1).forEach((v, i) => assert.deepEqual(ours.grads[i]!.dataSync(), own.grads[v.name].dataSync(), v.name));
      assert.ok(oursProfile.peakBytes <= theirs.peakBytes, `peak ${oursProfile.peakBytes} vs ${theirs.peakBytes} bytes`);
      tf.dispose([ours.value, ...ours.grads.filter((g): g is tf.Tensor => g !== undefined), own.value, ...Object.values(own.grads)]);
      tf.dispose(theirs.result as tf.Tensor[]);
      tf.dispose(oursProfile.result as tf.Tensor[]);
      tf.dispose([xs, ys, dangling]);
      model.dispose();
    });
  }
});
