import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { parseDesign } from '../../src/core/format/parseDesign';
import { buildEdges, buildNodes } from '../../webview/editor/buildCanvas';

/** A design with blocks draws its written nodes: an instance is one block with the instance's totals. */
describe('canvas of a design with blocks', () => {
  const design = parseDesign(readFileSync(join(__dirname, '..', '..', 'examples', 'resnet18-blocks.cnn.json'), 'utf8')).design!;
  const analysis = analyzeDesign(design);

  it('each instance block shows its output shape and parameters; they sum to the totals', () => {
    const positions = Object.fromEntries(design.nodes.map((n, i) => [n.id, { x: 0, y: i * 80 }]));
    const nodes = buildNodes(design, analysis, positions, 'params', [], new Set());
    assert.equal(nodes.length, design.nodes.length);
    for (const n of nodes) {
      assert.notEqual(n.data.status, 'error', `${n.id} is drawn as broken`);
      if (n.data.type !== 'Input') assert.notEqual(n.data.shape, '', `${n.id} has no shape`);
    }
    assert.equal(
      nodes.reduce((sum, n) => sum + n.data.params, 0),
      analysis.totals.params,
    );
  });

  it('connections join the written nodes, each labelled with its source\'s shape', () => {
    const ids = new Set(design.nodes.map((n) => n.id));
    const edges = buildEdges(design, analysis, true, new Set());
    assert.ok(edges.length > 0);
    for (const e of edges) {
      assert.ok(ids.has(e.source) && ids.has(e.target), `${e.id} joins a layer that is not on the canvas`);
      assert.notEqual(e.data?.shape, '', `${e.id} has no shape`);
      assert.equal(e.data?.broken, false, `${e.id} is drawn broken`);
    }
  });
});
