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
import { caseTag, convertCases, torchMissing, type Reference, type ReferenceCase } from './referenceCases';

/**
 * Templates that stand for a network of the literature are that network: the U-Net template is the
 * converter's U-Net (the reference case checked against PyTorch) node for node, with readable ids;
 * the audio template is an M5-style network written by hand in PyTorch.
 */
const EXAMPLES = join(__dirname, '..', '..', 'examples');
const template = (name: string): Design => parseDesign(readFileSync(join(EXAMPLES, `${name}.cnn.json`), 'utf8')).design!;

/** Parameters as they compute: zero padding is "valid", pooling strides left out are the window. */
function canonical(params: Record<string, unknown>): Record<string, unknown> {
  const c = { ...params };
  if (Array.isArray(c.padding) && c.padding.every((x) => x === 0)) c.padding = 'valid';
  if ('poolSize' in c && c.strides === undefined) c.strides = c.poolSize;
  return c;
}

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
    const ours = template('unet');
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
    });
    const edges = (d: Design, rename: (id: string) => string) => d.edges.map((e) => `${rename(e.source)}→${rename(e.target)}`).sort();
    assert.deepEqual(edges(ours, (id) => id), edges(converted, (id) => idOf.get(id)!), 'the same edges, in the same order into each node');
    const inputsOf = (d: Design, id: string) => d.edges.filter((e) => e.target === id).map((e) => e.source);
    for (const n of converted.nodes) assert.deepEqual(inputsOf(ours, idOf.get(n.id)!), inputsOf(converted, n.id).map((s) => idOf.get(s)), `inputs of ${n.id} in order`);
    assert.equal(a.totals.trainableParams, reference.totals.params);
    assert.deepEqual(a.totals.outputShapes, reference.outputShapes);
  });

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
