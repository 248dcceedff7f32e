// The direct forward convolution on wasm (few input channels) against TF.js' cpu FusedConv2D, on random shapes, strides, dilations, paddings, biases and clamps; and when the
// wrapper registered for Conv2D and FusedConv2D uses it.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { directConv2dKernel, directConvForward, prefersDirectConvForward, type DirectConvArgs } from '../../src/training/engine/kernels/directConvForward';
import { builtInKernel } from '../../src/training/engine/kernels/installTrainingKernels';
import { onWasmEngine } from '../support/onWasmEngine';
import { seededRandom } from '../support/randomDesign';
import { assertClose } from '../support/assertClose';

type Activation = NonNullable<DirectConvArgs['activation']>;
type Pad = DirectConvArgs['pad'];

interface DirectCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  bias: boolean;
  activation: Activation;
}

function randomCase(rnd: () => number): DirectCase {
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  for (;;) {
    const kh = int(1, 7);
    const kw = rnd() < 0.6 ? kh : int(1, 7);
    // TF.js takes strides or dilations above 1, not both.
    const dilated = rnd() < 0.3;
    const dilations: [number, number] = dilated ? [int(1, 2), int(1, 2)] : [1, 1];
    const strides: [number, number] = dilated ? [1, 1] : [int(1, 3), int(1, 3)];
    const r = rnd();
    const pad: Pad = r < 0.4 ? 'valid' : r < 0.7 ? 'same' : [[0, 0], [int(0, 3), int(0, 3)], [int(0, 3), int(0, 3)], [0, 0]];
    const xShape: [number, number, number, number] = [int(1, 3), int(3, 14), int(3, 14), int(1, 8)];
    const filterShape: [number, number, number, number] = [kh, kw, xShape[3], int(1, 30)];
    const activation = (['linear', 'relu', 'relu6'] as const)[int(0, 2)];
    try {
      const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad, undefined, false, 'channelsLast');
      if (info.outHeight > 0 && info.outWidth > 0) return { xShape, filterShape, strides, dilations, pad, bias: rnd() < 0.6, activation };
    } catch {
      // a window larger than the padded input: draw again
    }
  }
}

const info = (t: tf.Tensor): TensorInfo => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });

describe('the direct forward convolution on wasm', function () {
  this.timeout(120_000);
  onWasmEngine();

  it("matches TF.js' cpu FusedConv2D on 200 random cases (strides, dilations, paddings, bias, ReLU, ReLU6), to 1e-5 relative", () => {
    // The cpu kernel, not XNNPACK's: XNNPACK gives zeros for some shapes (a 3×1 window, strides [1, 3], 'same').
    const rnd = seededRandom(31);
    const reference = builtInKernel('FusedConv2D', 'cpu')!;
    const cpu = tf.findBackend('cpu')!;
    const backend = tf.backend();
    const onCpu = (t: tf.Tensor): TensorInfo => ({ dataId: cpu.write(t.dataSync(), t.shape, 'float32'), shape: t.shape, dtype: 'float32' });
    let pastTwelve = 0;
    let partialBlocks = 0;
    for (let i = 0; i < 200; i++) {
      const c = randomCase(rnd);
      // Inputs scaled so that ReLU6 clamps some outputs at both ends.
      const x = tf.randomNormal(c.xShape, 0, 3, 'float32', i);
      const w = tf.randomNormal(c.filterShape, 0, 1, 'float32', i + 1000);
      const b = c.bias ? tf.randomNormal([c.filterShape[3]], 0, 2, 'float32', i + 2000) : undefined;
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilations, activation: c.activation } as unknown as NamedAttrMap;
      const cpuInputs = { x: onCpu(x), filter: onCpu(w), ...(b ? { bias: onCpu(b) } : {}) };
      const expected = reference.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs }) as TensorInfo;
      const actual = directConvForward(backend, { x: info(x), filter: info(w), bias: b && info(b), strides: c.strides, pad: c.pad, dilations: c.dilations, activation: c.activation });
      const what = `case ${i}: ${JSON.stringify(c)}`;
      assert.deepEqual(actual.shape, expected.shape, what);
      assertClose(backend.readSync(actual.dataId) as Float32Array, cpu.readSync(expected.dataId) as Float32Array, what);
      if (c.filterShape[3] > 12) pastTwelve++;
      if (expected.shape[2] % 4 !== 0) partialBlocks++;
      backend.disposeData(actual.dataId);
      for (const t of [...Object.values(cpuInputs), expected]) cpu.disposeData(t.dataId);
      tf.dispose([x, w, ...(b ? [b] : [])]);
    }
    // The draw covers more than one tile of channels and rows whose last block of four is partial.
    assert.ok(pastTwelve > 50 && partialBlocks > 50, `${pastTwelve} cases past 12 channels, ${partialBlocks} with partial blocks`);
  });

  it('frees everything it allocates but its output, padded or not', () => {
    const backend = tf.backend();
    for (const pad of ['valid', 'same'] as const) {
      const x = tf.randomNormal([2, 9, 9, 1]);
      const w = tf.randomNormal([5, 5, 1, 10]);
      const before = backend.numDataIds();
      const y = directConvForward(backend, { x: info(x), filter: info(w), strides: 1, pad });
      assert.equal(backend.numDataIds(), before + 1, pad);
      backend.disposeData(y.dataId);
      tf.dispose([x, w]);
    }
  });

  it('is chosen for windows of 5×5 and more over few input channels that tiles of twelve fit as well as tiles of eight', () => {
    assert.ok(prefersDirectConvForward([5, 5, 1, 10]), "MNIST's first layer");
    assert.ok(prefersDirectConvForward([5, 5, 3, 12]));
    assert.ok(prefersDirectConvForward([7, 7, 1, 24]));
    assert.ok(!prefersDirectConvForward([5, 5, 1, 8]), 'eight channels: XNNPACK leaves no lane idle');
    assert.ok(!prefersDirectConvForward([5, 5, 3, 6]), "the tutorial net's first layer");
    assert.ok(!prefersDirectConvForward([3, 3, 1, 12]), '3×3');
    assert.ok(!prefersDirectConvForward([5, 5, 10, 20]), "MNIST's second layer: ten input channels");
    assert.ok(!prefersDirectConvForward([7, 7, 3, 64]), "ResNet's first layer");
  });

  it('the kernels registered for Conv2D and FusedConv2D use it where it pays and it can, else what they wrap', () => {
    const backend = tf.backend();
    let wrappedCalls = 0;
    const builtIn = builtInKernel('FusedConv2D', 'wasm')!;
    const counted: KernelFunc = (args) => {
      wrappedCalls++;
      return builtIn.kernelFunc(args);
    };
    const kernel = directConv2dKernel(counted);
    const run = (xShape: number[], filterShape: number[], attrs: Record<string, unknown>, bias = false): boolean => {
      const x = tf.randomNormal(xShape, 0, 1, 'float32', 1);
      const w = tf.randomNormal(filterShape, 0, 1, 'float32', 2);
      const b = tf.randomNormal([filterShape[3]], 0, 1, 'float32', 3);
      const inputs = { x: info(x), filter: info(w), ...(bias ? { bias: info(b) } : {}) };
      const all = { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, activation: 'linear', ...attrs } as unknown as NamedAttrMap;
      const before = wrappedCalls;
      const y = kernel({ inputs, backend, attrs: all }) as TensorInfo;
      const expected = builtIn.kernelFunc({ inputs, backend, attrs: all }) as TensorInfo;
      assertClose(backend.readSync(y.dataId) as Float32Array, backend.readSync(expected.dataId) as Float32Array, JSON.stringify({ xShape, filterShape, attrs }));
      backend.disposeData(y.dataId);
      backend.disposeData(expected.dataId);
      tf.dispose([x, w, b]);
      return wrappedCalls === before;
    };
    assert.ok(run([2, 28, 28, 1], [5, 5, 1, 10], {}), 'MNIST conv1: direct');
    assert.ok(run([2, 28, 28, 1], [5, 5, 1, 10], { activation: 'relu6' }, true), 'fused with bias and ReLU6: direct');
    assert.ok(!run([2, 28, 28, 1], [5, 5, 1, 10], { activation: 'leakyrelu', leakyreluAlpha: 0.2 }, true), 'an activation it does not apply: wrapped');
    assert.ok(!run([2, 28, 28, 1], [5, 5, 1, 8], {}), 'a shape XNNPACK fits: wrapped');
    assert.ok(!run([1, 2, 2, 1], [5, 5, 1, 10], { pad: 'same' }), 'taps that only meet padding (the cropped path): wrapped');
    // And the registry holds the wrapper: tf.conv2d on MNIST's first layer gives the direct kernel's values.
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 5);
    const w = tf.randomNormal([5, 5, 1, 10], 0, 1, 'float32', 6);
    const direct = directConvForward(backend, { x: info(x), filter: info(w), strides: 1, pad: 'valid' });
    const viaOp = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid');
    const values = viaOp.dataSync();
    const directValues = backend.readSync(direct.dataId) as Float32Array;
    assert.ok(values.every((v, i) => Object.is(v, directValues[i])));
    backend.disposeData(direct.dataId);
    tf.dispose([x, w, viaOp]);
  });
});
