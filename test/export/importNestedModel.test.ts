import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { importModelJson } from '../../src/core/import/importModelJson';
import { usePlainCpuBackend } from './support/tfjsExport';

/** A Keras 2 functional model: a stem, two residual stages built by one function (each a nested Functional model) and a nested Sequential head. */
const FIXTURE = join(__dirname, '..', 'fixtures', 'keras-nested', 'tiny_resnet.json');

/** The topology TF.js writes for a model. */
async function topologyOf(model: tf.LayersModel): Promise<string> {
  let topology: unknown;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      topology = artifacts.modelTopology;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return JSON.stringify({ format: 'layers-model', modelTopology: topology, weightsManifest: [] });
}

/** conv → batch norm → relu → conv → add with the input, its layers named "<name>_<layer>". */
function residual(name: string, filters: number, input: tf.SymbolicTensor): tf.SymbolicTensor {
  const conv1 = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, name: `${name}_conv1` }).apply(input) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(conv1) as tf.SymbolicTensor;
  const relu = tf.layers.activation({ activation: 'relu', name: `${name}_relu` }).apply(bn) as tf.SymbolicTensor;
  const conv2 = tf.layers.conv2d({ filters: input.shape[3] as number, kernelSize: 3, padding: 'same', name: `${name}_conv2` }).apply(relu) as tf.SymbolicTensor;
  return tf.layers.add({ name: `${name}_add` }).apply([conv2, input]) as tf.SymbolicTensor;
}

/** The same network twice: with each stage a nested model, and flat. */
function network(nested: boolean): tf.LayersModel {
  const image = tf.input({ shape: [12, 12, 3], name: 'image' });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', name: 'stem' }).apply(image) as tf.SymbolicTensor;
  for (const [name, filters] of [['stage1', 8], ['stage2', 8], ['wide', 16]] as const) {
    if (!nested) {
      x = residual(name, filters, x);
      continue;
    }
    const inner = tf.input({ shape: x.shape.slice(1) as number[], name: `${name}_input` });
    x = tf.model({ inputs: inner, outputs: residual(name, filters, inner), name }).apply(x) as tf.SymbolicTensor;
  }
  const out = tf.layers.dense({ units: 5, name: 'logits' }).apply(tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x)) as tf.SymbolicTensor;
  return tf.model({ inputs: image, outputs: out, name: nested ? 'nested' : 'flat' });
}

describe('import: a nested Keras model becomes a block and its instances', () => {
  before(usePlainCpuBackend);

  it("reads a Keras 2 model with nested Functional and Sequential models: one block per architecture, TF.js' parameter counts", async () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const { design, problems } = importModelJson(text);
    assert.deepEqual(problems, []);
    assert.ok(design?.blocks);
    // The two stages are one block, defined once, whatever their layers are named; the head another.
    assert.deepEqual(Object.keys(design.blocks).sort(), ['head', 'stage']);
    assert.deepEqual(
      design.nodes.filter((n) => design.blocks![n.type]).map((n) => [n.id, n.type]),
      [['stage1', 'stage'], ['stage2', 'stage'], ['head', 'head']],
    );
    // Inside the block the layers lose their "stage1_" prefix.
    assert.deepEqual(design.blocks.stage.nodes.map((n) => n.id), ['conv1', 'bn1', 'relu1', 'conv2', 'bn2', 'add', 'out']);
    assert.deepEqual(design.blocks.stage.outputs, ['output'], 'a layer named "out" keeps its name; the port takes another');

    const analysis = analyzeDesign(design);
    assert.equal(analysis.valid, true, analysis.diagnostics.map((d) => d.message).join(' '));
    // The reference: TF.js reading the same Keras file.
    const reference = await tf.models.modelFromJSON({ modelTopology: JSON.parse(text) });
    assert.equal(analysis.totals.params, reference.countParams());
    assert.deepEqual(analysis.totals.outputShapes, [reference.outputs[0].shape.slice(1)]);
    for (const id of ['stage1', 'stage2', 'head']) assert.equal(analysis.instances![id].params, reference.getLayer(id).countParams(), id);
    const trainable = reference.trainableWeights.reduce((a, w) => a + w.shape.reduce((p: number, d) => p * (d ?? 1), 1), 0);
    assert.equal(analysis.totals.trainableParams, trainable);
    reference.dispose();
  });

  it('analyzes the imported design as the same network written flat: every layer\'s shape and parameters', async () => {
    const nestedModel = network(true);
    const flatModel = network(false);
    const nested = importModelJson(await topologyOf(nestedModel));
    const flat = importModelJson(await topologyOf(flatModel));
    assert.deepEqual(nested.problems, []);
    assert.deepEqual(flat.problems, []);
    // stage1 and stage2 share an architecture; "wide" has other filter counts, so it is a block of its own.
    assert.deepEqual(Object.keys(nested.design!.blocks!).sort(), ['stage', 'wide']);
    assert.equal(flat.design!.blocks, undefined);
    const a = analyzeDesign(nested.design!);
    const b = analyzeDesign(flat.design!);
    assert.equal(a.valid && b.valid, true);
    assert.deepEqual(a.totals, b.totals);
    assert.equal(a.totals.params, nestedModel.countParams());
    // "stage1.conv1" of the expanded design is the flat model's "stage1_conv1".
    const flatId = (id: string): string => id.replace('.', '_');
    assert.deepEqual(
      a.order.map((id) => [flatId(id), a.nodes[id].outputShape, a.nodes[id].params]),
      b.order.map((id) => [id, b.nodes[id].outputShape, b.nodes[id].params]),
    );
    nestedModel.dispose();
    flatModel.dispose();
  });

  it('refuses a nested model called twice (its calls share weights), naming it', async () => {
    const image = tf.input({ shape: [8, 8, 4], name: 'image' });
    const inner = tf.input({ shape: [8, 8, 4], name: 'shared_input' });
    const shared = tf.model({ inputs: inner, outputs: tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'shared_conv' }).apply(inner) as tf.SymbolicTensor, name: 'shared' });
    const twice = shared.apply(shared.apply(image)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: image, outputs: twice });
    const { design, problems } = importModelJson(await topologyOf(model));
    assert.equal(design, undefined);
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /"shared" \(Model\): the model calls this nested model 2 times, so the calls share its weights/);
    model.dispose();
  });

  it('reads the single input and output Keras 3 writes unwrapped', () => {
    const model = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    for (const stage of [model.config.layers[4], model.config.layers[5]]) {
      stage.config.input_layers = stage.config.input_layers[0];
      stage.config.output_layers = stage.config.output_layers[0];
    }
    const keras3 = importModelJson(JSON.stringify(model));
    assert.deepEqual(keras3.problems, []);
    assert.deepEqual(keras3.design, importModelJson(readFileSync(FIXTURE, 'utf8')).design);
  });

  it('reports a layer the designer lacks inside a nested model at the nested model, naming the inner layer', () => {
    const model = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    model.config.layers[4].config.layers[3].class_name = 'ThresholdedReLU';
    const { design, problems } = importModelJson(JSON.stringify(model));
    assert.equal(design, undefined);
    assert.deepEqual(problems.map((p) => [p.position, p.layerName]), [[5, 'stage1']]);
    assert.match(problems[0].message, /in its layer "relu1" \(ThresholdedReLU\): the designer has no such layer/);
  });
});
