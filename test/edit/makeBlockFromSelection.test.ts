import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { analyzeDesign, type DesignAnalysis } from '../../src/core/analysis/analyzeDesign';
import { emptyDesign, type Design, type DesignEdge, type DesignNode } from '../../src/core/design';
import { applyIntention } from '../../src/core/edit/applyIntention';
import { makeBlockFromSelection } from '../../src/core/edit/makeBlockFromSelection';
import { parseDesign } from '../../src/core/format/parseDesign';
import { serializeDesign } from '../../src/core/format/serializeDesign';
import { planDocumentEdit } from '../../src/extension/planDocumentEdit';
import { randomValidDesign, seededRandom } from '../support/randomDesign';

const load = (name: string): Design => parseDesign(readFileSync(`examples/${name}.cnn.json`, 'utf8')).design!;

/** A small design written out node by node. */
const designOf = (nodes: DesignNode[], edges: DesignEdge[]): Design => ({ ...emptyDesign('t'), nodes, edges });

/** What the block must not change: the model's size, cost and output shapes. */
const totalsOf = (a: DesignAnalysis) => ({
  params: a.totals.params,
  trainableParams: a.totals.trainableParams,
  nonTrainableParams: a.totals.nonTrainableParams,
  macs: a.totals.macs,
  outputShapes: a.totals.outputShapes,
  errors: a.diagnostics.filter((d) => d.severity === 'error').length,
});

/** The ids of a path of `length` layers in `design`, starting at its `start`-th non-Input layer, following first consumers. */
function chain(design: Design, start: number, length: number): string[] {
  const layers = design.nodes.filter((n) => n.type !== 'Input');
  const ids = [layers[start % layers.length].id];
  while (ids.length < length) {
    const next = design.edges.find((e) => e.source === ids[ids.length - 1]);
    if (!next) break;
    ids.push(next.target);
  }
  return ids;
}

function assertSameModel(before: Design, after: Design, label: string): void {
  assert.deepEqual(totalsOf(analyzeDesign(after)), totalsOf(analyzeDesign(before)), label);
}

describe('makeBlockFromSelection', () => {
  it('turns a chain of mnist-cnn into a block with one input and one output, and the model stays the same', () => {
    const design = load('mnist-cnn');
    const ids = chain(design, 0, 3);
    const made = makeBlockFromSelection(design, ids);
    assert.ok(made.ok, made.ok ? '' : made.reason);
    const block = made.design.blocks![made.blockName];
    assert.deepEqual(block.inputs, ['x']);
    assert.deepEqual(block.outputs, ['out']);
    assert.deepEqual(block.nodes.map((n) => n.id), ids);
    assert.equal(made.design.nodes.length, design.nodes.length - ids.length + 1);
    assert.ok(!made.design.nodes.some((n) => ids.includes(n.id)), 'the selected layers left the design');
    assert.equal(made.design.nodes.find((n) => n.id === made.instanceId)?.type, made.blockName);
    assertSameModel(design, made.design, 'mnist-cnn');
    const analysis = analyzeDesign(made.design);
    assert.equal(analysis.instances?.[made.instanceId]?.params, ids.reduce((sum, id) => sum + analyzeDesign(design).nodes[id].params, 0));
  });

  it('keeps the model for random chains and branches of random designs (property)', () => {
    let made = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const design = randomValidDesign(seed, { maxLayers: 8, branches: true });
      const rnd = seededRandom(seed * 7919);
      const layers = design.nodes.filter((n) => n.type !== 'Input').length;
      if (layers === 0) continue;
      const ids = chain(design, Math.floor(rnd() * layers), 1 + Math.floor(rnd() * 4));
      const result = makeBlockFromSelection(design, ids);
      // A chain along first consumers can still leave and re-enter the selection through a branch.
      if (!result.ok) {
        assert.match(result.reason, /leaves the selection and comes back/, `seed ${seed}`);
        continue;
      }
      made++;
      assertSameModel(design, result.design, `seed ${seed}, selection ${ids.join(', ')}`);
    }
    assert.ok(made >= 40, `only ${made} of 60 selections made a block`);
  });

  it('keeps the model for random subsets (several inputs and outputs), or says why not (property)', () => {
    let multi = 0;
    for (let seed = 100; seed < 160; seed++) {
      const design = randomValidDesign(seed, { maxLayers: 8, branches: true });
      const rnd = seededRandom(seed);
      const ids = design.nodes.filter((n) => n.type !== 'Input' && rnd() < 0.5).map((n) => n.id);
      if (ids.length === 0) continue;
      const result = makeBlockFromSelection(design, ids);
      if (!result.ok) {
        assert.match(result.reason, /leaves the selection and comes back|no input from the rest/, `seed ${seed}`);
        continue;
      }
      const block = result.design.blocks![result.blockName];
      if (block.inputs.length > 1 || block.outputs.length > 1) multi++;
      assertSameModel(design, result.design, `seed ${seed}, selection ${ids.join(', ')}`);
    }
    assert.ok(multi > 0, 'no selection had several inputs or outputs');
  });

  it('keeps a Concat\'s input order when one of its inputs comes from the block', () => {
    const design = designOf(
      [
        { id: 'input', type: 'Input', params: { shape: [8, 8, 3] } },
        { id: 'a', type: 'Conv2D', params: { filters: 4, kernelSize: 1 } },
        { id: 'b', type: 'Conv2D', params: { filters: 2, kernelSize: 3, padding: 'same' } },
        { id: 'cat', type: 'Concat', params: {} },
        { id: 'head', type: 'Conv2D', params: { filters: 5, kernelSize: 1 } },
      ],
      [
        { source: 'input', target: 'a' },
        { source: 'input', target: 'b' },
        { source: 'b', target: 'cat' },
        { source: 'a', target: 'cat' },
        { source: 'cat', target: 'head' },
      ],
    );
    // head's weights depend on the order only through shapes; compare the analysis of the Concat's output channels by position.
    const result = makeBlockFromSelection(design, ['b']);
    assert.ok(result.ok);
    assert.deepEqual(
      result.design.edges.filter((e) => e.target === 'cat').map((e) => e.source),
      [result.instanceId, 'a'],
    );
    assertSameModel(design, result.design, 'concat');
  });

  it('wires two inputs by port and two outputs by port', () => {
    const design = designOf(
      [
        { id: 'input', type: 'Input', params: { shape: [8, 8, 3] } },
        { id: 'a', type: 'Conv2D', params: { filters: 4, kernelSize: 1 } },
        { id: 'b', type: 'Conv2D', params: { filters: 2, kernelSize: 1 } },
        { id: 'cat', type: 'Concat', params: {} },
        { id: 'c', type: 'Conv2D', params: { filters: 3, kernelSize: 3 } },
        { id: 'd', type: 'Conv2D', params: { filters: 7, kernelSize: 1 } },
      ],
      [
        { source: 'input', target: 'a' },
        { source: 'input', target: 'b' },
        { source: 'a', target: 'cat' },
        { source: 'b', target: 'cat' },
        { source: 'cat', target: 'c' },
        { source: 'cat', target: 'd' },
      ],
    );
    const result = makeBlockFromSelection(design, ['cat']);
    assert.ok(result.ok, result.ok ? '' : result.reason);
    const block = result.design.blocks![result.blockName];
    assert.deepEqual(block.inputs, ['x0', 'x1']);
    assert.deepEqual(block.outputs, ['out']);
    assert.deepEqual(
      result.design.edges.filter((e) => e.target === result.instanceId).map((e) => [e.source, e.targetPort]),
      [['a', 'x0'], ['b', 'x1']],
    );
    assertSameModel(design, result.design, 'two inputs');

    const outs = makeBlockFromSelection(design, ['a', 'b', 'cat', 'c']);
    assert.ok(outs.ok, outs.ok ? '' : outs.reason);
    assert.deepEqual(outs.design.blocks![outs.blockName].outputs, ['out0', 'out1']);
    assertSameModel(design, outs.design, 'two outputs');
  });

  it('refuses an Input, a selection that would feed itself, and no selection, with a reason', () => {
    const design = load('mnist-cnn');
    const withInput = makeBlockFromSelection(design, ['input', design.nodes[1].id]);
    assert.ok(!withInput.ok && /Input/.test(withInput.reason));
    assert.ok(!makeBlockFromSelection(design, []).ok);
    const ids = chain(design, 0, 3);
    const gap = makeBlockFromSelection(design, [ids[0], ids[2]]);
    assert.ok(!gap.ok && gap.reason.includes(`"${ids[1]}"`), gap.ok ? '' : gap.reason);
  });

  it('names the block after the blocks the design has, never a layer type', () => {
    const design = load('resnet18-blocks');
    const layer = design.nodes.find((n) => n.type !== 'Input' && !design.blocks![n.type])!;
    const made = makeBlockFromSelection(design, [layer.id], { blockName: 'BasicBlock' });
    assert.ok(made.ok);
    assert.equal(made.blockName, 'BasicBlock2');
    assert.ok(made.design.blocks!.BasicBlock, 'the existing block stays');
    const conv = makeBlockFromSelection(design, [layer.id], { blockName: 'Conv2D' });
    assert.ok(conv.ok && conv.blockName === 'Conv2D2');
  });

  it('makes one edit of the document that reads back as the same model, and blocks of blocks expand', () => {
    const text = readFileSync('examples/resnet18-blocks.cnn.json', 'utf8');
    const design = parseDesign(text).design!;
    const stages = design.nodes.filter((n) => design.blocks![n.type]).slice(0, 2).map((n) => n.id);
    const plan = planDocumentEdit(text, { kind: 'makeBlock', nodeIds: stages, blockName: 'Stages' });
    assert.equal(plan.kind, 'replace');
    if (plan.kind !== 'replace') return;
    const after = parseDesign(plan.newText);
    assert.ok(after.lossless && after.design);
    assertSameModel(design, after.design!, 'resnet18 stages');
    // Only the edited parts change: no change touches the BasicBlock definition as written.
    const basic = findNodeAtLocation(parseTree(text)!, ['blocks', 'BasicBlock'])!;
    assert.ok(plan.changes.length > 0);
    for (const change of plan.changes) assert.ok(change.end <= basic.offset || change.start >= basic.offset + basic.length, `a change at ${change.start} rewrites BasicBlock`);
    assert.ok(plan.newText.includes(text.slice(basic.offset, basic.offset + basic.length)));
  });
});

describe('setRepeat and setBlockNodeParams', () => {
  const base = (): Design => {
    const design = parseDesign(
      serializeDesign(
        designOf(
          [
            { id: 'input', type: 'Input', params: { shape: [8, 8, 4] } },
            { id: 'conv', type: 'Conv2D', params: { filters: 4, kernelSize: 3, padding: 'same' } },
            { id: 'relu', type: 'Activation', params: { fn: 'relu' } },
          ],
          [
            { source: 'input', target: 'conv' },
            { source: 'conv', target: 'relu' },
          ],
        ),
      ),
    ).design!;
    const made = applyIntention(design, { kind: 'makeBlock', nodeIds: ['conv', 'relu'] });
    assert.ok(made.ok);
    return made.design;
  };

  it('repeat n multiplies a shape-keeping block\'s parameters by n; null (or 1) removes the field', () => {
    const design = base();
    const id = design.nodes.find((n) => n.type === 'Block')!.id;
    const once = analyzeDesign(design).totals.params;
    const thrice = applyIntention(design, { kind: 'setRepeat', nodeId: id, repeat: 3 });
    assert.ok(thrice.ok);
    assert.equal(thrice.design.nodes.find((n) => n.id === id)!.repeat, 3);
    assert.equal(analyzeDesign(thrice.design).totals.params, 3 * once);
    const back = applyIntention(thrice.design, { kind: 'setRepeat', nodeId: id, repeat: 1 });
    assert.ok(back.ok && back.design.nodes.find((n) => n.id === id)!.repeat === undefined);
  });

  it('refuses repeat on a layer, a fraction, and a block with two inputs', () => {
    const design = base();
    const id = design.nodes.find((n) => n.type === 'Block')!.id;
    assert.ok(!applyIntention(design, { kind: 'setRepeat', nodeId: 'input', repeat: 2 }).ok);
    assert.ok(!applyIntention(design, { kind: 'setRepeat', nodeId: id, repeat: 1.5 }).ok);
    assert.ok(!applyIntention(design, { kind: 'setRepeat', nodeId: id, repeat: 0 }).ok);
  });

  it('sets a parameter of a layer inside the block, which every instance sees', () => {
    const design = base();
    const next = applyIntention(design, { kind: 'setBlockNodeParams', block: 'Block', nodeId: 'conv', params: { filters: 8 } });
    assert.ok(next.ok);
    assert.equal(next.design.blocks!.Block.nodes[0].params.filters, 8);
    assert.deepEqual(analyzeDesign(next.design).totals.outputShapes, [[8, 8, 8]]);
    assert.ok(!applyIntention(design, { kind: 'setBlockNodeParams', block: 'Nope', nodeId: 'conv', params: {} }).ok);
  });
});
