// 'same' padding on the wasm engine's convolutions (regular, depthwise, fused), windows smaller than
// their strides included, against TF.js' cpu engine: TF.js' own wasm kernels get some of those
// wrong, the installed ones not.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { builtInKernel } from '../../src/training/engine/kernels/installTrainingKernels';
import { onWasmEngine } from '../support/onWasmEngine';
import { seededRandom } from '../support/randomDesign';
import { assertClose } from '../support/assertClose';

type Op = 'conv2d' | 'depthwise' | 'fusedConv2d' | 'fusedDepthwise';

/** The op on the current backend, through the registered kernels. */
function run(op: Op, x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, strides: [number, number]): tf.Tensor {
  switch (op) {
    case 'conv2d':
      return tf.conv2d(x, filter, strides, 'same');
    case 'depthwise':
      return tf.depthwiseConv2d(x, filter, strides, 'same');
    case 'fusedConv2d':
      return tf.fused.conv2d({ x, filter, strides, pad: 'same', bias, activation: 'relu' });
    case 'fusedDepthwise':
      return tf.fused.depthwiseConv2d({ x, filter, strides, pad: 'same', bias, activation: 'relu6' });
  }
}

describe("'same' padding of the wasm engine's convolutions", function () {
  this.timeout(120_000);
  onWasmEngine();

  it("TF.js' own wasm Conv2D still gets a 5×1 window at strides [1, 3] wrong (when this fails, TF.js fixed it and the wrapper can go)", () => {
    const backend = tf.backend();
    const x = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 1);
    const w = tf.randomNormal([5, 1, 2, 3], 0, 1, 'float32', 2);
    const info = (t: tf.Tensor): TensorInfo => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
    const attrs = { strides: [1, 3], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] } as unknown as NamedAttrMap;
    const own = builtInKernel('Conv2D', 'wasm')!.kernelFunc({ inputs: { x: info(x), filter: info(w) }, backend, attrs }) as TensorInfo;
    const ours = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, [1, 3], 'same');
    const ownValues = backend.readSync(own.dataId) as Float32Array;
    const oursValues = ours.dataSync();
    assert.ok(ownValues.some((v, i) => Math.abs(v - oursValues[i]) > 1e-3), "TF.js' kernel agrees now");
    backend.disposeData(own.dataId);
    tf.dispose([x, w, ours]);
  });

  it('match the cpu engine on 160 random cases (windows up to 7×7, most not square, strides up to 3, often past the window)', async () => {
    const rnd = seededRandom(23);
    const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
    const ops: Op[] = ['conv2d', 'depthwise', 'fusedConv2d', 'fusedDepthwise'];
    let pastWindow = 0;
    for (let i = 0; i < 160; i++) {
      const op = ops[i % ops.length];
      const depthwise = op === 'depthwise' || op === 'fusedDepthwise';
      const kh = int(1, 7);
      const kw = rnd() < 0.8 ? int(1, 7) : kh;
      const strides: [number, number] = [int(1, 3), int(1, 3)];
      const xShape: [number, number, number, number] = [int(1, 2), int(3, 12), int(3, 12), int(1, 4)];
      const filterShape: [number, number, number, number] = [kh, kw, xShape[3], depthwise ? int(1, 2) : int(1, 9)];
      const outChannels = depthwise ? xShape[3] * filterShape[3] : filterShape[3];
      if (kh < strides[0] || kw < strides[1]) pastWindow++;
      const x = tf.randomNormal(xShape, 0, 1, 'float32', i).dataSync();
      const w = tf.randomNormal(filterShape, 0, 1, 'float32', i + 500).dataSync();
      const b = tf.randomNormal([outChannels], 0, 1, 'float32', i + 900).dataSync();
      const valuesOn = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => run(op, tf.tensor4d(x, xShape), tf.tensor4d(w, filterShape), tf.tensor1d(b), strides).dataSync() as Float32Array);
      };
      const expected = await valuesOn('cpu');
      const actual = await valuesOn('wasm');
      assertClose(actual, expected, `case ${i}: ${op} ${JSON.stringify({ xShape, filterShape, strides })}`);
    }
    // The cases TF.js gets wrong are among these: a stride longer than the window along an axis.
    assert.ok(pastWindow >= 40, `${pastWindow} cases with a stride past the window`);
  });
});
