// The project's own activation layers (those Keras lacks or defines differently): PyTorch's values,
// and TF.js' gradients of them (autodiff through the ops they are made of) against finite differences.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS } from '../../src/core/layers/layerType';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { CnnElu, CnnGeluTanh, CnnHardSigmoid, CnnHardSwish, CnnMish, registerCustomLayers } from '../../src/training/compile/customLayers';
import { initWasmBackend } from '../../src/training/engine/initWasmBackend';
import { chainDesign } from '../support/designBuilder';

const relu6 = (x: number): number => Math.min(Math.max(x, 0), 6);
const softplus = (x: number): number => Math.log1p(Math.exp(x));

/** PyTorch's definitions (torch.nn.functional), in double precision. */
const cases: { name: string; layer: () => tf.layers.Layer; reference: (x: number) => number; kinks: number[] }[] = [
  { name: 'hardsigmoid', layer: () => new CnnHardSigmoid(), reference: (x) => relu6(x + 3) / 6, kinks: [-3, 3] },
  { name: 'hardswish', layer: () => new CnnHardSwish(), reference: (x) => (x * relu6(x + 3)) / 6, kinks: [-3, 3] },
  { name: 'elu with alpha 0.5', layer: () => new CnnElu({ alpha: 0.5 }), reference: (x) => (x > 0 ? x : 0.5 * Math.expm1(x)), kinks: [0] },
  { name: 'mish', layer: () => new CnnMish(), reference: (x) => x * Math.tanh(softplus(x)), kinks: [] },
  {
    name: 'geluTanh',
    layer: () => new CnnGeluTanh(),
    reference: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
    kinks: [],
  },
];

describe('custom activation layers', () => {
  before(async () => {
    await tf.setBackend('cpu');
    registerCustomLayers();
  });

  // Points from −6 to 6, off the kinks, where the derivative is not defined.
  const H = 1e-2;
  const points = (kinks: number[]): number[] => Array.from({ length: 49 }, (_, i) => -6 + i * 0.25 + 0.013).filter((x) => kinks.every((k) => Math.abs(x - k) > 2 * H));

  for (const c of cases) {
    it(`${c.name}: PyTorch's values, and gradients equal to finite differences`, () => {
      const xs = points(c.kinks);
      const layer = c.layer();
      const f = (x: tf.Tensor): tf.Tensor => layer.apply(x) as tf.Tensor;
      const x = tf.tensor1d(xs);
      const values = Array.from(f(x).dataSync());
      xs.forEach((v, i) => assert.ok(Math.abs(values[i] - c.reference(v)) < 1e-5, `${c.name}(${v}) = ${values[i]}, PyTorch gives ${c.reference(v)}`));

      const gradient = Array.from(tf.grad((t: tf.Tensor) => tf.sum(f(t)))(x).dataSync());
      const up = Array.from(f(tf.add(x, H)).dataSync());
      const down = Array.from(f(tf.sub(x, H)).dataSync());
      let worst = 0;
      xs.forEach((v, i) => {
        const numeric = (up[i] - down[i]) / (2 * H);
        const diff = Math.abs(gradient[i] - numeric);
        worst = Math.max(worst, diff);
        assert.ok(diff < 2e-3, `${c.name}'(${v}): autodiff ${gradient[i]}, finite difference ${numeric}`);
      });
      // Not a vacuous check: the derivative varies over the range (hardsigmoid's from 0 to 1/6).
      assert.ok(Math.max(...gradient) - Math.min(...gradient) > 0.15, `${c.name}' is not constant`);
      tf.dispose(x);
    });
  }

  it('each saves and reloads in a model with the same outputs', async () => {
    const input = tf.input({ shape: [4] });
    let y = input as tf.SymbolicTensor;
    for (const c of cases) y = c.layer().apply(tf.layers.dense({ units: 4 }).apply(y) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: y });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.randomNormal([3, 4], 0, 3, 'float32', 7);
    const a = Array.from((model.predict(x) as tf.Tensor).dataSync());
    const b = Array.from((reloaded.predict(x) as tf.Tensor).dataSync());
    assert.deepEqual(b, a);
    assert.ok(cases.every((c) => reloaded.layers.some((l) => l.getClassName() === c.layer().getClassName())));
  });

  it('a design with every activation trains on wasm: its gradients equal those of the cpu backend', async () => {
    const layers: [string, Record<string, unknown>][] = [
      ...ACTIVATIONS.flatMap((fn): [string, Record<string, unknown>][] => [['Dense', { units: 5, activation: fn }], ['Activation', { fn }]]),
      ['Dense', { units: 5 }],
      ['Activation', { fn: 'leakyRelu', alpha: 0.3 }],
      ['Dense', { units: 5 }],
      ['Activation', { fn: 'elu', alpha: 0.4 }],
      ['Dense', { units: 3 }],
    ];
    const design = chainDesign([5], layers);
    const gradients = async (backend: string, weights?: tf.Tensor[]): Promise<{ weights: tf.Tensor[]; grads: number[][] }> => {
      if (backend === 'wasm') await initWasmBackend();
      else await tf.setBackend(backend);
      const model = compileDesign(design);
      if (weights) model.setWeights(weights);
      const x = tf.tensor2d(Array.from({ length: 4 * 5 }, (_, i) => Math.sin(i * 1.7) * 4), [4, 5]);
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar);
      const ordered = model.trainableWeights.map((w) => Array.from(grads[(w.read() as tf.Variable).name].dataSync()));
      const kept = model.getWeights().map((w) => tf.tensor(w.dataSync(), w.shape));
      return { weights: kept, grads: ordered };
    };
    try {
      const cpu = await gradients('cpu');
      const wasm = await gradients('wasm', cpu.weights);
      assert.equal(wasm.grads.length, cpu.grads.length);
      cpu.grads.forEach((g, i) => {
        const scale = Math.max(1, ...g.map(Math.abs));
        g.forEach((v, j) => assert.ok(Math.abs(v - wasm.grads[i][j]) <= 1e-3 * scale, `weight ${i}[${j}]: cpu ${v}, wasm ${wasm.grads[i][j]}`));
      });
      assert.ok(cpu.grads.some((g) => g.some((v) => v !== 0)), 'the gradients are not all zero');
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
