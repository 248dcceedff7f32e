import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import type { Design } from '../../src/core/design';
import { applyIntention, type IntentionResult } from '../../src/core/edit/applyIntention';
import { copyToClipboardText, parseClipboardText } from '../../src/core/edit/designClipboard';
import type { EditIntention } from '../../src/core/edit/editIntention';
import { layeredPositions } from '../../src/core/edit/layeredPositions';
import { parseDesign } from '../../src/core/format/parseDesign';
import { serializeDesign } from '../../src/core/format/serializeDesign';
import { LAYER_CATALOG } from '../../src/core/layers/layerCatalog';
import { randomValidDesign } from '../support/randomDesign';

const load = (name: string): Design => parseDesign(readFileSync(`examples/${name}.cnn.json`, 'utf8')).design!;
const applied = (result: IntentionResult): Design => {
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.design;
};
const refusal = (result: IntentionResult): string => {
  assert.ok(!result.ok, 'expected the intention to be refused');
  return result.reason;
};

describe('applyIntention', () => {
  it('adds a Conv2D with usable starting parameters, a fresh id and a rounded position, connected from a layer', () => {
    const design = load('mnist-cnn');
    const result = applyIntention(design, { kind: 'addLayer', layerType: 'Conv2D', position: { x: 10.4, y: 20.6 }, connectFrom: 'input' });
    const next = applied(result);
    assert.ok(result.ok && result.changed);
    assert.deepEqual(result.ok && result.createdIds, ['conv2d_1']);
    const node = next.nodes.find((n) => n.id === 'conv2d_1')!;
    assert.deepEqual(node, { id: 'conv2d_1', type: 'Conv2D', params: { filters: 32, kernelSize: 3 }, position: { x: 10, y: 21 } });
    assert.ok(next.edges.some((e) => e.source === 'input' && e.target === 'conv2d_1'));
    assert.deepEqual(analyzeDesign(next).nodes.conv2d_1.outputShape, [26, 26, 32]);
    assert.equal(design.nodes.length + 1, next.nodes.length, 'one node more');
  });

  it('gives every palette layer valid starting parameters', () => {
    for (const layer of LAYER_CATALOG) {
      const design = applied(applyIntention({ ...load('mnist-cnn'), nodes: [], edges: [] }, { kind: 'addLayer', layerType: layer.type, position: { x: 0, y: 0 } }));
      const codes = analyzeDesign(design).diagnostics.map((d) => d.code);
      assert.ok(!codes.includes('invalid-param') && !codes.includes('missing-param'), `${layer.type}: ${codes.join(', ')}`);
    }
  });

  it('refuses an unknown layer type and a connection from a missing layer', () => {
    const design = load('mnist-cnn');
    assert.match(refusal(applyIntention(design, { kind: 'addLayer', layerType: 'Conv3D', position: { x: 0, y: 0 } })), /not a layer type/);
    assert.match(refusal(applyIntention(design, { kind: 'addLayer', layerType: 'Dense', position: { x: 0, y: 0 }, connectFrom: 'ghost' })), /"ghost"/);
  });

  it('connects, replacing the input of a single-input layer, and leaves merges with all their inputs', () => {
    const design = load('resnet18');
    const add = design.nodes.find((n) => n.type === 'Add')!;
    const before = design.edges.filter((e) => e.target === add.id).length;
    const withExtra = applied(applyIntention(design, { kind: 'connect', source: 'input', target: add.id }));
    assert.equal(withExtra.edges.filter((e) => e.target === add.id).length, before + 1);

    const mnist = load('mnist-cnn');
    const next = applied(applyIntention(mnist, { kind: 'connect', source: 'input', target: 'conv2' }));
    assert.deepEqual(next.edges.filter((e) => e.target === 'conv2').map((e) => e.source), ['input']);
  });

  it('refuses loops, self-loops and wires into an Input; a repeated connection changes nothing', () => {
    const design = load('mnist-cnn');
    assert.match(refusal(applyIntention(design, { kind: 'connect', source: 'conv2', target: 'conv1' })), /loop/);
    assert.match(refusal(applyIntention(design, { kind: 'connect', source: 'conv1', target: 'conv1' })), /itself/);
    assert.match(refusal(applyIntention(design, { kind: 'connect', source: 'conv1', target: 'input' })), /takes no input/);
    const same = applyIntention(design, { kind: 'connect', source: 'input', target: 'conv1' });
    assert.ok(same.ok && !same.changed);
  });

  it('disconnects and deletes nodes together with their connections', () => {
    const design = load('mnist-cnn');
    const cut = applied(applyIntention(design, { kind: 'disconnect', source: 'input', target: 'conv1' }));
    assert.ok(!cut.edges.some((e) => e.source === 'input' && e.target === 'conv1'));
    const deleted = applied(applyIntention(design, { kind: 'delete', nodeIds: ['pool1'], edges: [{ source: 'conv2', target: 'drop1' }] }));
    assert.ok(!deleted.nodes.some((n) => n.id === 'pool1'));
    assert.ok(!deleted.edges.some((e) => e.source === 'pool1' || e.target === 'pool1'));
    assert.ok(!deleted.edges.some((e) => e.source === 'conv2' && e.target === 'drop1'));
    assert.equal(deleted.edges.length, design.edges.length - 3);
  });

  it('moves nodes to whole-pixel positions, refuses unknown ids, and a move to the same place is not a change', () => {
    const design = load('mnist-cnn');
    const moved = applied(applyIntention(design, { kind: 'move', positions: { conv1: { x: 100.2, y: -49.5 } } }));
    assert.deepEqual(moved.nodes.find((n) => n.id === 'conv1')!.position, { x: 100, y: -49 });
    const again = applyIntention(moved, { kind: 'move', positions: { conv1: { x: 100, y: -49 } } });
    assert.ok(again.ok && !again.changed);
    assert.match(refusal(applyIntention(design, { kind: 'move', positions: { nope: { x: 0, y: 0 } } })), /"nope"/);
  });

  it('sets parameters, and null resets one to its default', () => {
    const design = load('mnist-cnn');
    const strided = applied(applyIntention(design, { kind: 'setParams', nodeId: 'conv1', params: { strides: 2 } }));
    assert.deepEqual(strided.nodes.find((n) => n.id === 'conv1')!.params, { filters: 10, kernelSize: 5, strides: 2 });
    assert.deepEqual(analyzeDesign(strided).nodes.conv1.outputShape, [12, 12, 10]);
    const reset = applied(applyIntention(strided, { kind: 'setParams', nodeId: 'conv1', params: { strides: null } }));
    assert.equal(serializeDesign(reset), serializeDesign(design));
    assert.deepEqual(design.nodes.find((n) => n.id === 'conv1')!.params, { filters: 10, kernelSize: 5 }, 'input not mutated');
  });

  it('renames a display name and an id, moving the connections along', () => {
    const design = load('mnist-cnn');
    const named = applied(applyIntention(design, { kind: 'rename', nodeId: 'conv1', name: 'First conv' }));
    assert.equal(named.nodes.find((n) => n.id === 'conv1')!.name, 'First conv');
    const unnamed = applied(applyIntention(named, { kind: 'rename', nodeId: 'conv1', name: '' }));
    assert.ok(!('name' in unnamed.nodes.find((n) => n.id === 'conv1')!));
    const reId = applied(applyIntention(design, { kind: 'rename', nodeId: 'conv1', newId: 'stem' }));
    assert.ok(reId.edges.some((e) => e.source === 'input' && e.target === 'stem'));
    assert.ok(reId.edges.some((e) => e.source === 'stem'));
    assert.ok(!reId.edges.some((e) => e.source === 'conv1' || e.target === 'conv1'));
    assert.deepEqual(analyzeDesign(reId).totals, analyzeDesign(design).totals);
    assert.match(refusal(applyIntention(design, { kind: 'rename', nodeId: 'conv1', newId: 'conv2' })), /already/);
    assert.match(refusal(applyIntention(design, { kind: 'rename', nodeId: 'conv1', newId: ' ' })), /layer id/);
  });

  it('refuses a new id outside the id rule (line breaks, quotes, control characters, a leading digit, too long)', () => {
    const design = load('mnist-cnn');
    for (const bad of ['a\nimport os', 'a\rb', 'a\u2028b', 'a"b', "a'b", 'a b', 'a\u0000', '1conv', '_conv', '', 'x'.repeat(65)]) {
      assert.match(refusal(applyIntention(design, { kind: 'rename', nodeId: 'conv1', newId: bad })), /layer id/, JSON.stringify(bad));
    }
    assert.ok(applyIntention(design, { kind: 'rename', nodeId: 'conv1', newId: 'block1.conv-a' }).ok);
  });

  it('gives pasted nodes whose ids break the id rule valid, unique ids', () => {
    const design = load('mnist-cnn');
    const fragment = {
      nodes: [
        { id: 'a\nimport os', type: 'Activation', params: {} },
        { id: 'a import os', type: 'Activation', params: {} },
      ],
      edges: [{ source: 'a\nimport os', target: 'a import os' }],
    };
    const result = applyIntention(design, { kind: 'paste', fragment, position: { x: 0, y: 0 } });
    assert.ok(result.ok);
    assert.deepEqual(result.createdIds, ['a_import_os', 'a_import_os_2']);
    assert.ok(result.design.edges.some((e) => e.source === 'a_import_os' && e.target === 'a_import_os_2'));
  });

  it('pastes a copied fragment with fresh ids, its inner connections, and positions shifted to the drop point', () => {
    const design = load('mnist-cnn');
    const text = copyToClipboardText(design, ['conv1', 'pool1', 'relu1']);
    const parsed = parseClipboardText(text);
    assert.ok('fragment' in parsed);
    assert.equal(parsed.fragment.edges.length, 2, 'only the edges among the copied nodes');
    const result = applyIntention(design, { kind: 'paste', fragment: parsed.fragment, position: { x: 500, y: 40 } });
    const next = applied(result);
    assert.deepEqual(result.ok && result.createdIds, ['conv1_copy', 'pool1_copy', 'relu1_copy']);
    assert.deepEqual(next.nodes.find((n) => n.id === 'conv1_copy')!.position, { x: 500, y: 40 });
    assert.ok(next.edges.some((e) => e.source === 'conv1_copy' && e.target === 'pool1_copy'));
    const twice = applied(applyIntention(next, { kind: 'paste', fragment: parsed.fragment, position: { x: 0, y: 0 } }));
    assert.ok(twice.nodes.some((n) => n.id === 'conv1_copy2'));
    assert.ok('error' in parseClipboardText('hello'));
    assert.ok('error' in parseClipboardText(JSON.stringify({ format: 'cnn-designer/fragment', nodes: [{ id: 1 }], edges: [] })));
  });

  it('applies every suggested fix of a broken design, and each removes its diagnostic', () => {
    const design = load('mnist-cnn');
    const broken = applied(applyIntention(design, { kind: 'setParams', nodeId: 'conv2', params: { dilationRate: 2, strides: 2 } }));
    const diagnostic = analyzeDesign(broken).diagnostics.find((d) => d.code === 'dilation-with-stride')!;
    assert.ok(diagnostic, 'the broken design is flagged');
    for (const fix of diagnostic.fixes) {
      const fixed = applied(applyIntention(broken, { kind: 'applyFix', edit: fix.edit! }));
      assert.ok(!analyzeDesign(fixed).diagnostics.some((d) => d.code === 'dilation-with-stride'), fix.title);
    }
  });

  it('inserts a Flatten before a Dense that gets an image, keeping the wiring', () => {
    const design = load('mnist-cnn');
    const flatten = design.nodes.find((n) => n.type === 'Flatten')!;
    const into = design.edges.find((e) => e.source === flatten.id)!.target;
    const before = design.edges.find((e) => e.target === flatten.id)!.source;
    const bypassed = applied(applyIntention(design, { kind: 'delete', nodeIds: [flatten.id], edges: [] }));
    const rewired = applied(applyIntention(bypassed, { kind: 'connect', source: before, target: into }));
    const diagnostic = analyzeDesign(rewired).diagnostics.find((d) => d.fixes.some((f) => f.edit?.kind === 'insertLayer'))!;
    assert.ok(diagnostic, 'Dense on an image suggests a Flatten');
    const fixed = applied(applyIntention(rewired, { kind: 'applyFix', edit: diagnostic.fixes.find((f) => f.edit?.kind === 'insertLayer')!.edit! }));
    const analysis = analyzeDesign(fixed);
    assert.ok(analysis.valid, analysis.diagnostics.map((d) => d.message).join('\n'));
    assert.equal(analysis.totals.params, analyzeDesign(design).totals.params);
  });

  it('gives every node of a template a layered position, inputs on top and each layer below its inputs', () => {
    const design = load('resnet18');
    const positions = layeredPositions(design);
    assert.equal(Object.keys(positions).length, design.nodes.length);
    for (const e of design.edges) assert.ok(positions[e.target].y > positions[e.source].y, `${e.source} above ${e.target}`);
    const spots = new Set(Object.values(positions).map((p) => `${p.x},${p.y}`));
    assert.equal(spots.size, design.nodes.length, 'no two blocks on the same spot');
  });

  it('never mutates its input and always yields a design that serializes losslessly (random designs and intentions)', () => {
    const intentionFor = (design: Design, pick: number[], kind: number): EditIntention => {
      const node = (i: number): string => design.nodes[pick[i] % design.nodes.length].id;
      switch (kind % 7) {
        case 0:
          return { kind: 'addLayer', layerType: LAYER_CATALOG[pick[0] % LAYER_CATALOG.length].type, position: { x: pick[1], y: pick[2] }, connectFrom: node(3) };
        case 1:
          return { kind: 'connect', source: node(0), target: node(1) };
        case 2:
          return { kind: 'delete', nodeIds: [node(0)], edges: [] };
        case 3:
          return { kind: 'move', positions: { [node(0)]: { x: pick[1] / 3, y: pick[2] / 7 } } };
        case 4:
          return { kind: 'rename', nodeId: node(0), newId: `renamed_${pick[1]}` };
        case 5:
          return { kind: 'paste', fragment: parseClipboardTextOk(copyToClipboardText(design, [node(0), node(1)])), position: { x: pick[2], y: 0 } };
        default:
          return { kind: 'disconnect', source: node(0), target: node(1) };
      }
    };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 4, maxLength: 4 }), fc.nat(), (seed, pick, kind) => {
        const design = randomValidDesign(seed, { maxLayers: 6, branches: true });
        const before = serializeDesign(design);
        const result = applyIntention(design, intentionFor(design, pick, kind));
        assert.equal(serializeDesign(design), before, 'input untouched');
        if (!result.ok) return;
        const text = serializeDesign(result.design);
        const reparsed = parseDesign(text);
        assert.ok(reparsed.lossless);
        assert.equal(serializeDesign(reparsed.design!), text);
        assert.equal(result.changed, text !== before);
      }),
      { numRuns: 300 },
    );
  });
});

function parseClipboardTextOk(text: string) {
  const parsed = parseClipboardText(text);
  if (!('fragment' in parsed)) throw new Error(parsed.error);
  return parsed.fragment;
}
