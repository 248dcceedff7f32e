import { strict as assert } from 'node:assert';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import { emptyDesign, type Design } from '../../src/core/design';
import { serializeDesign } from '../../src/core/format/serializeDesign';
import { applyIntention } from '../../src/core/edit/applyIntention';
import { validateIntention } from '../../src/extension/validateWebviewMessage';
import { analyzeChain, chainDesign } from '../support/designBuilder';

const codes = (design: Design): string[] => analyzeDesign(design).diagnostics.map((d) => d.code);

function residual(branchFilters: number, branchStride = 1): Design {
  const d = emptyDesign('residual');
  d.nodes = [
    { id: 'input', type: 'Input', params: { shape: [32, 32, 16] } },
    { id: 'conv', type: 'Conv2D', params: { filters: branchFilters, kernelSize: 3, padding: 'same', strides: branchStride } },
    { id: 'add', type: 'Add', params: {} },
  ];
  d.edges = [
    { source: 'input', target: 'conv' },
    { source: 'conv', target: 'add' },
    { source: 'input', target: 'add' },
  ];
  return d;
}

describe('diagnostics', () => {
  it('a kernel larger than its (padded) input is an error with fixes, and no shape is guessed', () => {
    const a = analyzeChain([4, 4, 1], [['Conv2D', { filters: 2, kernelSize: 5 }], ['Flatten']]);
    const d = a.diagnostics.find((x) => x.code === 'window-larger-than-input')!;
    assert.equal(d.severity, 'error');
    assert.match(d.message, /5×5 window .* larger than its 4×4 input/);
    assert.ok(d.fixes.some((f) => f.edit?.kind === 'setParams' && f.edit.params.padding === 'same'));
    assert.equal(a.nodes.l1.outputShape, undefined);
    assert.equal(a.nodes.l2.outputShape, undefined, 'downstream layers get no shape either');
    assert.equal(a.diagnostics.filter((x) => x.severity === 'error').length, 1, 'only the cause is reported');
    assert.equal(a.valid, false);
  });

  it('padding counts: a 5×5 kernel fits a 4×4 input padded by 1', () => {
    assert.deepEqual(analyzeChain([4, 4, 1], [['Conv2D', { filters: 2, kernelSize: 5, padding: 1 }]]).last.outputShape, [2, 2, 2]);
  });

  it('a stride that tiles exactly is not flagged; a dropped row of padding is not flagged', () => {
    assert.equal(analyzeChain([8, 8, 1], [['Conv2D', { filters: 1, kernelSize: 2, strides: 2 }]]).diagnostics.length, 0);
    assert.equal(analyzeChain([56, 56, 8], [['Conv2D', { filters: 1, kernelSize: 3, strides: 2, padding: 1 }]]).diagnostics.length, 0);
  });

  it('Add with mismatched shapes names both shapes and offers fixes found upstream and on the shortcut', () => {
    const diags = analyzeDesign(residual(8)).diagnostics;
    const d = diags.find((x) => x.code === 'merge-shape-mismatch')!;
    assert.equal(d.nodeId, 'add');
    assert.match(d.message, /\[32, 32, 8\]/);
    assert.match(d.message, /\[32, 32, 16\]/);
    assert.match(d.message, /their channels differ/);
    assert.deepEqual(
      d.fixes.map((f) => f.title),
      ['Use 16 filters in conv (add gives 32×32×16)', 'Insert a 1×1 Conv2D with 16 filters on conv → add (as ResNet\'s shortcut does) (add gives 32×32×16)', 'Insert a 1×1 Conv2D with 8 filters on input → add (as ResNet\'s shortcut does) (add gives 32×32×8)'],
    );
    const spatial = analyzeDesign(residual(16, 2)).diagnostics.find((x) => x.code === 'merge-shape-mismatch')!;
    assert.match(spatial.message, /\[16, 16, 16\]/);
    assert.deepEqual(
      spatial.fixes.map((f) => f.title),
      ['Use stride 1 in conv (add gives 32×32×16)', 'Insert a 1×1 Conv2D with 16 filters and stride 2 on input → add (as ResNet\'s shortcut does) (add gives 16×16×16)'],
    );
    assert.deepEqual(codes(residual(16)), []);
  });

  it('Add of 32×32×16 and 30×30×32 (a valid 3×3 convolution) offers padding "same" upstream, never a 1×1 stride-1 downsample', () => {
    const design = residual(32);
    delete design.nodes[1].params.padding;
    const d = analyzeDesign(design).diagnostics.find((x) => x.code === 'merge-shape-mismatch')!;
    assert.match(d.message, /\[30, 30, 32\] and \[32, 32, 16\] \(their height, width and channels differ\)/);
    assert.deepEqual(
      d.fixes.map((f) => f.title),
      ['Use padding "same" in conv and insert a 1×1 Conv2D with 32 filters on input → add (add gives 32×32×32)', 'Use padding "same" and 16 filters in conv (add gives 32×32×16)'],
    );
    assert.ok(!d.fixes.some((f) => /stride 1/.test(f.title) && /1×1/.test(f.title)));
    // The first is one fix of two edits: it passes the host's check of webview messages and applies as one.
    const intention = validateIntention(JSON.parse(JSON.stringify({ kind: 'applyFix', edit: d.fixes[0].edit })));
    const fixed = applyIntention(design, intention);
    assert.ok(fixed.ok && fixed.changed);
    assert.ok(analyzeDesign(fixed.design).valid);
    assert.throws(() => validateIntention({ kind: 'applyFix', edit: { kind: 'combined', edits: [d.fixes[0].edit] } }), /combined|kind/);
  });

  it('alpha on an activation other than leaky ReLU or ELU is a located error whose fix removes it', () => {
    const design = chainDesign([4], [['Activation', { fn: 'relu', alpha: 0.2 }]]);
    const text = serializeDesign(design);
    const d = analyzeDocument(text).diagnostics.find((x) => x.code === 'alpha-without-slope')!;
    assert.equal(d.severity, 'error');
    assert.match(d.message, /relu has none/);
    assert.deepEqual(d.path, ['nodes', 1, 'params', 'alpha']);
    assert.equal(text.split('\n')[d.line! - 1].slice(d.column! - 1, d.column! + 2), '0.2', 'it points at the value of alpha');
    const fixed = applyIntention(design, validateIntention(JSON.parse(JSON.stringify({ kind: 'applyFix', edit: d.fixes[0].edit }))));
    assert.ok(fixed.ok && fixed.changed);
    assert.deepEqual(fixed.design.nodes[1].params, { fn: 'relu' });
    assert.ok(analyzeDesign(fixed.design).valid);
    for (const fn of ['leakyRelu', 'elu']) assert.ok(analyzeDesign(chainDesign([4], [['Activation', { fn, alpha: 0.2 }]])).valid, fn);
  });

  it('a mistyped connection end gets "did you mean" and a reconnect fix, and the good layers around it are not offered for deletion', () => {
    const d = emptyDesign('typo');
    d.nodes = [
      { id: 'input', type: 'Input', params: { shape: [28, 28, 1] } },
      { id: 'conv1', type: 'Conv2D', params: { filters: 8, kernelSize: 3 } },
      { id: 'conv2', type: 'Conv2D', params: { filters: 8, kernelSize: 3 } },
      { id: 'pool', type: 'MaxPool2D', params: { poolSize: 2 } },
    ];
    d.edges = [
      { source: 'input', target: 'conv1' },
      { source: 'conv_1', target: 'conv2' },
      { source: 'conv2', target: 'pool' },
    ];
    const diagnostics = analyzeDesign(d).diagnostics;
    const reconnect = { kind: 'reconnectEdge', source: 'conv_1', target: 'conv2', newSource: 'conv1', newTarget: 'conv2' };
    const edge = diagnostics.find((x) => x.code === 'dangling-edge')!;
    assert.match(edge.message, /Did you mean "conv1"\?/);
    assert.deepEqual(edge.fixes[0], { title: 'Connect conv1 → conv2 instead ("conv1" for "conv_1")', edit: reconnect });
    for (const code of ['dangling-node', 'dangling-output']) {
      const x = diagnostics.find((y) => y.code === code)!;
      assert.deepEqual(x.fixes.map((f) => f.edit), [reconnect], code);
    }
    assert.ok(!diagnostics.some((x) => x.fixes.some((f) => f.edit?.kind === 'removeNode')), 'no layer is offered for deletion');
    // A guess that would close a loop is not offered.
    d.edges = [
      { source: 'input', target: 'conv1' },
      { source: 'conv1', target: 'conv2' },
      { source: 'conv_2', target: 'conv1' },
    ];
    const loop = analyzeDesign(d).diagnostics.find((x) => x.code === 'dangling-edge')!;
    assert.deepEqual(loop.fixes.map((f) => f.edit?.kind), ['removeEdge']);
  });

  it('Concat checks every axis but channels and adds channels', () => {
    const d = residual(8);
    d.nodes[2].type = 'Concat';
    const a = analyzeDesign(d);
    assert.deepEqual(a.nodes.add.outputShape, [32, 32, 24]);
    d.nodes[1].params.strides = 2;
    const bad = analyzeDesign(d).diagnostics.find((x) => x.code === 'merge-shape-mismatch')!;
    assert.match(bad.message, /\[16, 16, 8\]/);
  });

  it('Dense on a spatial tensor without Flatten: warns, says what Keras and PyTorch do, offers to insert Flatten', () => {
    const a = analyzeChain([8, 8, 3], [['Dense', { units: 10 }]]);
    const d = a.diagnostics.find((x) => x.code === 'dense-without-flatten')!;
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /Keras/);
    assert.match(d.message, /PyTorch/);
    assert.deepEqual(d.fixes[0].edit, { kind: 'insertLayer', source: 'input', target: 'l1', layer: { type: 'Flatten', params: {} } });
    assert.deepEqual(a.last.outputShape, [8, 8, 10], 'Keras semantics: the last axis');
    assert.equal(a.last.params, 3 * 10 + 10);
  });

  it('cycles are errors naming the loop, with a connection to remove', () => {
    const d = residual(16);
    d.edges.push({ source: 'add', target: 'conv' });
    const diags = analyzeDesign(d).diagnostics.filter((x) => x.code === 'cycle');
    assert.ok(diags.length >= 2);
    assert.match(diags[0].message, /conv → add → conv|add → conv → add/);
    assert.equal(diags[0].fixes[0].edit?.kind, 'removeEdge');
  });

  it('dangling nodes, dangling edges, unused inputs and extra outputs', () => {
    const d = residual(16);
    d.nodes.push({ id: 'lonely', type: 'Dense', params: { units: 3 } });
    d.edges.push({ source: 'ghost', target: 'add' });
    const c = codes(d);
    assert.ok(c.includes('dangling-node'));
    assert.ok(c.includes('dangling-edge'));
    const e = residual(16);
    e.nodes.push({ id: 'side', type: 'Activation', params: {} });
    e.edges.push({ source: 'conv', target: 'side' });
    assert.ok(codes(e).includes('dangling-output'));
  });

  it('a design without Input explains what to add', () => {
    const d = emptyDesign();
    d.nodes.push({ id: 'c', type: 'Conv2D', params: { filters: 1, kernelSize: 3 } });
    const diag = analyzeDesign(d).diagnostics.find((x) => x.code === 'missing-input')!;
    assert.match(diag.message, /\[28, 28, 1\]/);
  });

  it('invalid, out-of-range, missing and unknown params are reported on the parameter', () => {
    const a = analyzeChain([8, 8, 1], [['Conv2D', { filters: 0, kernelSize: 3, strid: 2 }]]);
    const invalid = a.diagnostics.find((x) => x.code === 'invalid-param')!;
    assert.deepEqual(invalid.path, ['nodes', 1, 'params', 'filters']);
    assert.match(invalid.message, /integer from 1/);
    const unknown = a.diagnostics.find((x) => x.code === 'unknown-param')!;
    assert.match(unknown.message, /Did you mean "strides"/);
    assert.ok(analyzeChain([8, 8, 1], [['Conv2D', { kernelSize: 3 }]]).diagnostics.some((x) => x.code === 'missing-param' && /filters/.test(x.message)));
    assert.ok(analyzeChain([8, 8, 1], [['Dropout', { rate: 1.5 }]]).diagnostics.some((x) => x.code === 'invalid-param'));
    assert.ok(analyzeChain([8, 8, 1], [['Conv2D', { filters: 1, kernelSize: 3, padding: 'full' }]]).diagnostics.some((x) => x.code === 'invalid-param'));
  });

  it('unknown layer types suggest the closest one', () => {
    const d = analyzeChain([8, 8, 1], [['conv2d', { filters: 1, kernelSize: 3 }]]).diagnostics.find((x) => x.code === 'unknown-layer-type')!;
    assert.match(d.message, /Did you mean "Conv2D"/);
  });

  it('convolution on a vector and dilation with stride are explained', () => {
    assert.ok(analyzeChain([10], [['Conv2D', { filters: 1, kernelSize: 3 }]]).diagnostics.some((x) => x.code === 'wrong-input-rank'));
    assert.ok(analyzeChain([10, 10, 1], [['Conv2D', { filters: 1, kernelSize: 3, strides: 2, dilationRate: 2 }]]).diagnostics.some((x) => x.code === 'dilation-with-stride'));
  });

  it('max-pool padding over half the window is refused, as PyTorch does', () => {
    assert.ok(analyzeChain([8, 8, 1], [['MaxPool2D', { poolSize: 2, padding: 2 }]]).diagnostics.some((x) => x.code === 'pool-padding-too-large'));
  });

  it('malformed JSON is located by line and column', () => {
    const r = analyzeDocument('{\n  "format": "cnn-designer",\n  "nodes": [\n    { "id": "a", }\n  ]\n}');
    assert.equal(r.analysis, undefined);
    assert.equal(r.diagnostics[0].code, 'malformed-json');
    assert.equal(r.diagnostics[0].line, 4);
    assert.equal(r.diagnostics[0].column, 18);
    assert.match(r.diagnostics[0].message, /line 4, column 18/);
  });

  it('diagnostics of a document carry the line of the parameter they are about', () => {
    const design = analyzeChain([7, 7, 1], [['Conv2D', { filters: 1, kernelSize: 3, strides: 3 }]]);
    assert.ok(design.diagnostics.length === 1);
    const d = emptyDesign();
    d.nodes = [
      { id: 'input', type: 'Input', params: { shape: [7, 7, 1] } },
      { id: 'c', type: 'Conv2D', params: { filters: 1, kernelSize: 3, strides: 3 } },
    ];
    d.edges = [{ source: 'input', target: 'c' }];
    const text = serializeDesign(d);
    const diag = analyzeDocument(text).diagnostics[0];
    const line = text.split('\n')[diag.line! - 1];
    assert.match(line.slice(diag.column! - 1), /^3 \}/, 'points at the value of strides');
  });
});
