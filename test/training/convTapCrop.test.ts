// Convolutions with the filter taps that only ever meet padding left out (convTapCrop.ts): the crop's geometry, and the
// wasm forward kernels (Conv2D, FusedConv2D) and both gradient kernels against TF.js' own cpu kernels on small maps.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { convTapCrop } from '../../src/training/engine/kernels/convTapCrop';
import { builtInKernel } from '../../src/training/engine/kernels/installTrainingKernels';
import { onWasmEngine } from '../support/onWasmEngine';
import { seededRandom } from '../support/randomDesign';
import { assertClose } from '../support/assertClose';

type Pad = 'valid' | 'same' | [[0, 0], [number, number], [number, number], [0, 0]];

interface SmallCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

/** Small maps (1–4 pixels a side) with wide padding: where taps miss the input. */
function smallCase(rnd: () => number): SmallCase {
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  for (;;) {
    const kh = int(1, 5);
    const kw = rnd() < 0.6 ? kh : int(1, 5);
    const strides: [number, number] = [int(1, 3), int(1, 3)];
    const pad: Pad = rnd() < 0.6 ? 'same' : rnd() < 0.2 ? 'valid' : [[0, 0], [int(0, 4), int(0, 4)], [int(0, 4), int(0, 4)], [0, 0]];
    const xShape: [number, number, number, number] = [int(1, 3), int(1, 4), int(1, 4), int(1, 6)];
    const filterShape: [number, number, number, number] = [kh, kw, xShape[3], int(1, 7)];
    try {
      const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, undefined, false, 'channelsLast');
      if (info.outHeight > 0 && info.outWidth > 0) return { xShape, filterShape, strides, pad };
    } catch {
      // geometry TF.js refuses: draw again
    }
  }
}


describe('convolution tap crop', function () {
  this.timeout(120_000);

  it('keeps only the taps that reach the input, with the padding that keeps the output size', () => {
    // A 3×3 'same' convolution of a 1×1 map (a deep stage of a net at small input) is its centre tap.
    assert.deepEqual(convTapCrop([8, 1, 1, 512], [3, 3, 512, 512], 1, 1, 'same'), { begin: [1, 1], size: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]] });
    // A stride-2 'same' one from 2×2: TF.js pads bottom/right only, so the last row and column of taps meet padding.
    assert.deepEqual(convTapCrop([8, 2, 2, 256], [3, 3, 256, 512], 2, 1, 'same'), { begin: [0, 0], size: [2, 2], pad: [[0, 0], [0, 0], [0, 0], [0, 0]] });
    // Every tap reaches some input pixel: nothing to crop.
    assert.equal(convTapCrop([8, 2, 2, 256], [3, 3, 256, 256], 1, 1, 'same'), undefined);
    assert.equal(convTapCrop([8, 8, 8, 64], [3, 3, 64, 64], 1, 1, 'same'), undefined);
    assert.equal(convTapCrop([8, 1, 1, 64], [1, 1, 64, 64], 1, 1, 'same'), undefined);
    // Only one axis short: its taps are cropped, the other keeps its own padding.
    assert.deepEqual(convTapCrop([1, 1, 5, 2], [3, 3, 2, 4], 1, 1, 'same'), { begin: [1, 0], size: [1, 3], pad: [[0, 0], [0, 0], [1, 1], [0, 0]] });
  });

  describe('on wasm', () => {
    onWasmEngine();

    it('Conv2D, FusedConv2D (bias, relu) and both gradient kernels equal TF.js cpu kernels on 200 random small-map cases', () => {
      const rnd = seededRandom(31);
      const cpu = tf.findBackend('cpu')!;
      const wasm = tf.backend();
      const kernel = (name: string, backendName: string) => builtInKernel(name, backendName)!.kernelFunc;
      assert.notEqual(tf.getKernel('Conv2D', 'wasm').kernelFunc, kernel('Conv2D', 'wasm'), "the project's Conv2D is installed");
      assert.notEqual(tf.getKernel('FusedConv2D', 'wasm').kernelFunc, kernel('FusedConv2D', 'wasm'), "the project's FusedConv2D is installed");
      let cropped = 0;
      let builtInWrong = 0;
      for (let i = 0; i < 200; i++) {
        const c = smallCase(rnd);
        if (convTapCrop(c.xShape, c.filterShape, c.strides, 1, c.pad)) cropped++;
        const info = tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, 1, c.pad, undefined, false, 'channelsLast');
        const co = c.filterShape[3];
        const data = (shape: number[], seed: number) => tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync() as Float32Array);
        const xData = data(c.xShape, i);
        const wData = data(c.filterShape, i + 1000);
        const dyData = data(info.outShape, i + 2000);
        const biasData = data([co], i + 3000);
        const on = (backend: tf.KernelBackend, values: Float32Array, shape: number[]): tf.TensorInfo => ({ dataId: backend.write(values, shape, 'float32'), shape, dtype: 'float32' });
        const convAttrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: 1 } as unknown as tf.NamedAttrMap;
        const fusedAttrs = { ...convAttrs, activation: 'relu' } as unknown as tf.NamedAttrMap;
        const run = (backend: tf.KernelBackend, own: boolean | 'builtIn') => {
          const get = (name: string) => (own === 'builtIn' ? kernel(name, 'wasm') : own ? tf.getKernel(name, 'wasm').kernelFunc : kernel(name, 'cpu'));
          const x = on(backend, xData, c.xShape);
          const w = on(backend, wData, c.filterShape);
          const dy = on(backend, dyData, info.outShape);
          const bias = on(backend, biasData, [co]);
          const outputs = [
            () => get('Conv2D')({ inputs: { x, filter: w }, backend, attrs: convAttrs }),
            () => get('FusedConv2D')({ inputs: { x, filter: w, bias }, backend, attrs: fusedAttrs }),
            () => get('Conv2DBackpropFilter')({ inputs: { x, dy }, backend, attrs: { ...convAttrs, filterShape: c.filterShape } as unknown as tf.NamedAttrMap }),
            () => get('Conv2DBackpropInput')({ inputs: { dy, filter: w }, backend, attrs: { ...convAttrs, inputShape: c.xShape } as unknown as tf.NamedAttrMap }),
          ]
            .slice(0, own === 'builtIn' ? 2 : 4)
            .map((compute) => compute() as tf.TensorInfo);
          const values = outputs.map((o) => ({ shape: o.shape, values: backend.readSync(o.dataId) as Float32Array }));
          for (const info of [x, w, dy, bias, ...outputs]) backend.disposeData(info.dataId);
          return values;
        };
        const ours = run(wasm, true);
        const reference = run(cpu, false);
        const builtIn = run(wasm, 'builtIn');
        ['Conv2D', 'FusedConv2D', 'dW', 'dx'].forEach((what, k) => {
          const label = `case ${i} ${JSON.stringify(c)} ${what}`;
          assert.deepEqual(ours[k].shape, reference[k].shape, `${label}: shape`);
          try {
            assertClose(ours[k].values, reference[k].values, label);
          } catch (error) {
            // TF.js' own wasm forward gets some uncropped geometries wrong (zeros for 'same' with a stride above the
            // filter width, XNNPACK's): there the wrapper must give exactly what the built-in kernel gives.
            if (k >= 2 || convTapCrop(c.xShape, c.filterShape, c.strides, 1, c.pad)) throw error;
            assert.deepEqual(ours[k].values, builtIn[k].values, `${label}: as the built-in kernel`);
            builtInWrong++;
          }
        });
      }
      assert.ok(cropped >= 60, `only ${cropped} of the 200 cases had taps to crop`);
      assert.ok(builtInWrong <= 20, `${builtInWrong} uncropped forward results differ from cpu`);
    });

    it('tf.grad of a 3×3 convolution of a 1×1 map equals the cpu backend\'s, and leaks no memory', async () => {
      const x = tf.randomNormal([4, 1, 1, 8], 0, 1, 'float32', 1);
      const w = tf.randomNormal([3, 3, 8, 5], 0, 1, 'float32', 2);
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')));
      const before = tf.memory().numTensors;
      const [dx, dw] = tf.grads(loss)([x, w]);
      const ours = [dx.dataSync(), dw.dataSync()] as Float32Array[];
      tf.dispose([dx, dw]);
      assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
      const xData = x.dataSync() as Float32Array;
      const wData = w.dataSync() as Float32Array;
      tf.dispose([x, w]);
      await tf.setBackend('cpu');
      try {
        const expected = tf.tidy(() => tf.grads(loss)([tf.tensor(xData, [4, 1, 1, 8]), tf.tensor(wData, [3, 3, 8, 5])]).map((g) => g.dataSync() as Float32Array));
        assertClose(ours[0], expected[0], 'dx');
        assertClose(ours[1], expected[1], 'dW');
        // Only the centre tap reaches the 1×1 map: the other taps' gradients are exactly zero.
        for (let i = 0; i < ours[1].length; i++) if (Math.floor(i / 40) !== 4) assert.equal(ours[1][i], 0, `dW element ${i}`);
      } finally {
        await tf.setBackend('wasm');
      }
    });
  });
});
