import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDesign } from '../../src/core/format/parseDesign';
import { minimalReplacement } from '../../src/extension/minimalReplacement';
import { planDocumentEdit } from '../../src/extension/planDocumentEdit';

const mnist = readFileSync('examples/mnist-cnn.cnn.json', 'utf8');
const applyReplacement = (text: string, r: { start: number; end: number; text: string }): string => text.slice(0, r.start) + r.text + text.slice(r.end);
const applyChanges = (text: string, changes: { start: number; end: number; text: string }[]): string =>
  [...changes].sort((a, b) => b.start - a.start).reduce((t, c) => applyReplacement(t, c), text);

describe('planDocumentEdit (intention → document text)', () => {
  it('turns a parameter change into canonical text that changes one line', () => {
    const plan = planDocumentEdit(mnist, { kind: 'setParams', nodeId: 'conv1', params: { strides: 2 } });
    assert.equal(plan.kind, 'replace');
    if (plan.kind !== 'replace') return;
    assert.equal(parseDesign(plan.newText).design!.nodes.find((n) => n.id === 'conv1')!.params.strides, 2);
    assert.equal(applyChanges(mnist, plan.changes), plan.newText);
    assert.deepEqual(plan.changes, [{ start: mnist.indexOf(' }', mnist.indexOf('"kernelSize": 5')), end: mnist.indexOf(' }', mnist.indexOf('"kernelSize": 5')), text: ', "strides": 2' }]);
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

  it('keeps a hand-written compact file compact: an edit changes its one line, in its own key order', () => {
    const reordered = JSON.parse(mnist) as Record<string, unknown>;
    const compact = JSON.stringify({ training: reordered.training, ...reordered });
    const plan = planDocumentEdit(compact, { kind: 'rename', nodeId: 'conv1', name: 'First' });
    assert.equal(plan.kind, 'replace');
    if (plan.kind !== 'replace') return;
    assert.equal(plan.newText.split('\n').length, 1);
    assert.ok(plan.newText.startsWith('{"training":{'), 'the file\'s key order is kept');
    assert.ok(plan.newText.includes('"id":"conv1","type":"Conv2D","name":"First","params"'));
    assert.equal(applyChanges(compact, plan.changes), plan.newText);
    assert.equal(plan.changes.length, 1, 'one insertion');
    assert.equal(plan.changes[0].end - plan.changes[0].start, 0);
    assert.equal(plan.changes[0].text.length, ',"name":"First"'.length);
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
