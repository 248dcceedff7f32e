import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyzeDesign } from '../../../src/core/analysis/analyzeDesign';
import { analyzeDocument } from '../../../src/core/analysis/analyzeDocument';
import { evaluateExpression } from '../../../src/core/blocks/blockExpression';
import { expandBlocks } from '../../../src/core/blocks/expandBlocks';
import type { Design, DesignNode } from '../../../src/core/design';
import { parseDesign } from '../../../src/core/format/parseDesign';
import { editDesignText } from '../../../src/core/format/editDesignText';
import { applyIntention } from '../../../src/core/edit/applyIntention';
import { serializeDesign } from '../../../src/core/format/serializeDesign';
import { randomValidDesign } from '../../support/randomDesign';

const examples = join(__dirname, '..', '..', '..', 'examples');
const read = (file: string): string => readFileSync(join(examples, file), 'utf8');

/** A small design: Input → Residual(width) ×repeat → Dense, the block a conv, batch norm and an add. */
function residualDesign(instance: Partial<DesignNode> = {}, blockChanges: (b: any) => void = () => {}): any {
  const block = {
    params: { width: { default: 4 }, stride: { default: 1 } },
    inputs: ['x'],
    outputs: ['out'],
    nodes: [
      { id: 'conv', type: 'Conv2D', params: { filters: '$width', kernelSize: 3, strides: '$stride', padding: 1 } },
      { id: 'bn', type: 'BatchNorm', params: {} },
      { id: 'add', type: 'Add', params: {} },
    ],
    edges: [
      { source: 'x', target: 'conv' },
      { source: 'conv', target: 'bn' },
      { source: 'bn', target: 'add' },
      { source: 'x', target: 'add' },
      { source: 'add', target: 'out' },
    ],
  };
  blockChanges(block);
  return {
    format: 'cnn-designer',
    version: 1,
    name: 'residual',
    blocks: { Residual: block },
    nodes: [
      { id: 'input', type: 'Input', params: { shape: [8, 8, 4] } },
      { id: 'stage', type: 'Residual', params: {}, ...instance },
      { id: 'pool', type: 'GlobalAvgPool2D', params: {} },
    ],
    edges: [
      { source: 'input', target: 'stage' },
      { source: 'stage', target: 'pool' },
    ],
    training: {},
  };
}

const analyzeText = (design: unknown) => analyzeDocument(`${JSON.stringify(design, null, 2)}\n`);
const errors = (design: unknown) => analyzeText(design).diagnostics.filter((d) => d.severity === 'error');

describe('blocks', () => {
  it('ResNet-18 written with a BasicBlock analyses to exactly the flat template: totals, output shape, layer count', () => {
    const blocks = analyzeDocument(read('resnet18-blocks.cnn.json'));
    const flat = analyzeDocument(read('resnet18.cnn.json'));
    assert.deepEqual(blocks.diagnostics, []);
    assert.deepEqual(blocks.analysis!.totals, flat.analysis!.totals);
    assert.equal(blocks.analysis!.order.length, flat.analysis!.order.length);
    // Layer by layer too: the flat template's "layer2_0_conv1" is the instance's "layer2.0.conv1".
    const flatNodes = Object.values(flat.analysis!.nodes);
    for (const node of Object.values(blocks.analysis!.nodes)) {
      const twin = flat.analysis!.nodes[node.id.replace(/\./g, '_').replace('downsample_0', 'downsample_conv').replace('downsample_1', 'downsample_bn')];
      assert.ok(twin, `no twin for ${node.id} among ${flatNodes.length}`);
      assert.deepEqual([node.outputShape, node.params, node.macs], [twin.outputShape, twin.params, twin.macs], node.id);
    }
  });

  it('gives each instance and stage the sums of its layers, its output shape and receptive field', () => {
    const { analysis } = analyzeDocument(read('resnet18-blocks.cnn.json'));
    const instances = analysis!.instances!;
    const stage = instances.layer2;
    assert.deepEqual(stage.copies, ['layer2.0', 'layer2.1']);
    assert.equal(stage.params, instances['layer2.0'].params + instances['layer2.1'].params);
    assert.equal(stage.macs, stage.nodeIds.reduce((a, id) => a + analysis!.nodes[id].macs, 0));
    assert.deepEqual(stage.outputShape, [28, 28, 128]);
    assert.deepEqual(stage.inputShapes, [[56, 56, 64]]);
    assert.deepEqual(stage.receptiveField, analysis!.nodes['layer2.1.relu2'].receptiveField);
    assert.deepEqual(instances['layer2.0'].args, { planes: 128, stride: 2, downsample: true });
    assert.deepEqual(instances['layer2.1'].args, { planes: 128, stride: 1, downsample: false });
    // The left-out downsample of the second copy is not a layer.
    assert.ok(!analysis!.nodes['layer2.1.downsample.0']);
    const sum = Object.values(instances).filter((i) => !i.copies && i.id.includes('.')).reduce((a, i) => a + i.params, 0);
    const outside = ['conv1', 'bn1', 'fc'].reduce((a, id) => a + analysis!.nodes[id].params, 0);
    assert.equal(sum + outside, analysis!.totals.params);
  });

  it('reads and writes blocks, repeats, overrides, "when" and ports without loss', () => {
    const text = read('resnet18-blocks.cnn.json');
    const parsed = parseDesign(text);
    assert.ok(parsed.lossless);
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(serializeDesign(parsed.design!), text);
    const ports = residualDesign();
    ports.edges[0].targetPort = 'x';
    ports.edges[1].sourcePort = 'out';
    const again = parseDesign(JSON.stringify(ports));
    assert.equal(again.design!.edges[0].targetPort, 'x');
    assert.equal(parseDesign(serializeDesign(again.design!)).design!.edges[1].sourcePort, 'out');
  });

  it('an edit of an instance argument rewrites that one line and keeps the blocks', () => {
    const text = read('resnet18-blocks.cnn.json');
    const before = parseDesign(text).design!;
    const result = applyIntention(before, { kind: 'setParams', nodeId: 'layer3', params: { planes: 300 } });
    assert.ok(result.ok);
    const { newText } = editDesignText(text, before, result.design);
    const changed = newText.split('\n').filter((line, i) => line !== text.split('\n')[i]);
    assert.deepEqual(changed, ['      "params": { "planes": 300 },']);
    assert.deepEqual(analyzeDocument(newText).analysis!.instances!.layer3.outputShape, [14, 14, 300]);
  });

  it('names expanded layers "<instance>.<copy>.<node>" and chains the copies of a stage', () => {
    const expansion = expandBlocks(parseDesign(JSON.stringify(residualDesign({ repeat: 3, overrides: { '1': { width: 4 } } }))).design!);
    assert.deepEqual(expansion.diagnostics, []);
    assert.deepEqual(
      expansion.design.nodes.map((n) => n.id),
      ['input', 'stage.0.conv', 'stage.0.bn', 'stage.0.add', 'stage.1.conv', 'stage.1.bn', 'stage.1.add', 'stage.2.conv', 'stage.2.bn', 'stage.2.add', 'pool'],
    );
    assert.ok(expansion.design.edges.some((e) => e.source === 'stage.0.add' && e.target === 'stage.1.conv'));
    assert.ok(expansion.design.edges.some((e) => e.source === 'stage.1.add' && e.target === 'stage.2.add'));
    // The add's operands keep the order the block writes them in.
    assert.deepEqual(expansion.design.edges.filter((e) => e.target === 'stage.0.add').map((e) => e.source), ['stage.0.bn', 'input']);
    assert.equal(expansion.origins.get('stage.1.conv')!.instance, 'stage.1');
    assert.deepEqual(expansion.origins.get('stage.1.conv')!.definitionPath, ['blocks', 'Residual', 'nodes', 0]);
  });

  it('computes expressions without eval: arithmetic, comparisons, logic; refuses everything else', () => {
    assert.deepEqual(evaluateExpression('$w * 4', { w: 16 }), { ok: true, value: 64 });
    assert.deepEqual(evaluateExpression('($w + 1) // 2', { w: 16 }), { ok: true, value: 8 });
    assert.deepEqual(evaluateExpression('$s != 1 && !$d', { s: 2, d: false }), { ok: true, value: true });
    assert.deepEqual(evaluateExpression('$shape', { shape: [1, 2] }), { ok: true, value: [1, 2] });
    assert.equal(evaluateExpression('$w.constructor', { w: 1 }).ok, false);
    assert.equal(evaluateExpression('$w * "a"', { w: 1 }).ok, false);
    assert.equal(evaluateExpression('$w / 0', { w: 1 }).ok, false);
    assert.equal(evaluateExpression('$missing', {}).ok, false);
  });

  describe('diagnostics, located with fixes', () => {
    it('an unknown block type names the block it probably meant', () => {
      const d = residualDesign({ type: 'Residul' });
      const [e] = errors(d);
      assert.equal(e.code, 'unknown-layer-type');
      assert.match(e.message, /Did you mean the block "Residual"/);
      assert.deepEqual(e.path, ['nodes', 1]);
      assert.ok(e.line);
      assert.ok(e.fixes.some((f) => f.title.includes('Residual')));
    });

    it('an unknown argument is an error at the argument, with a fix that renames it', () => {
      const d = residualDesign({ params: { widht: 8 } });
      const [e] = errors(d);
      assert.equal(e.code, 'unknown-block-argument');
      assert.deepEqual(e.path, ['nodes', 1, 'params', 'widht']);
      assert.match(e.message, /Did you mean "width"/);
      assert.deepEqual(e.fixes[0].edit, { kind: 'setParams', nodeId: 'stage', params: { widht: null, width: 8 } });
    });

    it('a parameter without default must be given', () => {
      const d = residualDesign({}, (b) => (b.params.width = {}));
      const [e] = errors(d);
      assert.equal(e.code, 'missing-block-argument');
      assert.deepEqual(e.path, ['nodes', 1, 'params']);
    });

    it('a block that uses itself is refused, at the node that closes the loop', () => {
      const d = residualDesign({}, (b) => {
        b.nodes.push({ id: 'again', type: 'Residual', params: {} });
        b.edges.push({ source: 'add', target: 'again' });
      });
      const found = errors(d).find((x) => x.code === 'block-recursion');
      assert.ok(found);
      assert.deepEqual(found.path, ['blocks', 'Residual', 'nodes', 3, 'type']);
      assert.match(found.message, /Residual → Residual/);
    });

    it('a bad argument value is reported inside the block, naming the instance, the expression and its value', () => {
      const d = residualDesign({ params: { width: -3 } });
      const text = `${JSON.stringify(d, null, 2)}\n`;
      const found = analyzeDocument(text).diagnostics.find((x) => x.severity === 'error')!;
      assert.deepEqual(found.path, ['blocks', 'Residual', 'nodes', 0, 'params', 'filters']);
      assert.match(found.message, /^In stage \(Residual\), where "\$width" is -3, layer "conv":/);
      assert.equal(found.nodeId, 'stage');
      // The line is the definition's filters line.
      assert.match(text.split('\n')[found.line! - 1], /"filters": "\$width"/);
    });

    it('an expression over an undeclared parameter, a bad expression, a bad repeat and a port that does not exist', () => {
      assert.equal(errors(residualDesign({}, (b) => (b.nodes[0].params.filters = '$widht'))).find((x) => x.code === 'unknown-block-parameter')?.message.includes('"$width"'), true);
      assert.ok(errors(residualDesign({}, (b) => (b.nodes[0].params.filters = '$width ^ 2'))).some((x) => x.code === 'bad-block-expression'));
      assert.ok(errors(residualDesign({ repeat: 0 })).some((x) => x.code === 'bad-repeat'));
      assert.ok(errors(residualDesign({ repeat: 2, overrides: { '5': { width: 2 } } })).some((x) => x.code === 'bad-repeat' && JSON.stringify(x.path) === '["nodes",1,"overrides","5"]'));
      const port = residualDesign();
      port.edges[0].targetPort = 'y';
      assert.ok(errors(port).some((x) => x.code === 'block-port'));
      assert.ok(errors(residualDesign({}, (b) => b.edges.pop())).some((x) => x.code === 'block-output-unconnected'));
    });

    it('"when": false leaves a layer out and passes its input on', () => {
      const d = residualDesign({}, (b) => {
        b.params.norm = { default: false };
        b.nodes[1].when = '$norm';
      });
      const a = analyzeText(d);
      assert.equal(a.valid, true);
      assert.ok(!a.analysis!.nodes['stage.bn']);
      const on = residualDesign({ params: { norm: true } }, (b) => {
        b.params.norm = { default: false };
        b.nodes[1].when = '$norm';
      });
      assert.ok(analyzeText(on).analysis!.nodes['stage.bn']);
    });
  });

  it('property: wrapping any sub-chain of a design into a block and instantiating it changes no total and no output shape', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.nat(), fc.nat(), (seed, a, b) => {
        const design = randomValidDesign(seed, { maxLayers: 8, branches: false, maxSpatial: 16 });
        const plain = analyzeDesign(design);
        const chain = plain.order.filter((id) => design.nodes.find((n) => n.id === id)!.type !== 'Input');
        if (chain.length < 1) return;
        const from = a % chain.length;
        const to = from + (b % (chain.length - from));
        const inside = chain.slice(from, to + 1);
        const insideSet = new Set(inside);
        const first = design.nodes.find((n) => n.id === inside[0])!;
        // One numeric parameter becomes a block parameter with the value as its instance argument.
        const lifted = Object.entries(first.params).find(([, v]) => typeof v === 'number');
        const blockNodes = design.nodes.filter((n) => insideSet.has(n.id)).map((n) => (n === first && lifted ? { ...n, params: { ...n.params, [lifted[0]]: '$p' } } : n));
        const before = plain.graph.inputs(inside[0])[0];
        const after = plain.graph.consumers(inside[inside.length - 1]);
        const wrapped: Design = {
          ...design,
          blocks: {
            Wrapped: {
              params: lifted ? { p: { default: 12345 } } : {},
              inputs: ['x'],
              outputs: ['out'],
              nodes: blockNodes,
              edges: [
                { source: 'x', target: inside[0] },
                ...design.edges.filter((e) => insideSet.has(e.source) && insideSet.has(e.target)),
                { source: inside[inside.length - 1], target: 'out' },
              ],
            },
          },
          nodes: [...design.nodes.filter((n) => !insideSet.has(n.id)), { id: 'wrapped', type: 'Wrapped', params: lifted ? { p: lifted[1] } : {} }],
          edges: [
            ...design.edges.filter((e) => !insideSet.has(e.source) && !insideSet.has(e.target)),
            { source: before, target: 'wrapped' },
            ...after.map((t) => ({ source: 'wrapped', target: t })),
          ],
        };
        const blocked = analyzeDesign(wrapped);
        assert.deepEqual(blocked.diagnostics.filter((d) => d.severity === 'error'), plain.diagnostics.filter((d) => d.severity === 'error'));
        assert.deepEqual(blocked.totals, plain.totals);
        const instance = blocked.instances!.wrapped;
        assert.deepEqual(instance.outputShape, plain.nodes[inside[inside.length - 1]].outputShape);
        assert.equal(instance.params, inside.reduce((s, id) => s + plain.nodes[id].params, 0));
        assert.equal(instance.macs, inside.reduce((s, id) => s + plain.nodes[id].macs, 0));
      }),
      { numRuns: 60 },
    );
  });
});

describe('blocks from strangers', () => {
  it('a block of blocks of blocks, each used twice or repeated, stops at the expansion limit quickly', () => {
    const blocks: Record<string, unknown> = { L0: { params: {}, inputs: ['x'], outputs: ['out'], nodes: [], edges: [{ source: 'x', target: 'out' }] } };
    for (let i = 1; i <= 40; i++) {
      blocks[`L${i}`] = {
        params: {},
        inputs: ['x'],
        outputs: ['out'],
        nodes: [{ id: 'a', type: `L${i - 1}`, params: {}, repeat: 1000 }, { id: 'b', type: `L${i - 1}`, params: {} }],
        edges: [{ source: 'x', target: 'a' }, { source: 'a', target: 'b' }, { source: 'b', target: 'out' }],
      };
    }
    const design = {
      format: 'cnn-designer', version: 1, name: 'bomb', blocks,
      nodes: [{ id: 'input', type: 'Input', params: { shape: [4] } }, { id: 'bomb', type: 'L40', params: {} }, { id: 'fc', type: 'Dense', params: { units: 2 } }],
      edges: [{ source: 'input', target: 'bomb' }, { source: 'bomb', target: 'fc' }],
    };
    const started = Date.now();
    const result = analyzeDocument(JSON.stringify(design));
    assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
    assert.ok(result.diagnostics.some((d) => d.code === 'block-expansion-too-large'));
  });

  it('names like "__proto__" and "constructor" are plain names, never the object machinery', () => {
    const text = `{"format": "cnn-designer", "version": 1, "name": "p", "blocks": {"__proto__": {"params": {"constructor": {}}, "inputs": ["x"], "outputs": ["out"], "nodes": [], "edges": [{"source": "x", "target": "out"}]}},
      "nodes": [{"id": "input", "type": "Input", "params": {"shape": [4]}}, {"id": "b", "type": "__proto__", "params": {"toString": 1}}, {"id": "c", "type": "constructor", "params": {}}],
      "edges": [{"source": "input", "target": "b"}, {"source": "b", "target": "c"}]}`;
    const result = analyzeDocument(text);
    assert.equal(result.valid, false);
    assert.ok(result.diagnostics.some((d) => d.code === 'invalid-block-name'));
    assert.ok(result.diagnostics.some((d) => d.code === 'unknown-layer-type' && d.nodeId === 'c'));
    assert.equal(({} as Record<string, unknown>).params, undefined);
  });
});
