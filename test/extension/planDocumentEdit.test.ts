import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDesign } from '../../src/core/format/parseDesign';
import { serializeDesign } from '../../src/core/format/serializeDesign';
import { minimalReplacement } from '../../src/extension/minimalReplacement';
import { planDocumentEdit } from '../../src/extension/planDocumentEdit';

const mnist = readFileSync('examples/mnist-cnn.cnn.json', 'utf8');
const applyReplacement = (text: string, r: { start: number; end: number; text: string }): string => text.slice(0, r.start) + r.text + text.slice(r.end);

describe('planDocumentEdit (intention → document text)', () => {
  it('turns a parameter change into canonical text that changes one line', () => {
    const plan = planDocumentEdit(mnist, { kind: 'setParams', nodeId: 'conv1', params: { strides: 2 } });
    assert.equal(plan.kind, 'replace');
    if (plan.kind !== 'replace') return;
    assert.equal(parseDesign(plan.newText).design!.nodes.find((n) => n.id === 'conv1')!.params.strides, 2);
    const change = minimalReplacement(mnist, plan.newText);
    assert.equal(applyReplacement(mnist, change), plan.newText);
    const beforeLines = mnist.split('\n');
    const afterLines = plan.newText.split('\n');
    assert.equal(beforeLines.length, afterLines.length);
    assert.deepEqual(
      afterLines.flatMap((line, i) => (line === beforeLines[i] ? [] : [line.trim()])),
      ['"params": { "filters": 10, "kernelSize": 5, "strides": 2 }'],
    );
  });

  it('writes nothing for an intention that changes nothing', () => {
    assert.deepEqual(planDocumentEdit(mnist, { kind: 'connect', source: 'input', target: 'conv1' }), { kind: 'unchanged' });
    assert.deepEqual(planDocumentEdit(mnist, { kind: 'setParams', nodeId: 'conv1', params: { filters: 10 } }), { kind: 'unchanged' });
  });

  it('refuses to write a document that does not parse, naming line and column', () => {
    const broken = mnist.replace('"conv1",', '"conv1"');
    const plan = planDocumentEdit(broken, { kind: 'move', positions: { conv1: { x: 1, y: 2 } } });
    assert.equal(plan.kind, 'refused');
    assert.match(plan.kind === 'refused' ? plan.reason : '', /line \d+, column \d+/);
  });

  it('refuses to write a document the design model cannot hold without loss', () => {
    const lossy = mnist.replace('"params": { "filters": 10, "kernelSize": 5 }', '"params": 7');
    assert.notEqual(lossy, mnist);
    assert.equal(parseDesign(lossy).lossless, false);
    const plan = planDocumentEdit(lossy, { kind: 'setParams', nodeId: 'conv2', params: { strides: 2 } });
    assert.equal(plan.kind, 'refused');
    assert.match(plan.kind === 'refused' ? plan.reason : '', /lose part of this file \(line \d+/);
  });

  it('passes on the reason of an intention that does not fit the design', () => {
    const plan = planDocumentEdit(mnist, { kind: 'connect', source: 'fc2', target: 'conv1' });
    assert.equal(plan.kind, 'refused');
    assert.match(plan.kind === 'refused' ? plan.reason : '', /loop/);
  });

  it('keeps keys it does not know (extra fields) through an edit', () => {
    const withExtra = mnist.replace('"id": "conv1",', '"id": "conv1", "comment": "first layer",');
    const plan = planDocumentEdit(withExtra, { kind: 'setParams', nodeId: 'conv1', params: { strides: 2 } });
    assert.equal(plan.kind, 'replace');
    assert.match(plan.kind === 'replace' ? plan.newText : '', /"comment": "first layer"/);
  });

  it('reformats a hand-written file into canonical form on its first edit, losing no content', () => {
    const compact = JSON.stringify(JSON.parse(mnist));
    const plan = planDocumentEdit(compact, { kind: 'rename', nodeId: 'conv1', name: 'First' });
    assert.equal(plan.kind, 'replace');
    if (plan.kind !== 'replace') return;
    const expected = parseDesign(mnist).design!;
    expected.nodes.find((n) => n.id === 'conv1')!.name = 'First';
    assert.equal(plan.newText, serializeDesign(expected));
  });
});

describe('minimalReplacement', () => {
  it('replaces only the changed middle, and reproduces the target for any pair of texts', () => {
    assert.deepEqual(minimalReplacement('abcXdef', 'abcYYdef'), { start: 3, end: 4, text: 'YY' });
    assert.deepEqual(minimalReplacement('same', 'same'), { start: 4, end: 4, text: '' });
    const samples = ['', 'a', 'ab', 'aab', '😀x', 'x😀', '😁x', 'abc😀def', 'abc😁def'];
    for (const a of samples) for (const b of samples) assert.equal(applyReplacement(a, minimalReplacement(a, b)), b, `${a} → ${b}`);
  });

  it('never splits a surrogate pair', () => {
    const r = minimalReplacement('x😀', 'x😁');
    assert.equal(r.text, '😁');
    assert.equal(r.start, 1);
  });
});
