import assert from 'node:assert/strict';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import type { Design } from '../../src/core/design';
import { applyIntention } from '../../src/core/edit/applyIntention';
import type { EditIntention } from '../../src/core/edit/editIntention';
import { parseDesign } from '../../src/core/format/parseDesign';
import { planDocumentEdit } from '../../src/extension/planDocumentEdit';
import { validateIntention } from '../../src/extension/validateWebviewMessage';

/** A design with one block ("Pair": a "same" convolution and a relu between port x and port out) used by two instances. */
const TEXT = `{
  "format": "cnn-designer",
  "version": 1,
  "name": "Pairs",
  "blocks": {
    "Pair": {
      "params": {},
      "inputs": ["x"],
      "outputs": ["out"],
      "nodes": [
        { "id": "conv", "type": "Conv2D", "params": { "filters": 4, "kernelSize": 3, "padding": "same" } },
        { "id": "relu", "type": "Activation", "params": { "fn": "relu" } }
      ],
      "edges": [
        { "source": "x", "target": "conv" },
        { "source": "conv", "target": "relu" },
        { "source": "relu", "target": "out" }
      ]
    }
  },
  "nodes": [
    { "id": "input", "type": "Input", "params": { "shape": [8, 8, 4] }, "position": { "x": 0, "y": 0 } },
    { "id": "p1", "type": "Pair", "params": {}, "position": { "x": 0, "y": 130 } },
    { "id": "p2", "type": "Pair", "params": {}, "position": { "x": 0, "y": 260 } }
  ],
  "edges": [
    { "source": "input", "target": "p1" },
    { "source": "p1", "target": "p2" }
  ],
  "training": {}
}
`;

const designOf = (text: string): Design => {
  const parsed = parseDesign(text);
  assert.ok(parsed.design && parsed.lossless, 'the text parses without loss');
  return parsed.design;
};
const paramsOf = (text: string): number => analyzeDesign(designOf(text)).totals.params;
/** Where the block's definition lies in `text`. */
const blockSpan = (text: string): { start: number; end: number } => {
  const node = findNodeAtLocation(parseTree(text)!, ['blocks', 'Pair'])!;
  return { start: node.offset, end: node.offset + node.length };
};

/** Applies `intention` to the text as the host does, and checks every change lies inside the block's definition. */
function editInBlock(text: string, intention: EditIntention): string {
  const plan = planDocumentEdit(text, intention);
  assert.equal(plan.kind, 'replace', plan.kind === 'refused' ? plan.reason : 'expected a change');
  if (plan.kind !== 'replace') throw new Error('unreachable');
  const span = blockSpan(text);
  for (const change of plan.changes) assert.ok(change.start >= span.start && change.end <= span.end, `change at ${change.start}..${change.end} lies outside the block (${span.start}..${span.end})`);
  assert.ok(plan.changes.length > 0);
  return plan.newText;
}

describe('structure edits inside a block definition', () => {
  it('adds a layer from the palette after a layer and wires it to the output port: both instances grow', () => {
    const before = paramsOf(TEXT);
    const added = editInBlock(TEXT, { kind: 'addLayer', layerType: 'Conv2D', position: { x: 0, y: 0 }, params: { filters: 4, kernelSize: 1 }, connectFrom: 'relu', block: 'Pair' });
    const block = designOf(added).blocks!.Pair;
    const created = block.nodes.at(-1)!;
    assert.equal(created.type, 'Conv2D');
    assert.deepEqual(designOf(added).nodes, designOf(TEXT).nodes, "the design's own layers stay");
    // The output port passes on one tensor: the new wire replaces relu → out.
    const wired = editInBlock(added, { kind: 'connect', source: created.id, target: 'out', block: 'Pair' });
    const edges = designOf(wired).blocks!.Pair.edges;
    assert.deepEqual(edges.filter((e) => e.target === 'out'), [{ source: created.id, target: 'out' }]);
    const analysis = analyzeDesign(designOf(wired));
    assert.ok(analysis.valid, JSON.stringify(analysis.diagnostics.filter((d) => d.severity === 'error')));
    // A 1×1 convolution 4 → 4 channels with bias, once in each of the two instances.
    const oneByOne = 4 * 4 + 4;
    assert.equal(analysis.totals.params, before + 2 * oneByOne);
  });

  it('deletes a layer with its wires, and a new wire from the input port makes the block whole again', () => {
    const before = paramsOf(TEXT);
    const conv = analyzeDesign(designOf(TEXT)).nodes['p1.conv'].params;
    assert.ok(conv > 0);
    const deleted = editInBlock(TEXT, { kind: 'delete', nodeIds: ['conv'], edges: [], block: 'Pair' });
    const block = designOf(deleted).blocks!.Pair;
    assert.deepEqual(block.nodes.map((n) => n.id), ['relu']);
    assert.deepEqual(block.edges, [{ source: 'relu', target: 'out' }]);
    const rewired = editInBlock(deleted, { kind: 'connect', source: 'x', target: 'relu', block: 'Pair' });
    const analysis = analyzeDesign(designOf(rewired));
    assert.ok(analysis.valid);
    assert.equal(analysis.totals.params, before - 2 * conv);
  });

  it('disconnects a wire and connects the input port straight to the output port', () => {
    const cut = editInBlock(TEXT, { kind: 'disconnect', source: 'relu', target: 'out', block: 'Pair' });
    assert.ok(!designOf(cut).blocks!.Pair.edges.some((e) => e.target === 'out'));
    const through = editInBlock(cut, { kind: 'connect', source: 'x', target: 'out', block: 'Pair' });
    assert.deepEqual(designOf(through).blocks!.Pair.edges.filter((e) => e.target === 'out'), [{ source: 'x', target: 'out' }]);
  });

  it('refuses what does not fit the block, saying why', () => {
    const design = designOf(TEXT);
    const reason = (intention: EditIntention): string => {
      const result = applyIntention(design, intention);
      assert.ok(!result.ok, `expected ${JSON.stringify(intention)} to be refused`);
      return result.reason;
    };
    assert.match(reason({ kind: 'delete', nodeIds: ['conv'], edges: [], block: 'Nope' }), /no block "Nope"/);
    assert.match(reason({ kind: 'connect', source: 'conv', target: 'ghost', block: 'Pair' }), /no layer "ghost"/);
    assert.match(reason({ kind: 'delete', nodeIds: ['x'], edges: [], block: 'Pair' }), /port of block Pair/);
    assert.match(reason({ kind: 'connect', source: 'relu', target: 'x', block: 'Pair' }), /takes no input/);
    assert.match(reason({ kind: 'connect', source: 'out', target: 'conv', block: 'Pair' }), /output of block Pair/);
    assert.match(reason({ kind: 'connect', source: 'relu', target: 'conv', block: 'Pair' }), /loop/);
    // The design's own layers are not the block's: deleting one of them inside changes nothing.
    const outside = applyIntention(design, { kind: 'delete', nodeIds: ['p1'], edges: [], block: 'Pair' });
    assert.ok(outside.ok && !outside.changed);
  });

  it('ids of the design and of the block are separate: a layer added inside gets an id free in the block', () => {
    const result = applyIntention(designOf(TEXT), { kind: 'addLayer', layerType: 'Activation', position: { x: 0, y: 0 }, block: 'Pair' });
    assert.ok(result.ok);
    const ids = result.design.blocks!.Pair.nodes.map((n) => n.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(result.design.nodes, designOf(TEXT).nodes);
    assert.ok(!['x', 'out'].includes(result.createdIds[0]));
  });

  it('the host keeps the block of a checked intention and rejects an empty one', () => {
    assert.deepEqual(validateIntention({ kind: 'disconnect', source: 'a', target: 'b', block: 'Pair' }), { kind: 'disconnect', source: 'a', target: 'b', block: 'Pair' });
    assert.deepEqual(validateIntention({ kind: 'delete', nodeIds: ['a'], edges: [], block: 'Pair' }), { kind: 'delete', nodeIds: ['a'], edges: [], block: 'Pair' });
    assert.throws(() => validateIntention({ kind: 'connect', source: 'a', target: 'b', block: '' }));
    assert.throws(() => validateIntention({ kind: 'connect', source: 'a', target: 'b', block: 3 }));
  });
});
