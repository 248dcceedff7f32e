// Inference with convolution → batch norm [→ ReLU/ReLU6] chains folded into one fused convolution,
// against TF.js' own unfolded pass (model.execute), on the wasm and cpu backends: the same outputs
// up to float32 rounding, for hand-made chains (bias, stride, dilation, explicit asymmetric
// padding, depthwise with a multiplier, an activation that does not fuse), for random designs and
// for ResNet-18 and MobileNetV2, whose every batch norm folds; weights and statistics assigned
// after a prediction are used by the next; no tensor is left behind, and releasing a model's plan
// frees its folded weights.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Design } from '../../src/core/design';
import { parseDesign } from '../../src/core/format/parseDesign';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { installTrainingKernels } from '../../src/training/engine/kernels/installTrainingKernels';
import { selectBackend } from '../../src/training/engine/selectBackend';
import { FoldedInference } from '../../src/training/parallel/FoldedInference';
import { predictSlice } from '../../src/training/parallel/predictSlice';
import { chainDesign } from '../support/designBuilder';
import { randomValidDesign, seededRandom } from '../support/randomDesign';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';

/** Gives every weight random values (variances positive), so that folding has something to fold. */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  tf.tidy(() =>
    model.weights.forEach((w, i) => {
      const shape = w.shape as number[];
      w.write(/moving_variance/.test(w.name) ? tf.randomUniform(shape, 0.3, 3, 'float32', seed + i) : tf.randomNormal(shape, 0, /moving_mean|beta|bias/.test(w.name) ? 0.5 : 0.3, 'float32', seed + i));
    }),
  );
}

function batchFor(model: tf.LayersModel, count: number, seed: number): tf.Tensor {
  return tf.randomNormal([count, ...(model.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', seed);
}

/** Asserts the folded pass gives TF.js' unfolded outputs, up to float32 rounding relative to their scale. */
function assertSameOutputs(model: tf.LayersModel, x: tf.Tensor, where: string): void {
  const folded = FoldedInference.of(model);
  assert.ok(folded, `${where}: the model is planned`);
  const expected = tf.tidy(() => model.execute(x, model.outputs[0].name) as tf.Tensor);
  const actual = tf.tidy(() => folded.run(x));
  try {
    assert.deepEqual(actual.shape, expected.shape, `${where}: shape`);
    const e = expected.dataSync();
    const a = actual.dataSync();
    let scale = 0;
    for (const v of e) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < e.length; i++) {
      assert.ok(Math.abs(a[i] - e[i]) <= 1e-5 * (scale + 1), `${where}: output ${i} is ${a[i]}, unfolded ${e[i]} (scale ${scale})`);
    }
  } finally {
    expected.dispose();
    actual.dispose();
  }
}

const HAND_MADE = chainDesign([29, 27, 3], [
  ['Conv2D', { filters: 6, kernelSize: 3, strides: 2, padding: 'same', useBias: true }],
  ['BatchNorm'],
  ['Activation', { fn: 'relu' }],
  ['Padding2D', { padding: [1, 2, 0, 1] }],
  ['Conv2D', { filters: 8, kernelSize: 3, strides: 2, useBias: false }],
  ['BatchNorm', { epsilon: 0.01 }],
  ['Activation', { fn: 'relu6' }],
  ['Conv2D', { filters: 16, kernelSize: 3, groups: 8, strides: 2, padding: [1, 2], useBias: false }],
  ['BatchNorm'],
  ['Activation', { fn: 'relu6' }],
  ['Conv2D', { filters: 5, kernelSize: 2, dilationRate: 2, padding: 'valid' }],
  ['BatchNorm'],
  ['Activation', { fn: 'elu' }],
  ['Flatten'],
  ['Dense', { units: 4 }],
]);

/**
 * A random chain of [padding →] convolution → batch norm [→ activation] groups, the convolutions
 * regular or depthwise (multiplier 1 or 2), with random strides, dilations, paddings and biases,
 * and activations that fuse (relu, relu6) or not (elu, none); undefined where the sizes run out.
 */
function randomFoldableChain(seed: number): { design: Design; groups: number } | undefined {
  const rnd = seededRandom(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const inputShape = [int(6, 14), int(6, 14), int(1, 4)];
  let channels = inputShape[2];
  const layers: Parameters<typeof chainDesign>[1] = [];
  const groups = int(1, 3);
  for (let g = 0; g < groups; g++) {
    if (rnd() < 0.3) layers.push(['Padding2D', { padding: [int(0, 2), int(0, 2), int(0, 2), int(0, 2)] }]);
    const depthwise = rnd() < 0.4;
    const filters = depthwise ? channels * int(1, 2) : int(1, 9);
    const padding = [() => 'valid', () => 'same', () => int(0, 2)][int(0, 2)]();
    const strides = int(1, 2);
    // (TF.js takes no dilation with a stride above 1, nor on a depthwise layer.)
    layers.push(['Conv2D', { filters, kernelSize: int(1, 3), strides, dilationRate: depthwise || strides > 1 ? 1 : int(1, 2), padding, useBias: rnd() < 0.5, ...(depthwise ? { groups: channels } : {}) }]);
    channels = filters;
    layers.push(['BatchNorm', { epsilon: [0.001, 1e-5, 0.1][int(0, 2)] }]);
    const activation = ['relu', 'relu6', 'elu', undefined][int(0, 3)];
    if (activation) layers.push(['Activation', { fn: activation }]);
  }
  layers.push(['Flatten'], ['Dense', { units: 3 }]);
  const design = chainDesign(inputShape, layers);
  return analyzeDesign(design).valid ? { design, groups } : undefined;
}

function template(file: string, inputShape: number[]): Design {
  const design = parseDesign(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', file), 'utf8')).design!;
  return { ...design, nodes: design.nodes.map((n) => (n.type === 'Input' ? { ...n, params: { ...n.params, shape: inputShape } } : n)) };
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`FoldedInference (${backend})`, function () {
    this.timeout(240_000);
    before(async () => {
      if (backend === 'wasm') {
        await selectBackend({ preferred: 'wasm', smokeTest: false });
        installTrainingKernels('wasm');
      } else {
        await tf.setBackend('cpu');
      }
    });
    after(async () => {
      await tf.setBackend('cpu');
    });

    it('folds every chain of a hand-made net (bias, stride, dilation, asymmetric padding, depthwise ×2) and gives its outputs', () => {
      const model = compileDesign(HAND_MADE);
      try {
        randomizeWeights(model, 1);
        const x = batchFor(model, 3, 2);
        assert.equal(FoldedInference.of(model)!.foldedChains, 4);
        assertSameOutputs(model, x, 'hand-made');
        x.dispose();
      } finally {
        FoldedInference.release(model);
        model.dispose();
      }
    });

    it('uses weights and statistics assigned after a prediction, and leaves no tensor behind', () => {
      const model = compileDesign(HAND_MADE);
      try {
        randomizeWeights(model, 3);
        const x = batchFor(model, 2, 4);
        const folded = FoldedInference.of(model)!;
        folded.run(x).dispose();
        const tensors = tf.memory().numTensors;
        for (const name of ['moving_mean', 'moving_variance', 'kernel', 'depthwise_kernel', 'gamma', 'beta', 'bias']) {
          const weight = model.weights.find((w) => w.name.includes(name));
          assert.ok(weight, name);
          tf.tidy(() => {
            weight.write(tf.add(weight.read(), /variance/.test(name) ? 0.5 : 0.25));
          });
          assertSameOutputs(model, x, `after ${name} changed`);
          assert.equal(tf.memory().numTensors, tensors, `after ${name} changed: tensors`);
        }
        const output = tf.tidy(() => predictSlice(model, x.dataSync() as Float32Array, 2));
        assert.equal(tf.memory().numTensors, tensors + 1, 'predictSlice: only its output is left');
        output.dispose();
        x.dispose();
        // Releasing the plan frees each chain's folded filter and bias.
        FoldedInference.release(model);
        assert.equal(tf.memory().numTensors, tensors - 1 - 2 * folded.foldedChains, 'released: the folded weights are freed');
      } finally {
        FoldedInference.release(model);
        model.dispose();
      }
    });

    it('folds every group of 80 random convolution → batch norm chains and gives their outputs', () => {
      let checked = 0;
      for (let seed = 1; checked < 80; seed++) {
        const chain = randomFoldableChain(seed);
        if (!chain) continue;
        checked++;
        const model = compileDesign(chain.design);
        try {
          randomizeWeights(model, seed);
          assert.equal(FoldedInference.of(model)!.foldedChains, chain.groups, `seed ${seed}: folded groups`);
          const x = batchFor(model, 2, seed);
          assertSameOutputs(model, x, `seed ${seed} (${JSON.stringify(chain.design.nodes.map((n) => [n.type, n.params]))})`);
          x.dispose();
        } finally {
          FoldedInference.release(model);
          model.dispose();
        }
      }
    });

    // Few random designs put a batch norm right after a convolution that has no activation and no
    // other reader: the chains above cover folding, these every other graph the planner walks.
    it('gives the unfolded outputs for 150 random designs (branches, every layer type)', () => {
      for (let seed = 1; seed <= 150; seed++) {
        const model = compileDesign(randomValidDesign(seed, { maxLayers: 8, maxSpatial: 10 }));
        try {
          randomizeWeights(model, seed);
          const x = batchFor(model, 2, seed);
          assertSameOutputs(model, x, `seed ${seed}`);
          x.dispose();
        } finally {
          FoldedInference.release(model);
          model.dispose();
        }
      }
    });

    for (const [file, size] of [['resnet18.cnn.json', 32], ['mobilenet-v2.cnn.json', 32]] as const) {
      it(`folds every batch norm of ${file} at ${size}×${size} and gives its outputs`, () => {
        const model = compileDesign(template(file, [size, size, 3]));
        try {
          randomizeWeights(model, 5);
          const norms = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').length;
          assert.ok(norms > 0);
          assert.equal(FoldedInference.of(model)!.foldedChains, norms);
          const x = batchFor(model, 2, 6);
          assertSameOutputs(model, x, file);
          x.dispose();
        } finally {
          FoldedInference.release(model);
          model.dispose();
        }
      });
    }
  });
}
