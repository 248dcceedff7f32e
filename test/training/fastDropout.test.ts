// The compiled Dropout layer: its own mask generator keeps 1 − rate of the values, scaled by
// 1 / (1 − rate), only while training; gradients flow through the same mask; a saved model
// reloads as TF.js' own Dropout.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { fastDropoutClass } from '../../src/training/compile/fastDropout';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { chainDesign } from '../support/designBuilder';

describe('fast Dropout', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('keeps 1 − rate of the values, scaled by 1 / (1 − rate), and only while training', () => {
    const FastDropout = fastDropoutClass();
    for (const rate of [0.1, 0.5, 0.8]) {
      const layer = new FastDropout({ rate, name: `d${rate}` });
      const x = tf.ones([100, 1000]);
      const y = layer.apply(x, { training: true }) as tf.Tensor;
      const values = y.dataSync();
      const kept = values.filter((v) => v !== 0);
      assert.ok(Math.abs(kept.length / values.length - (1 - rate)) < 0.01, `rate ${rate}: kept ${kept.length / values.length}`);
      assert.ok(kept.every((v) => Math.abs(v - 1 / (1 - rate)) < 1e-6));
      // A fresh mask on every call.
      const again = (layer.apply(x, { training: true }) as tf.Tensor).dataSync();
      assert.notDeepEqual(Array.from(again), Array.from(values));
      assert.deepEqual(Array.from((layer.apply(x) as tf.Tensor).dataSync()), Array.from(x.dataSync()), 'inference is the identity');
      tf.dispose([x, y]);
    }
  });

  it('keeps exactly the values whose xorshift32 draw u in [0, 2³²) reaches rate·2³²', () => {
    const FastDropout = fastDropoutClass();
    const random = Math.random;
    for (const rate of [0.5, 0.1, 1 / 3, 0.75, 1 - 2 ** -33]) {
      Math.random = () => 0.123456789;
      try {
        const layer = new FastDropout({ rate, name: `x${rate}` });
        const x = tf.ones([3, 4001]);
        const values = (layer.apply(x, { training: true }) as tf.Tensor).dataSync();
        // The rule written plainly: one draw per value, in order, from the seed Math.random gave.
        let s = (Math.floor(0.123456789 * 0xffffffff) | 1) >>> 0;
        const scale = Math.fround(1 / (1 - rate));
        for (let i = 0; i < values.length; i++) {
          s ^= s << 13;
          s ^= s >>> 17;
          s ^= s << 5;
          const expected = (s >>> 0) >= rate * 4294967296 ? scale : 0;
          assert.equal(values[i], expected, `rate ${rate}, value ${i}`);
        }
        x.dispose();
      } finally {
        Math.random = random;
      }
    }
  });

  it('passes gradients through the same mask it applied', () => {
    const layer = new (fastDropoutClass())({ rate: 0.5, name: 'dg' });
    const x = tf.randomNormal([8, 50], 0, 1, 'float32', 3);
    let output: tf.Tensor | undefined;
    const gradient = tf.grad((input: tf.Tensor) => {
      output = tf.keep(layer.apply(input, { training: true }) as tf.Tensor);
      return tf.sum(output);
    })(x);
    const kept = output!.dataSync();
    gradient.dataSync().forEach((g, i) => assert.equal(g, kept[i] === 0 ? 0 : 2));
    tf.dispose([x, gradient, output!]);
  });

  it('is saved as TF.js\' own Dropout, so a saved model reloads without this project', async () => {
    const model = compileDesign(chainDesign([4], [['Dense', { units: 3 }], ['Dropout', { rate: 0.3 }], ['Dense', { units: 2 }]]));
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const topology = JSON.stringify(artifacts!.modelTopology);
    assert.ok(topology.includes('"class_name":"Dropout"'));
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    assert.equal(reloaded.layers.find((l) => l.getClassName() === 'Dropout')?.getConfig().rate, 0.3);
    model.dispose();
    reloaded.dispose();
  });
});
