import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { applyEdits, format, parseTree, type Node as JsonNode } from 'jsonc-parser';
import type { Design } from '../../src/core/design';
import { applyIntention } from '../../src/core/edit/applyIntention';
import type { EditIntention } from '../../src/core/edit/editIntention';
import { parseDesign } from '../../src/core/format/parseDesign';
import { designToJson, formatJson, serializeDesign } from '../../src/core/format/serializeDesign';
import { LAYER_CATALOG } from '../../src/core/layers/layerCatalog';
import { planDocumentEdit } from '../../src/extension/planDocumentEdit';
import { randomValidDesign } from '../support/randomDesign';

/** Lines only in the old text (removed or changed) and only in the new one (added or changed), by a longest-common-subsequence line diff. */
function changedLines(before: string, after: string): { removed: number; added: number } {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  return { removed: a.length - lcs[0][0], added: b.length - lcs[0][0] };
}

/** Every object's keys in reverse order: a file whose author ordered keys their own way. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]));
}

const vsCodeFormat = (text: string, tabSize: number, insertSpaces = true): string => applyEdits(text, format(text, undefined, { tabSize, insertSpaces, eol: '\n' }));

/** The same design laid out as people and tools write it; `expanded` files spread every non-empty object over lines. */
const LAYOUTS: { name: string; family: 'inline' | 'expanded' | 'odd order' | 'spaced'; write: (design: Design) => string }[] = [
  { name: 'the designer’s own layout (2 spaces)', family: 'inline', write: serializeDesign },
  { name: 'VS Code Format Document, 4 spaces', family: 'expanded', write: (d) => vsCodeFormat(serializeDesign(d), 4) },
  { name: 'JSON.stringify with 2 spaces', family: 'expanded', write: (d) => `${JSON.stringify(designToJson(d), null, 2)}\n` },
  { name: 'tabs', family: 'expanded', write: (d) => vsCodeFormat(serializeDesign(d), 4, false) },
  { name: 'Windows line ends', family: 'inline', write: (d) => serializeDesign(d).replace(/\n/g, '\r\n') },
  { name: 'odd key order', family: 'odd order', write: (d) => `${formatJson(reversedKeys(designToJson(d)))}\n` },
  { name: 'extra whitespace', family: 'spaced', write: (d) => serializeDesign(d).replace(/": /g, '" :   ').replace(/,\n/g, ' ,  \n\n') },
];

/** MNIST's CNN with every layer placed except `flatten`, so a move both changes and adds a position. */
function baseDesign(): Design {
  const design = parseDesign(readFileSync('examples/mnist-cnn.cnn.json', 'utf8')).design!;
  design.nodes.forEach((n, i) => {
    if (n.id !== 'flatten') n.position = { x: 100, y: 80 * i };
  });
  return design;
}

/**
 * Lines each intention changes, per family, as a line diff (git's) counts them: [only in the old
 * text, only in the new one]. JSON needs a comma between entries, so an entry added after the last
 * one changes the line before it; the diff then pairs that old line with the new entry's closing
 * brace, so it counts as added lines only. The extra-whitespace file has a blank line after every
 * comma, which goes with a removed entry.
 */
const CASES: { name: string; intention: EditIntention; lines: Record<(typeof LAYOUTS)[number]['family'], [number, number]> }[] = [
  {
    // The value's line (in the designer's layout, the one-line params object).
    name: 'a parameter value',
    intention: { kind: 'setParams', nodeId: 'conv1', params: { filters: 12 } },
    lines: { inline: [1, 1], expanded: [1, 1], 'odd order': [1, 1], spaced: [1, 1] },
  },
  {
    // Expanded: the previous parameter gains a comma, and the new one gets its line.
    name: 'a new parameter',
    intention: { kind: 'setParams', nodeId: 'conv1', params: { strides: 2 } },
    lines: { inline: [1, 1], expanded: [1, 2], 'odd order': [1, 1], spaced: [1, 1] },
  },
  {
    // Expanded: "activation" goes and "units" loses its comma.
    name: 'a parameter back to its default',
    intention: { kind: 'setParams', nodeId: 'fc1', params: { activation: null } },
    lines: { inline: [1, 1], expanded: [2, 1], 'odd order': [1, 1], spaced: [1, 1] },
  },
  {
    // Expanded: the x and y lines.
    name: 'a move',
    intention: { kind: 'move', positions: { conv1: { x: 140, y: 95 } } },
    lines: { inline: [1, 1], expanded: [2, 2], 'odd order': [1, 1], spaced: [1, 1] },
  },
  {
    // "params", the last key, gains a comma and the position comes after it (1 line, or 4 expanded);
    // in the odd order "params" is followed by "type" and has its comma already.
    name: 'the first move of a layer without a position',
    intention: { kind: 'move', positions: { flatten: { x: 100, y: 640 } } },
    lines: { inline: [1, 2], expanded: [1, 5], 'odd order': [0, 1], spaced: [1, 2] },
  },
  {
    // The new node (6 lines, or 11 expanded) and its edge (1, or 4); the last edge line gains a comma.
    name: 'a new layer connected from another',
    intention: { kind: 'addLayer', layerType: 'Dense', position: { x: 100, y: 1000 }, connectFrom: 'fc2' },
    lines: { inline: [1, 8], expanded: [0, 15], 'odd order': [1, 8], spaced: [1, 8] },
  },
  {
    // The node's entry (6 lines, 11 expanded, 10 with blank lines) and its two edges (1 line each, 4 expanded, 2 with blank lines).
    name: 'a deleted layer',
    intention: { kind: 'delete', nodeIds: ['drop1'], edges: [] },
    lines: { inline: [8, 0], expanded: [19, 0], 'odd order': [8, 0], spaced: [14, 0] },
  },
  {
    // flatten → fc1 goes (Dense takes one input) and relu1 → fc1 is added after the last edge, which gains a comma.
    name: 'a connection that replaces a single input',
    intention: { kind: 'connect', source: 'relu1', target: 'fc1' },
    lines: { inline: [2, 2], expanded: [4, 4], 'odd order': [2, 2], spaced: [3, 2] },
  },
  {
    name: 'a removed connection',
    intention: { kind: 'disconnect', source: 'conv2', target: 'drop1' },
    lines: { inline: [1, 0], expanded: [4, 0], 'odd order': [1, 0], spaced: [2, 0] },
  },
  {
    // The id and both edges that name the layer; the name gets a line after "type" (which has its comma
    // already, except with extra whitespace, where the comma is on its own after spaces).
    name: 'a renamed layer',
    intention: { kind: 'rename', nodeId: 'conv1', newId: 'c1', name: 'First' },
    lines: { inline: [3, 4], expanded: [3, 4], 'odd order': [3, 4], spaced: [4, 5] },
  },
  {
    // Two nodes (6 lines each, 11 expanded) and their edge (1, or 4) added at the ends of the lists.
    name: 'a paste',
    intention: {
      kind: 'paste',
      position: { x: 400, y: 0 },
      fragment: {
        nodes: [
          { id: 'a', type: 'Dense', params: { units: 8 } },
          { id: 'b', type: 'Dropout', params: { rate: 0.2 } },
        ],
        edges: [{ source: 'a', target: 'b' }],
      },
    },
    lines: { inline: [1, 14], expanded: [0, 26], 'odd order': [1, 14], spaced: [1, 14] },
  },
  {
    // A layer put on a connection: the connection now ends at the new layer and a new edge follows
    // it to the old target (the expanded diff finds the old target line in that new edge); the layer
    // is added like a new one.
    name: 'a fix that inserts a layer',
    intention: { kind: 'applyFix', edit: { kind: 'insertLayer', source: 'flatten', target: 'fc1', layer: { type: 'Dropout', params: { rate: 0.25 } } } },
    lines: { inline: [1, 8], expanded: [0, 15], 'odd order': [1, 8], spaced: [1, 8] },
  },
];

describe('editDesignText (an edit changes only the text of what changed)', () => {
  for (const layout of LAYOUTS) {
    describe(layout.name, () => {
      for (const c of CASES) {
        it(`${c.name}: changes ${c.lines[layout.family].join(' / ')} lines and reads back as the edited design`, () => {
          const design = baseDesign();
          const text = layout.write(design);
          const expected = applyIntention(design, c.intention);
          assert.ok(expected.ok && expected.changed);
          const plan = planDocumentEdit(text, c.intention);
          assert.equal(plan.kind, 'replace');
          if (plan.kind !== 'replace') return;
          const reread = parseDesign(plan.newText);
          assert.ok(reread.lossless);
          assert.equal(serializeDesign(reread.design!), serializeDesign(expected.design), 'the text holds the edited design');
          const { removed, added } = changedLines(text, plan.newText);
          assert.deepEqual([removed, added], c.lines[layout.family], 'lines only in the old text / only in the new one');
          if (layout.family === 'inline' || layout.family === 'expanded') assert.equal(plan.newText, layout.write(expected.design), 'added text is laid out like the rest of the file');
        });
      }
    });
  }

  it('adds no key the file leaves out unless the edit sets it, keeps a byte-order mark, and adds "edges" with the first edge', () => {
    const minimal = '\ufeff{\n  "format": "cnn-designer",\n  "version": 1,\n  "nodes": [\n    { "id": "a", "type": "Input", "params": { "shape": [4] } },\n    { "id": "b", "type": "Dense" }\n  ]\n}\n';
    const planned = (text: string, intention: EditIntention): string => {
      const plan = planDocumentEdit(text, intention);
      assert.equal(plan.kind, 'replace');
      return plan.kind === 'replace' ? plan.newText : '';
    };
    assert.equal(planned(minimal, { kind: 'setParams', nodeId: 'b', params: { units: 3 } }), minimal.replace('"type": "Dense" }', '"type": "Dense", "params": { "units": 3 } }'));
    assert.equal(planned(minimal, { kind: 'connect', source: 'a', target: 'b' }), minimal.replace('\n  ]\n}', '\n  ],\n  "edges": [\n    { "source": "a", "target": "b" }\n  ]\n}'));
    const compact = JSON.stringify({ format: 'cnn-designer', version: 1, nodes: [{ id: 'b', type: 'Dense', params: { units: 3 } }] });
    assert.equal(planned(compact, { kind: 'setParams', nodeId: 'b', params: { units: 4 } }), compact.replace('"units":3', '"units":4'));
  });

  it('keeps the key order the user wrote in objects it edits', () => {
    const design = baseDesign();
    const text = LAYOUTS.find((l) => l.family === 'odd order')!.write(design);
    const plan = planDocumentEdit(text, { kind: 'setParams', nodeId: 'fc1', params: { units: 64 } });
    assert.equal(plan.kind, 'replace');
    const keysOf = (node: JsonNode | undefined): string[] => (node?.children ?? []).map((p) => p.children![0].value as string);
    const fc1 = (t: string): JsonNode => parseTree(t)!.children!.find((p) => p.children![0].value === 'nodes')!.children![1].children!.find((n) => n.children!.some((p) => p.children![1].value === 'fc1'))!;
    const params = (node: JsonNode): JsonNode => node.children!.find((p) => p.children![0].value === 'params')!.children![1];
    const after = plan.kind === 'replace' ? plan.newText : '';
    assert.deepEqual(keysOf(fc1(after)), ['position', 'params', 'type', 'id']);
    assert.deepEqual(keysOf(params(fc1(after))), ['activation', 'units']);
  });

  it('changes 2 of the 154 lines of the MNIST template after VS Code’s Format Document when one parameter is added', () => {
    const text = vsCodeFormat(readFileSync('examples/mnist-cnn.cnn.json', 'utf8'), 4);
    assert.equal(text.split('\n').length, 154);
    const plan = planDocumentEdit(text, { kind: 'setParams', nodeId: 'conv1', params: { strides: 2 } });
    assert.equal(plan.kind, 'replace');
    assert.deepEqual(changedLines(text, plan.kind === 'replace' ? plan.newText : ''), { removed: 1, added: 2 });
  });

  it('fills an empty "edges": [] as the file\'s layout writes a filled one (found by the random edits below)', () => {
    const design = parseDesign(readFileSync('examples/mnist-cnn.cnn.json', 'utf8')).design!;
    design.edges = [];
    for (const layout of LAYOUTS.filter((l) => l.family === 'inline' || l.family === 'expanded')) {
      const text = layout.write(design);
      assert.match(text, /"edges": \[\]/, layout.name);
      const intention: EditIntention = { kind: 'connect', source: 'input', target: 'conv1' };
      const expected = applyIntention(design, intention);
      assert.ok(expected.ok && expected.changed);
      const plan = planDocumentEdit(text, intention);
      assert.equal(plan.kind, 'replace');
      if (plan.kind === 'replace') assert.equal(plan.newText, layout.write(expected.design), layout.name);
    }
  });

  it('edits random designs through random intentions in every layout, keeping the designer’s and the expanded layouts exactly', () => {
    const intentionFor = (design: Design, pick: number[], kind: number): EditIntention => {
      const node = (i: number): string => design.nodes[pick[i] % design.nodes.length].id;
      switch (kind % 8) {
        case 0:
          return { kind: 'addLayer', layerType: LAYER_CATALOG[pick[0] % LAYER_CATALOG.length].type, position: { x: pick[1], y: pick[2] }, connectFrom: node(3) };
        case 1:
          return { kind: 'connect', source: node(0), target: node(1) };
        case 2:
          return { kind: 'delete', nodeIds: [node(0), node(2)], edges: [] };
        case 3:
          return { kind: 'move', positions: { [node(0)]: { x: pick[1], y: pick[2] }, [node(1)]: { x: pick[2], y: pick[3] } } };
        case 4:
          return { kind: 'rename', nodeId: node(0), newId: `renamed_${pick[1]}`, name: pick[2] % 2 ? `Layer ${pick[2]}` : '' };
        case 5:
          return { kind: 'setParams', nodeId: node(0), params: { units: pick[1] + 1, rate: null } };
        case 6:
          return { kind: 'paste', fragment: { nodes: design.nodes.filter((n) => n.id === node(0) || n.id === node(1)), edges: design.edges.filter((e) => e.source === node(0) && e.target === node(1)) }, position: { x: pick[2], y: 0 } };
        default:
          return { kind: 'disconnect', source: node(0), target: design.edges.find((e) => e.source === node(0))?.target ?? node(1) };
      }
    };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(fc.tuple(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 4, maxLength: 4 }), fc.nat()), { minLength: 1, maxLength: 4 }), (seed, steps) => {
        for (const layout of LAYOUTS) {
          let design = randomValidDesign(seed, { maxLayers: 6, branches: true });
          let text = layout.write(design);
          for (const [pick, kind] of steps) {
            if (design.nodes.length === 0) break;
            const intention = intentionFor(design, pick, kind);
            const expected = applyIntention(design, intention);
            const plan = planDocumentEdit(text, intention);
            if (!expected.ok || !expected.changed) {
              assert.equal(plan.kind, expected.ok ? 'unchanged' : 'refused');
              continue;
            }
            assert.equal(plan.kind, 'replace', `${layout.name}: ${JSON.stringify(intention)}`);
            if (plan.kind !== 'replace') return;
            assert.equal(serializeDesign(parseDesign(plan.newText).design!), serializeDesign(expected.design), `${layout.name}: ${JSON.stringify(intention)}`);
            if (layout.family === 'inline' || layout.family === 'expanded') assert.equal(plan.newText, layout.write(expected.design), `${layout.name}: ${JSON.stringify(intention)}`);
            [design, text] = [expected.design, plan.newText];
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('edits several layers at once, first and last entries included, in every layout', () => {
    const intentions: EditIntention[] = [
      { kind: 'setParams', nodeId: 'conv2', params: { filters: 7, padding: 'same' } },
      { kind: 'delete', nodeIds: ['input', 'fc2'], edges: [] },
      { kind: 'delete', nodeIds: ['conv1', 'pool1', 'relu1'], edges: [] },
      { kind: 'move', positions: { input: { x: 1, y: 2 }, flatten: { x: 3, y: 4 }, fc2: { x: 5, y: 6 } } },
      { kind: 'rename', nodeId: 'input', newId: 'image' },
    ];
    for (const layout of LAYOUTS)
      for (const intention of intentions) {
        const design = baseDesign();
        const plan = planDocumentEdit(layout.write(design), intention);
        assert.equal(plan.kind, 'replace', `${layout.name}: ${intention.kind}`);
        if (plan.kind !== 'replace') continue;
        const expected = applyIntention(design, intention);
        assert.equal(serializeDesign(parseDesign(plan.newText).design!), serializeDesign(expected.ok ? expected.design : design), `${layout.name}: ${intention.kind}`);
      }
  });
});
