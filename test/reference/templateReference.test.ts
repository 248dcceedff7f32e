import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import type { Design } from '../../src/core/design';
import { exportDesign } from '../../src/core/export/exportDesign';
import { className, identifierNames } from '../../src/core/export/identifierNames';
import { parseDesign } from '../../src/core/format/parseDesign';
import { runPython } from '../export/support/python';
import { caseTag, convertCases, torchMissing, type OutputCheck, type Reference, type ReferenceCase } from './referenceCases';

/**
 * Templates that stand for a network of the literature are that network: the U-Net, MobileNetV2,
 * ResNet-50 and EfficientNet-B0 templates are the converter's networks (the reference cases checked
 * against PyTorch) node for node, with readable ids where the converter numbers functional calls;
 * the audio template is an M5-style network written by hand in PyTorch.
 */
const EXAMPLES = join(__dirname, '..', '..', 'examples');
const template = (name: string): Design => parseDesign(readFileSync(join(EXAMPLES, `${name}.cnn.json`), 'utf8')).design!;

/**
 * Parameters as they compute: zero padding is "valid", pooling strides left out are the window, and
 * numbers to 12 digits (torchvision's stochastic-depth rate 0.2 · 6 / 16 is 0.07500000000000001; the
 * template writes 0.075).
 */
function canonical(params: Record<string, unknown>): Record<string, unknown> {
  const c = { ...params };
  if (Array.isArray(c.padding) && c.padding.every((x) => x === 0)) c.padding = 'valid';
  if ('poolSize' in c && c.strides === undefined) c.strides = c.poolSize;
  for (const [key, value] of Object.entries(c)) if (typeof value === 'number') c[key] = Number(value.toPrecision(12));
  return c;
}

/**
 * Checks that a template is the converter's design of a network node for node: the same types,
 * parameters and edges (inputs in order) in the same node order, PyTorch's shape, parameters and
 * batch-norm statistics at every node, and the same totals. Returns the renaming (converter id →
 * template id), read from the common order.
 */
function assertSameNetwork(ours: Design, converted: Design, reference: Reference): Map<string, string> {
  assert.equal(ours.nodes.length, converted.nodes.length, 'as many nodes as the converter writes');
  // The converter's nodes and the template's come in the same order: that order is the renaming.
  const idOf = new Map(converted.nodes.map((n, i) => [n.id, ours.nodes[i].id]));
  const [a, b] = [analyzeDesign(ours), analyzeDesign(converted)];
  assert.ok(a.valid && b.valid);
  converted.nodes.forEach((n, i) => {
    const mine = ours.nodes[i];
    assert.equal(mine.type, n.type, `${mine.id} is ${n.id}`);
    assert.deepEqual(canonical(a.nodes[mine.id].resolvedParams!), canonical(b.nodes[n.id].resolvedParams!), `${mine.id} has ${n.id}'s parameters`);
    assert.deepEqual(a.nodes[mine.id].outputShape, reference.nodes[n.id].shape, `${mine.id}: PyTorch's shape`);
    assert.equal(a.nodes[mine.id].trainableParams, reference.nodes[n.id].params, `${mine.id}: PyTorch's parameters`);
    assert.equal(a.nodes[mine.id].nonTrainableParams, reference.nodes[n.id].buffers, `${mine.id}: PyTorch's batch-norm statistics`);
  });
  const edges = (d: Design, rename: (id: string) => string) => d.edges.map((e) => `${rename(e.source)}→${rename(e.target)}`).sort();
  assert.deepEqual(edges(ours, (id) => id), edges(converted, (id) => idOf.get(id)!), 'the same edges');
  const inputsOf = (d: Design, id: string) => d.edges.filter((e) => e.target === id).map((e) => e.source);
  for (const n of converted.nodes) assert.deepEqual(inputsOf(ours, idOf.get(n.id)!), inputsOf(converted, n.id).map((s) => idOf.get(s)), `inputs of ${n.id} in order`);
  assert.equal(a.totals.trainableParams, reference.totals.params);
  assert.equal(a.totals.nonTrainableParams, reference.totals.buffers);
  assert.deepEqual(a.totals.outputShapes, reference.outputShapes);
  return idOf;
}

/**
 * The template as torchvision computes it: the shipped templates end in a softmax (their training
 * setting's cross-entropy reads probabilities), torchvision's networks in logits. Asserts that the
 * softmax on the output layer is the only difference it removes.
 */
function asLogits(design: Design): Design {
  const outputs = design.nodes.filter((n) => !design.edges.some((e) => e.source === n.id));
  assert.equal(outputs.length, 1);
  assert.equal(outputs[0].type, 'Dense');
  assert.equal(outputs[0].params.activation, 'softmax', 'the template classifies with a softmax');
  const { activation: _softmax, ...logits } = outputs[0].params;
  return { ...design, nodes: design.nodes.map((n) => (n === outputs[0] ? { ...n, params: logits } : n)) };
}

/**
 * Exports a design to PyTorch, loads the network's own state_dict into it through the converter's
 * mapping (renamed to the design's ids) and compares its outputs with the network's.
 */
function checkTemplateOutputs(design: Design, tag: string, reference: Reference, idOf: Map<string, string>, dir: string): OutputCheck {
  const renamed: Reference = { ...reference, nodes: Object.fromEntries(Object.entries(reference.nodes).map(([id, node]) => [idOf.get(id)!, node])) };
  const referencePath = join(dir, `${tag}.template-reference.json`);
  writeFileSync(referencePath, JSON.stringify(renamed));
  const modulePath = join(dir, `${tag}_template_export.py`);
  writeFileSync(modulePath, exportDesign(design, 'pytorch').files[0].code);
  const job = join(dir, `${tag}_template_check.json`);
  writeFileSync(job, JSON.stringify({ module: modulePath, className: className(design.name), reference: referencePath, names: Object.fromEntries(identifierNames(design)) }));
  return JSON.parse(runPython([join(__dirname, 'checkReferenceOutputs.py'), job]).stdout) as OutputCheck;
}

/** Templates generated from torchvision's definitions (scripts/buildTemplates.ts), by the torchvision builder they follow. */
const TORCHVISION_TEMPLATES: [template: string, model: string][] = [
  ['mobilenet-v2', 'mobilenet_v2'],
  ['resnet50', 'resnet50'],
  ['efficientnet-b0', 'efficientnet_b0'],
];

describe('templates of published networks equal them in PyTorch', function () {
  this.timeout(1_800_000);
  let dir = '';

  before(function () {
    const missing = torchMissing();
    if (missing) {
      console.warn(`    skipped: the networks are built in PyTorch, and ${missing}`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'cnn-templates-'));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('unet: the paper\'s U-Net node for node (types, parameters, edges), with PyTorch\'s shape and parameters at every node', () => {
    const unet: ReferenceCase = { model: 'unet', input: [1, 572, 572] };
    convertCases([unet], dir);
    const converted = parseDesign(readFileSync(join(dir, `${caseTag(unet)}.cnn.json`), 'utf8')).design!;
    const reference = JSON.parse(readFileSync(join(dir, `${caseTag(unet)}.reference.json`), 'utf8')) as Reference;
    assertSameNetwork(template('unet'), converted, reference);
  });

  for (const [name, model] of TORCHVISION_TEMPLATES) {
    it(`${name}: torchvision's ${model} node for node (types, parameters, edges, shapes, parameters), and its PyTorch export with the network's state_dict gives its outputs`, () => {
      const c: ReferenceCase = { model, input: [3, 224, 224] };
      convertCases([c], dir, { saveWeights: [caseTag(c)] });
      const converted = parseDesign(readFileSync(join(dir, `${caseTag(c)}.cnn.json`), 'utf8')).design!;
      const reference = JSON.parse(readFileSync(join(dir, `${caseTag(c)}.reference.json`), 'utf8')) as Reference;
      const logits = asLogits(template(name));
      const idOf = assertSameNetwork(logits, converted, reference);
      // Every node that holds a tensor of the network is named after its module: the ids are the state_dict's keys.
      for (const [id, node] of Object.entries(reference.nodes)) {
        for (const { key } of Object.values(node.stateDict ?? {})) assert.equal(`${key.slice(0, key.lastIndexOf('.')).replace(/\./g, '_')}`, idOf.get(id), `${key} belongs to ${idOf.get(id)}`);
      }
      const result = checkTemplateOutputs(logits, caseTag(c), reference, idOf, dir);
      assert.deepEqual([result.missing, result.unexpected], [[], []], 'every weight of the export comes from the network');
      assert.equal(result.outputs, result.expectedOutputs);
      assert.ok(!result.shapeMismatch, 'output shapes equal');
      assert.ok(result.maxAbs > 1e-3, 'outputs are not trivially zero');
      assert.ok(result.maxDiff <= 1e-4 * Math.max(1, result.maxAbs), `max difference ${result.maxDiff} (outputs up to ${result.maxAbs})`);
    });
  }

  it('audio-1d-cnn: an M5-style network written in PyTorch has its parameters, shapes and outputs', () => {
    const design = template('audio-1d-cnn');
    const analysis = analyzeDesign(design);
    const modulePath = join(dir, 'audio_export.py');
    writeFileSync(modulePath, exportDesign(design, 'pytorch').files[0].code);
    const job = join(dir, 'audio_check.json');
    writeFileSync(job, JSON.stringify({ module: modulePath, className: className(design.name), names: Object.fromEntries(identifierNames(design)) }));
    const result = JSON.parse(runPython([join(__dirname, 'checkAudioTemplate.py'), job]).stdout) as {
      missing: string[];
      unexpected: string[];
      trainable: [number, number];
      buffers: [number, number];
      shapes: Record<string, number[]>;
      outputShape: [number[], number[]];
      maxDiff: number;
      featureDiff: number;
      featureAbs: number;
    };
    assert.deepEqual([result.missing, result.unexpected], [[], []], 'every weight of the export comes from the hand-written network');
    assert.equal(result.trainable[0], result.trainable[1], 'trainable parameters');
    assert.equal(analysis.totals.trainableParams, result.trainable[1], 'the analysis counts PyTorch\'s trainable parameters');
    assert.equal(analysis.totals.nonTrainableParams, result.buffers[1], 'and its batch-norm statistics');
    for (const [id, shape] of Object.entries(result.shapes)) assert.deepEqual(analysis.nodes[id].outputShape, shape, `shape after ${id}`);
    assert.ok(Object.keys(result.shapes).length >= 12, 'every block was compared');
    assert.deepEqual(result.outputShape[0], result.outputShape[1]);
    assert.ok(result.featureAbs > 1e-3, 'the pooled features are not trivially zero');
    assert.ok(result.featureDiff <= 1e-4 * Math.max(1, result.featureAbs), `pooled features differ by ${result.featureDiff}`);
    assert.ok(result.maxDiff <= 1e-5, `outputs differ by ${result.maxDiff}`);
  });
});
