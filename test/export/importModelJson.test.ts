import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { exportDesign } from '../../src/core/export/exportDesign';
import { identifierNames } from '../../src/core/export/identifierNames';
import { importModelJson } from '../../src/core/import/importModelJson';
import { handmadeCases, randomCases, templateCases } from './support/exportCases';
import { loadTfjsExport, usePlainCpuBackend } from './support/tfjsExport';

/** The model.json TF.js writes for a model (topology only; weights are not needed to import). */
async function modelJson(model: tf.LayersModel): Promise<string> {
  let topology: unknown;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      topology = artifacts.modelTopology;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return JSON.stringify({ format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`, modelTopology: topology, weightsManifest: [] });
}

const cases = [...templateCases(), ...handmadeCases(), ...randomCases(Math.min(100, Number(process.env.EXPORT_SWEEP ?? 100)))];

describe(`import: design → TF.js model.json → design keeps every node, shape and parameter (${cases.length} designs)`, function () {
  before(usePlainCpuBackend);
  this.timeout(5 * 60_000);
  for (const c of cases) {
    it(c.id, async () => {
      const model = loadTfjsExport(exportDesign(c.design, 'tfjs').files[0].code).buildModel();
      const json = await modelJson(model);
      model.dispose();
      const { design, problems } = importModelJson(json);
      assert.deepEqual(problems, []);
      assert.ok(design);
      const before = analyzeDesign(c.design);
      const after = analyzeDesign(design);
      assert.equal(after.valid, true, after.diagnostics.map((d) => d.message).join(' '));
      assert.equal(after.totals.trainableParams, before.totals.trainableParams);
      assert.equal(after.totals.nonTrainableParams, before.totals.nonTrainableParams);
      // A design with blocks exports (and so imports) the layers its instances expand to.
      const exported = before.expansion?.design ?? c.design;
      const names = identifierNames(exported);
      assert.deepEqual(design.nodes.map((n) => n.id).sort(), exported.nodes.map((n) => names.get(n.id)!).sort(), 'one node per design node');
      for (const node of exported.nodes) {
        const id = names.get(node.id)!;
        assert.equal(after.nodes[id].type, node.type, `type of ${id}`);
        assert.deepEqual(after.nodes[id].outputShape, before.nodes[node.id].outputShape, `shape of ${id}`);
        assert.equal(after.nodes[id].params, before.nodes[node.id].params, `parameters of ${id}`);
      }
      assert.equal(design.name, c.design.name);
    });
  }
});

describe('import: what the designer cannot represent', () => {
  const functional = (layers: unknown[]): string => JSON.stringify({ modelTopology: { class_name: 'Model', config: { name: 'm', layers, input_layers: [], output_layers: [] } } });
  const layer = (name: string, className: string, config: Record<string, unknown>, inbound?: string) => ({
    name,
    class_name: className,
    config: { name, ...config },
    inbound_nodes: inbound ? [[[inbound, 0, 0, {}]]] : [],
  });

  it('reports every unsupported layer by name, class and position, and returns no design', () => {
    const { design, problems } = importModelJson(
      functional([
        layer('in', 'InputLayer', { batch_input_shape: [null, 8, 8, 3] }),
        layer('sep', 'SeparableConv2D', { filters: 4, kernel_size: [3, 3] }, 'in'),
        layer('pad', 'ZeroPadding2D', { padding: [[0, 1], [0, 1]] }, 'sep'),
        layer('conv', 'Conv2D', { filters: 2, kernel_size: [3, 3], padding: 'valid', activation: 'selu' }, 'pad'),
        layer('relu4', 'ReLU', { max_value: 4 }, 'conv'),
      ]),
    );
    assert.equal(design, undefined);
    assert.deepEqual(
      problems.map((p) => [p.position, p.layerName, p.className]),
      [
        [2, 'sep', 'SeparableConv2D'],
        // Uneven padding that cannot fold into the convolution is a Padding2D of its own: no problem.
        [4, 'conv', 'Conv2D'],
        [5, 'relu4', 'ReLU'],
      ],
    );
    assert.match(problems[0].message, /Layer 2 "sep" \(SeparableConv2D\): the designer has no such layer/);
    assert.match(problems[1].message, /activation "selu"/);
    assert.match(problems[2].message, /this ReLU configuration is not one the designer has/);
  });

  it("reads Keras' Conv2DTranspose, Conv1DTranspose, Cropping2D, ZeroPadding2D of its own and GlobalAveragePooling1D with PyTorch's parameters", () => {
    const { design, problems } = importModelJson(
      functional([
        layer('in', 'InputLayer', { batch_input_shape: [null, 9, 8, 2] }),
        // Keras' "valid" ends with max(0, s − k) rows of bias only: PyTorch's output padding.
        layer('up', 'Conv2DTranspose', { filters: 4, kernel_size: [2, 2], strides: [3, 3], padding: 'valid', activation: 'relu' }, 'in'),
        layer('up2', 'Conv2DTranspose', { filters: 4, kernel_size: [3, 3], strides: [2, 2], padding: 'same', use_bias: false }, 'up'),
        layer('up3', 'Conv2DTranspose', { filters: 2, kernel_size: [3, 3], strides: [2, 2], padding: 'valid', output_padding: [1, 1] }, 'up2'),
        layer('pad', 'ZeroPadding2D', { padding: [[1, 0], [2, 3]] }, 'up3'),
        layer('crop', 'Cropping2D', { cropping: [[2, 1], [0, 0]] }, 'pad'),
      ]),
    );
    assert.deepEqual(problems, []);
    const params = Object.fromEntries(design!.nodes.map((n) => [n.id, [n.type, n.params]]));
    assert.deepEqual(params.up, ['Conv2DTranspose', { filters: 4, kernelSize: 2, strides: 3, outputPadding: 1, activation: 'relu' }]);
    assert.deepEqual(params.up2, ['Conv2DTranspose', { filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false }]);
    assert.deepEqual(params.up3, ['Conv2DTranspose', { filters: 2, kernelSize: 3, strides: 2, outputPadding: 1 }]);
    assert.deepEqual(params.pad, ['Padding2D', { padding: [1, 0, 2, 3] }]);
    assert.deepEqual(params.crop, ['Cropping2D', { cropping: [2, 1, 0, 0] }]);
    const analysis = analyzeDesign(design!);
    // Keras' sizes: 9·3, then ×2 ("same"), then (in − 1)·2 + 3 + 1.
    assert.deepEqual(analysis.nodes.up.outputShape, [27, 24, 4]);
    assert.deepEqual(analysis.nodes.up3.outputShape, [(54 - 1) * 2 + 4, (48 - 1) * 2 + 4, 2]);
    const sequence = importModelJson(
      functional([
        layer('in', 'InputLayer', { batch_input_shape: [null, 10, 3] }),
        layer('up', 'Conv1DTranspose', { filters: 2, kernel_size: 4, strides: 2, padding: 'valid', dilation_rate: 1 }, 'in'),
        layer('pool', 'GlobalAveragePooling1D', {}, 'up'),
      ]),
    );
    assert.deepEqual(sequence.problems, []);
    assert.deepEqual(sequence.design!.nodes.slice(1).map((n) => [n.type, n.params]), [['Conv1DTranspose', { filters: 2, kernelSize: 4, strides: 2 }], ['GlobalAvgPool1D', {}]]);
  });

  it("reads the activations of modern CNNs from Keras' layers and names, and refuses Keras' own hard_sigmoid", () => {
    const chain: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['LeakyReLU', { alpha: 0.2 }, { fn: 'leakyRelu', alpha: 0.2 }],
      ['LeakyReLU', { negative_slope: 0.01 }, { fn: 'leakyRelu' }],
      ['ELU', { alpha: 0.5 }, { fn: 'elu', alpha: 0.5 }],
      ['CnnElu', { alpha: 2 }, { fn: 'elu', alpha: 2 }],
      ['ReLU', { max_value: 6 }, { fn: 'relu6' }],
      ['Activation', { activation: 'relu6' }, { fn: 'relu6' }],
      ['Activation', { activation: 'swish' }, { fn: 'silu' }],
      ['Activation', { activation: 'silu' }, { fn: 'silu' }],
      ['Activation', { activation: 'softplus' }, { fn: 'softplus' }],
      ['Activation', { activation: 'mish' }, { fn: 'mish' }],
      ['Activation', { activation: 'gelu_new' }, { fn: 'geluTanh' }],
      ['CnnMish', {}, { fn: 'mish' }],
      ['CnnHardSigmoid', {}, { fn: 'hardsigmoid' }],
      ['CnnHardSwish', {}, { fn: 'hardswish' }],
      ['CnnGeluTanh', {}, { fn: 'geluTanh' }],
    ];
    const layers = [layer('in', 'InputLayer', { batch_input_shape: [null, 5] }), ...chain.map(([className, config], i) => layer(`a${i}`, className, config, i === 0 ? 'in' : `a${i - 1}`))];
    const { design, problems } = importModelJson(functional(layers));
    assert.deepEqual(problems, []);
    assert.deepEqual(design!.nodes.slice(1).map((n) => n.params), chain.map(([, , params]) => params));

    const old = importModelJson(functional([layers[0], layer('hs', 'Activation', { activation: 'hard_sigmoid' }, 'in')]));
    assert.equal(old.design, undefined);
    assert.match(old.problems[0].message, /hard_sigmoid.*differs from PyTorch's hardsigmoid/);
  });

  it('reads a Keras Sequential config whose first layer carries the input shape, folding symmetric padding', () => {
    const { design, problems } = importModelJson(
      JSON.stringify({
        class_name: 'Sequential',
        config: {
          name: 'seq',
          layers: [
            { class_name: 'ZeroPadding2D', config: { name: 'c1_pad', padding: [[1, 1], [1, 1]], batch_input_shape: [null, 28, 28, 1] } },
            { class_name: 'Conv2D', config: { name: 'c1', filters: 8, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', activation: 'relu', use_bias: true } },
            { class_name: 'MaxPooling2D', config: { name: 'p1', pool_size: [2, 2], strides: [2, 2], padding: 'valid' } },
            { class_name: 'Flatten', config: { name: 'f' } },
            { class_name: 'Dense', config: { name: 'out', units: 10, activation: 'softmax' } },
          ],
        },
      }),
    );
    assert.deepEqual(problems, []);
    assert.ok(design);
    assert.deepEqual(design.nodes.map((n) => [n.id, n.type]), [['input', 'Input'], ['c1', 'Conv2D'], ['p1', 'MaxPool2D'], ['f', 'Flatten'], ['out', 'Dense']]);
    assert.deepEqual(design.nodes[1].params, { filters: 8, kernelSize: 3, padding: 1, activation: 'relu' });
    const analysis = analyzeDesign(design);
    assert.deepEqual(analysis.totals.outputShapes, [[10]]);
    assert.equal(analysis.totals.params, 8 * 9 + 8 + 14 * 14 * 8 * 10 + 10);
  });

  it('reads Keras 3 inbound nodes (keras_history) and a branch merged with Add', () => {
    const k3 = (name: string, className: string, config: Record<string, unknown>, inbound: string[]) => ({
      name,
      class_name: className,
      config: { name, ...config },
      inbound_nodes: inbound.length ? [{ args: [inbound.length === 1 ? { class_name: '__keras_tensor__', config: { keras_history: [inbound[0], 0, 0] } } : inbound.map((s) => ({ class_name: '__keras_tensor__', config: { keras_history: [s, 0, 0] } }))], kwargs: {} }] : [],
    });
    const { design, problems } = importModelJson(
      JSON.stringify({
        class_name: 'Functional',
        config: {
          name: 'k3',
          layers: [
            k3('x', 'InputLayer', { batch_shape: [null, 6, 6, 4] }, []),
            k3('a', 'Conv2D', { filters: 4, kernel_size: [3, 3], padding: 'same', activation: 'linear' }, ['x']),
            k3('sum', 'Add', {}, ['x', 'a']),
          ],
        },
      }),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(design!.edges, [
      { source: 'x', target: 'a' },
      { source: 'x', target: 'sum' },
      { source: 'a', target: 'sum' },
    ]);
    assert.equal(analyzeDesign(design!).valid, true);
  });

  it("gives a stranger's layer and model names valid, unique ids and a one-line name", () => {
    const payload = '\r\nimport os; os.system("echo pwned")\u2028#';
    const { design, problems } = importModelJson(
      JSON.stringify({
        class_name: 'Sequential',
        config: {
          name: `evil${payload}`,
          layers: [
            { class_name: 'Dense', config: { name: `d${payload}`, units: 4, activation: 'relu', batch_input_shape: [null, 8] } },
            { class_name: 'Dense', config: { name: `d${payload.replace('#', '$')}`, units: 4, activation: 'relu' } },
            { class_name: 'Dense', config: { name: '3rd', units: 2, activation: 'softmax' } },
          ],
        },
      }),
    );
    assert.deepEqual(problems, []);
    const ids = design!.nodes.map((n) => n.id);
    assert.deepEqual(ids, ['input', 'd_import_os_os.system_echo_pwned_', 'd_import_os_os.system_echo_pwned_$'.replace('$', '_2'), 'n_3rd']);
    assert.deepEqual(design!.edges.map((e) => `${e.source}>${e.target}`), [`input>${ids[1]}`, `${ids[1]}>${ids[2]}`, `${ids[2]}>${ids[3]}`]);
    assert.equal(design!.name, 'evil import os; os.system("echo pwned") #');
    assert.equal(analyzeDesign(design!).valid, true);
    const refused = importModelJson(JSON.stringify({ class_name: 'Sequential', config: { layers: [{ class_name: 'Evil\x1b[2K', config: { name: `e${payload}`, batch_input_shape: [null, 2] } }] } }));
    assert.match(refused.problems[0].message, /^Layer 1 "e\\r\\nimport os; os.system\(\\"echo pwned\\"\)\\u2028#" \(Evil\\u001b\[2K\): /);
  });

  it('refuses text that is not a model', () => {
    assert.throws(() => importModelJson('{"nodes": '), /Not a model\.json/);
    assert.throws(() => importModelJson('{"modelTopology": {"class_name": "Model", "config": {}}}'), /config\.layers/);
  });
});
