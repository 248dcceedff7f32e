// Squeeze-and-excitation blocks (MobileNetV3, EfficientNet, RegNetY): global pooling that keeps its
// axes and Multiply with broadcasting, checked on shapes, costs, receptive fields and located errors.
import { strict as assert } from 'node:assert';
import { analyzeDesign } from '../../../src/core/analysis/analyzeDesign';
import { emptyDesign, type Design, type DesignNode } from '../../../src/core/design';
import { exportDesign } from '../../../src/core/export/exportDesign';
import { importModelJson } from '../../../src/core/import/importModelJson';

/** input [h, w, c] → conv → SE (pool keepDims → reduce → relu → expand → sigmoid) → Multiply(gate, conv). */
function seBlock(h: number, w: number, c: number, options: { keepDims?: boolean; expand?: number } = {}): Design {
  const keepDims = options.keepDims ?? true;
  const d = emptyDesign('se');
  const nodes: DesignNode[] = [
    { id: 'input', type: 'Input', params: { shape: [h, w, c] } },
    { id: 'conv', type: 'Conv2D', params: { filters: c, kernelSize: 3, padding: 'same' } },
    { id: 'pool', type: 'GlobalAvgPool2D', params: keepDims ? { keepDims: true } : {} },
    keepDims ? { id: 'reduce', type: 'Conv2D', params: { filters: 2, kernelSize: 1 } } : { id: 'reduce', type: 'Dense', params: { units: 2 } },
    { id: 'relu', type: 'Activation', params: { fn: 'relu' } },
    keepDims ? { id: 'expand', type: 'Conv2D', params: { filters: options.expand ?? c, kernelSize: 1 } } : { id: 'expand', type: 'Dense', params: { units: options.expand ?? c } },
    { id: 'gate', type: 'Activation', params: { fn: 'sigmoid' } },
    { id: 'scale', type: 'Multiply', params: {} },
  ];
  d.nodes = nodes;
  const chain = ['input', 'conv', 'pool', 'reduce', 'relu', 'expand', 'gate', 'scale'];
  d.edges = [...chain.slice(1).map((target, i) => ({ source: chain[i], target })), { source: 'conv', target: 'scale' }];
  return d;
}

describe('squeeze-and-excitation: keepDims and Multiply', () => {
  it('global pooling with keepDims gives [1, 1, C] and a receptive field over the whole input; without it [C]', () => {
    const a = analyzeDesign(seBlock(7, 5, 8));
    assert.ok(a.valid, JSON.stringify(a.diagnostics));
    assert.deepEqual(a.nodes.pool.outputShape, [1, 1, 8]);
    // conv 3×3 stride 1: field 3; pooling 7×5 positions of stride 1 → 3 + 6 = 9, 3 + 4 = 7.
    assert.deepEqual(a.nodes.pool.receptiveField, [9, 7]);
    assert.deepEqual(a.nodes.pool.effectiveStride, [7, 5]);
    // The gate is broadcast along space: by the convention for SE nets it adds no field, so the
    // product sees what the 3×3 convolution it scales sees, and so does the design's total.
    assert.deepEqual(a.nodes.scale.receptiveField, [3, 3], 'a broadcast gate adds no field');
    assert.deepEqual(a.totals.receptiveField, [3, 3], 'the pool reaches the output only through the broadcast gate');
    // The gate's step is its whole input; the product steps as the image it scales, so a 3×3
    // convolution after it adds 2 pixels, not 2 × 7 (which, block after block, grew without bound).
    assert.deepEqual(a.nodes.scale.effectiveStride, [1, 1], 'the product steps as the unbroadcast input');
    const after = seBlock(7, 5, 8);
    after.nodes.push({ id: 'next', type: 'Conv2D', params: { filters: 8, kernelSize: 3, padding: 'same' } });
    after.edges.push({ source: 'scale', target: 'next' });
    assert.deepEqual(analyzeDesign(after).nodes.next.receptiveField, [5, 5]);
    const flat = analyzeDesign(seBlock(7, 5, 8, { keepDims: false }));
    assert.ok(flat.valid, JSON.stringify(flat.diagnostics));
    assert.deepEqual(flat.nodes.pool.outputShape, [8]);
    assert.deepEqual(flat.nodes.scale.outputShape, [7, 5, 8], 'a vector [C] broadcasts over the channels');
  });

  it('Multiply has no parameters and costs (inputs − 1) multiplications per output element', () => {
    const a = analyzeDesign(seBlock(6, 4, 8));
    assert.deepEqual(a.nodes.scale.outputShape, [6, 4, 8]);
    assert.equal(a.nodes.scale.params, 0);
    assert.equal(a.nodes.scale.macs, 6 * 4 * 8);
    // The SE convolutions: reduce 8·2 + 2, expand 2·8 + 8.
    assert.equal(a.nodes.reduce.params, 18);
    assert.equal(a.nodes.expand.params, 24);
    const three = emptyDesign('three');
    three.nodes = [
      { id: 'input', type: 'Input', params: { shape: [4, 4, 3] } },
      { id: 'a', type: 'Activation', params: { fn: 'sigmoid' } },
      { id: 'b', type: 'Activation', params: { fn: 'tanh' } },
      { id: 'm', type: 'Multiply', params: {} },
    ];
    three.edges = [{ source: 'input', target: 'a' }, { source: 'input', target: 'b' }, { source: 'a', target: 'm' }, { source: 'b', target: 'm' }, { source: 'input', target: 'm' }];
    const t = analyzeDesign(three);
    assert.ok(t.valid, JSON.stringify(t.diagnostics));
    assert.equal(t.nodes.m.macs, 4 * 4 * 3 * 2);
  });

  it('channels that cannot broadcast are a located error naming both shapes, with a fix of the filters upstream that works', () => {
    const a = analyzeDesign(seBlock(6, 6, 8, { expand: 5 }));
    const d = a.diagnostics.find((x) => x.nodeId === 'scale' && x.severity === 'error');
    assert.ok(d, JSON.stringify(a.diagnostics));
    assert.equal(d.code, 'merge-shape-mismatch');
    assert.match(d.message, /\[1, 1, 5\].*\[6, 6, 8\]|\[6, 6, 8\].*\[1, 1, 5\]/);
    assert.match(d.message, /channels are 8 and 5/);
    const fix = d.fixes.find((f) => f.edit?.kind === 'setParams' && f.edit.nodeId === 'expand' && f.edit.params.filters === 8);
    assert.ok(fix, JSON.stringify(d.fixes));
    const fixed = seBlock(6, 6, 8, { expand: 8 });
    assert.ok(analyzeDesign(fixed).valid);
  });

  it('inputs of different ranks other than a vector are refused with the reason', () => {
    const d = emptyDesign('ranks');
    d.nodes = [
      { id: 'image', type: 'Input', params: { shape: [4, 4, 3] } },
      { id: 'sequence', type: 'Input', params: { shape: [4, 3] } },
      { id: 'm', type: 'Multiply', params: {} },
    ];
    d.edges = [{ source: 'image', target: 'm' }, { source: 'sequence', target: 'm' }];
    const diag = analyzeDesign(d).diagnostics.find((x) => x.nodeId === 'm' && x.severity === 'error');
    assert.match(diag?.message ?? '', /same number of axes, or a vector \[C\].*\[4, 4, 3\] and \[4, 3\]/);
  });

  it("a Keras model.json with keepdims=True global pooling and a broadcasting Multiply imports as an SE block", () => {
    const layer = (className: string, name: string, config: Record<string, unknown>, inbound: string[]) => ({ class_name: className, name, config: { ...config, name }, inbound_nodes: inbound.length ? [inbound.map((s) => [s, 0, 0, {}])] : [] });
    const json = JSON.stringify({
      modelTopology: {
        class_name: 'Model',
        config: {
          name: 'keras_se',
          layers: [
            layer('InputLayer', 'input', { batch_input_shape: [null, 6, 6, 4] }, []),
            layer('GlobalAveragePooling2D', 'pool', { keepdims: true }, ['input']),
            layer('Conv2D', 'reduce', { filters: 2, kernel_size: [1, 1], activation: 'relu', padding: 'valid' }, ['pool']),
            layer('Conv2D', 'expand', { filters: 4, kernel_size: [1, 1], activation: 'sigmoid', padding: 'valid' }, ['reduce']),
            layer('Multiply', 'scale', {}, ['input', 'expand']),
          ],
        },
      },
    });
    const imported = importModelJson(json);
    assert.deepEqual(imported.problems, []);
    const pool = imported.design!.nodes.find((n) => n.id === 'pool')!;
    assert.deepEqual(pool.params, { keepDims: true });
    const a = analyzeDesign(imported.design!);
    assert.ok(a.valid, JSON.stringify(a.diagnostics));
    assert.deepEqual(a.nodes.pool.outputShape, [1, 1, 4]);
    assert.deepEqual(a.nodes.scale.outputShape, [6, 6, 4]);
  });

  it('the PyTorch code keeps the pooled axes and gives a vector operand its spatial axes explicitly', () => {
    const kept = exportDesign(seBlock(6, 6, 4), 'pytorch').files[0].code;
    assert.match(kept, /\.mean\(dim=\(2, 3\), keepdim=True\)/);
    const flat = exportDesign(seBlock(6, 6, 4, { keepDims: false }), 'pytorch').files[0].code;
    assert.match(flat, /\.mean\(dim=\(2, 3\)\)/);
    assert.match(flat, /\[:, :, None, None\] \* |\* \w+\[:, :, None, None\]/);
  });
});
