// The channel-wise layer types (ConvNeXt's, ShuffleNet's and the normalizations'): shapes, parameter
// counts, costs and receptive fields; located errors whose fixes work; the PyTorch code; Keras
// model.json import of the classes Keras has; the ONNX round trip of those ONNX has operators for.
import { strict as assert } from 'node:assert';
import { analyzeDesign } from '../../../src/core/analysis/analyzeDesign';
import type { Design } from '../../../src/core/design';
import { compileGraph } from '../../../src/core/export/compileGraph';
import { exportDesign } from '../../../src/core/export/exportDesign';
import { exportOnnx } from '../../../src/core/export/exportOnnx';
import { fromPyTorchStateDict, toPyTorchStateDict } from '../../../src/core/export/pytorchWeights';
import { importModelJson } from '../../../src/core/import/importModelJson';
import { importOnnx } from '../../../src/core/import/importOnnx';
import { analyzeChain, chainDesign, type ChainLayer } from '../../support/designBuilder';

const conv3: ChainLayer = ['Conv2D', { filters: 8, kernelSize: 3 }];

/** The design after each fix of the node's first error, applied as the editor would. */
function afterFixes(design: Design, nodeId: string): { title: string; design: Design }[] {
  const error = analyzeDesign(design).diagnostics.find((d) => d.nodeId === nodeId && d.severity === 'error');
  assert.ok(error, `an error on ${nodeId}`);
  assert.ok(error.fixes.length > 0, `fixes for: ${error.message}`);
  return error.fixes.map((fix) => {
    const edit = fix.edit!;
    assert.equal(edit.kind, 'setParams');
    const next = structuredClone(design);
    const node = next.nodes.find((n) => n.id === nodeId)!;
    if (edit.kind === 'setParams') node.params = { ...node.params, ...edit.params };
    return { title: fix.title, design: next };
  });
}

describe('channel-wise layer types', () => {
  it('keep the shape and count γ, β, running statistics and α per channel as PyTorch does', () => {
    const cases: [ChainLayer, number, number][] = [
      [['LayerNorm', {}], 16, 0],
      [['LayerNorm', { elementwiseAffine: false }], 0, 0],
      [['GroupNorm', { groups: 4 }], 16, 0],
      [['GroupNorm', { groups: 2, affine: false }], 0, 0],
      [['InstanceNorm', {}], 0, 0],
      [['InstanceNorm', { affine: true, trackRunningStats: true }], 16, 16],
      [['LayerScale', {}], 8, 0],
      [['PReLU', {}], 8, 0],
      [['PReLU', { sharedAxes: 'all' }], 1, 0],
      [['DropPath', { rate: 0.2 }], 0, 0],
      [['SpatialDropout2D', {}], 0, 0],
      [['ChannelShuffle', { groups: 4 }], 0, 0],
    ];
    for (const [layer, trainable, nonTrainable] of cases) {
      const a = analyzeChain([9, 7, 3], [conv3, layer]);
      assert.ok(a.valid, `${JSON.stringify(layer)}: ${JSON.stringify(a.diagnostics)}`);
      assert.deepEqual(a.last.outputShape, [7, 5, 8], JSON.stringify(layer));
      assert.equal(a.last.trainableParams, trainable, `trainable of ${JSON.stringify(layer)}`);
      assert.equal(a.last.nonTrainableParams, nonTrainable, `non-trainable of ${JSON.stringify(layer)}`);
      // Position-wise or statistics-only: the convolution's 3×3 field passes through.
      assert.deepEqual(a.last.receptiveField, [3, 3], `receptive field of ${JSON.stringify(layer)}`);
    }
    const slice = analyzeChain([9, 7, 3], [conv3, ['ChannelSlice', { start: 2, end: 7 }]]);
    assert.deepEqual(slice.last.outputShape, [7, 5, 5]);
    // Normalizations count no multiply-accumulates, as BatchNorm; a layer scale one multiplication per value, as Multiply.
    assert.equal(analyzeChain([9, 7, 3], [conv3, ['LayerNorm', {}]]).last.macs, 0);
    assert.equal(analyzeChain([9, 7, 3], [conv3, ['LayerScale', {}]]).last.macs, 7 * 5 * 8);
    assert.equal(analyzeChain([12], [['LayerNorm', {}]]).last.trainableParams, 24, 'on a vector too');
    assert.deepEqual(analyzeChain([10, 4], [['SpatialDropout1D', { rate: 0.3 }]]).last.outputShape, [10, 4]);
  });

  it('report groups that do not divide the channels, with fixes to the nearest divisors that work', () => {
    for (const type of ['GroupNorm', 'ChannelShuffle']) {
      const design = chainDesign([9, 7, 3], [conv3, [type, { groups: 3 }]]);
      const diagnostics = analyzeDesign(design).diagnostics.filter((d) => d.nodeId === 'l2');
      assert.equal(diagnostics[0]?.code, 'groups-do-not-divide-channels');
      assert.match(diagnostics[0].message, /3 does not divide 8/);
      assert.deepEqual(diagnostics[0].path, ['nodes', 2, 'params', 'groups']);
      const fixed = afterFixes(design, 'l2');
      assert.deepEqual(fixed.map((f) => f.title), ['Use 2 groups (4 channels each)', 'Use 4 groups (2 channels each)']);
      for (const f of fixed) assert.ok(analyzeDesign(f.design).valid, f.title);
    }
  });

  it('report a channel slice out of range, with fixes that keep valid channels', () => {
    for (const params of [{ start: 2, end: 9 }, { start: 5, end: 5 }, { start: 8, end: 10 }]) {
      const design = chainDesign([9, 7, 3], [conv3, ['ChannelSlice', params]]);
      const error = analyzeDesign(design).diagnostics.find((d) => d.nodeId === 'l2')!;
      assert.equal(error.code, 'slice-out-of-range', JSON.stringify(params));
      const fixed = afterFixes(design, 'l2');
      for (const f of fixed) assert.ok(analyzeDesign(f.design).valid, `${JSON.stringify(params)}: ${f.title}`);
    }
  });

  it('refuse inputs of the wrong rank with located errors, and locate unknown parameters', () => {
    const errors = (shape: number[], layer: ChainLayer) => analyzeDesign(chainDesign(shape, [layer])).diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors([12], ['InstanceNorm', {}])[0]?.code, 'wrong-input-rank');
    assert.equal(errors([10, 4], ['SpatialDropout2D', {}])[0]?.code, 'wrong-input-rank');
    assert.equal(errors([1, 1, 4], ['InstanceNorm', {}])[0]?.code, 'single-position-norm');
    assert.equal(errors([1, 4], ['InstanceNorm', {}])[0]?.code, 'single-position-norm');
    assert.match(errors([10, 4], ['SpatialDropout2D', {}])[0].message, /Use SpatialDropout1D/);
    const unknown = analyzeDesign(chainDesign([9, 9, 3], [['LayerNorm', { eps: 1e-6 }]])).diagnostics[0];
    assert.equal(unknown?.code, 'unknown-param');
    assert.deepEqual(unknown.path, ['nodes', 1, 'params', 'eps']);
  });

  it('write PyTorch code with torch.nn modules, and LayerScale and DropPath classes defined once in the file', () => {
    const design = chainDesign([9, 7, 3], [conv3, ['LayerNorm', { epsilon: 1e-6 }], ['LayerScale', {}], ['DropPath', { rate: 0.1 }], ['LayerScale', {}], ['DropPath', {}], ['GroupNorm', { groups: 2 }], ['InstanceNorm', { affine: true }], ['PReLU', {}], ['ChannelShuffle', { groups: 2 }], ['ChannelSlice', { start: 0, end: 4 }]]);
    const code = exportDesign(design, 'pytorch').files[0].code;
    assert.equal(code.match(/^class LayerScale\(nn\.Module\):/gm)?.length, 1);
    assert.equal(code.match(/^class DropPath\(nn\.Module\):/gm)?.length, 1);
    for (const text of ['nn.LayerNorm(8, eps=0.000001)', 'self.l2(l1.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)', 'LayerScale(8, 0.000001, 2)', 'DropPath(0.1)', 'nn.GroupNorm(2, 8, eps=0.00001)', 'nn.InstanceNorm2d(8, eps=0.00001, affine=True)', 'nn.PReLU(8)', '.unflatten(1, (2, 4)).transpose(1, 2).flatten(1, 2)', '[:, 0:4]']) {
      assert.ok(code.includes(text), `${text} in:\n${code}`);
    }
  });

  it("move weights between Keras' and PyTorch's shapes: PReLU's α [1, 1, C] ↔ [C], LayerScale's γ [C] ↔ (C, 1, 1), norms' γ, β and statistics", () => {
    const design = chainDesign([5, 5, 2], [conv3, ['PReLU', {}], ['LayerScale', {}], ['InstanceNorm', { affine: true, trackRunningStats: true }], ['LayerNorm', {}], ['GroupNorm', { groups: 2 }]]);
    const values = (n: number, from: number) => Float32Array.from({ length: n }, (_, i) => from + i);
    const keras = [
      { name: 'l1/kernel', shape: [3, 3, 2, 8], data: values(144, 0) },
      { name: 'l1/bias', shape: [8], data: values(8, 0) },
      { name: 'l2/alpha', shape: [1, 1, 8], data: values(8, 100) },
      { name: 'l3/gamma', shape: [8], data: values(8, 200) },
      ...['gamma', 'beta', 'moving_mean', 'moving_variance'].map((kind, k) => ({ name: `l4/${kind}`, shape: [8], data: values(8, 300 + 10 * k) })),
      ...['gamma', 'beta'].map((kind, k) => ({ name: `l5/${kind}`, shape: [8], data: values(8, 400 + 10 * k) })),
      ...['gamma', 'beta'].map((kind, k) => ({ name: `l6/${kind}`, shape: [8], data: values(8, 500 + 10 * k) })),
    ];
    const state = Object.fromEntries(toPyTorchStateDict(design, keras).map((t) => [t.name, t]));
    assert.deepEqual(state['l2.weight'].shape, [8]);
    assert.deepEqual(state['l3.scale'].shape, [8, 1, 1]);
    assert.deepEqual([...state['l3.scale'].data], [...values(8, 200)]);
    assert.deepEqual(Object.keys(state).filter((k) => k.startsWith('l4.')).sort(), ['l4.bias', 'l4.running_mean', 'l4.running_var', 'l4.weight']);
    assert.deepEqual([...state['l4.running_var'].data], [...values(8, 330)]);
    assert.deepEqual(Object.keys(state).filter((k) => /^l[56]\./.test(k)).sort(), ['l5.bias', 'l5.weight', 'l6.bias', 'l6.weight']);
    const back = fromPyTorchStateDict(design, keras, Object.values(state));
    for (const [i, w] of back.entries()) {
      assert.deepEqual(w.shape, keras[i].shape, w.name);
      assert.deepEqual([...w.data], [...keras[i].data], w.name);
    }
  });

  it('import Keras model.json layers Keras has: LayerNormalization, SpatialDropout2D, SpatialDropout1D and PReLU', () => {
    const layer = (className: string, name: string, config: Record<string, unknown>, inbound?: string) => ({ class_name: className, config: { name, ...config }, inbound_nodes: inbound ? [[[inbound, 0, 0, {}]]] : [] });
    const json = JSON.stringify({
      modelTopology: {
        class_name: 'Functional',
        config: {
          name: 'keras',
          layers: [
            layer('InputLayer', 'in', { batch_input_shape: [null, 8, 8, 4] }),
            layer('LayerNormalization', 'ln', { axis: [3], epsilon: 1e-6, center: true, scale: true }, 'in'),
            layer('SpatialDropout2D', 'sd', { rate: 0.2 }, 'ln'),
            layer('PReLU', 'pr', { shared_axes: [1, 2] }, 'sd'),
            layer('Reshape', 'rs', { target_shape: [64, 4] }, 'pr'),
          ].slice(0, 4),
        },
      },
    });
    const result = importModelJson(json);
    assert.deepEqual(result.problems, []);
    const nodes = result.design!.nodes.slice(1).map((n) => [n.type, n.params]);
    assert.deepEqual(nodes, [['LayerNorm', { epsilon: 1e-6 }], ['SpatialDropout2D', { rate: 0.2 }], ['PReLU', {}]]);
    const a = analyzeDesign(result.design!);
    assert.ok(a.valid && a.totals.trainableParams === 8 + 4, JSON.stringify(a.totals));
    const bad = importModelJson(json.replace('"center":true', '"center":false'));
    assert.match(bad.problems[0]?.message ?? '', /only one of scale and center/);
  });

  it('go design → ONNX → design: LayerNorm (on an image, between transposes, and on a vector), InstanceNorm (affine or not), PReLU, ChannelSlice and LayerScale, with their weights', () => {
    const design = chainDesign([6, 6, 3], [
      ['Conv2D', { filters: 6, kernelSize: 3 }],
      ['LayerNorm', { epsilon: 0.000001 }],
      ['InstanceNorm', { affine: true, epsilon: 0.001 }],
      ['PReLU', {}],
      ['ChannelSlice', { start: 1, end: 5 }],
      ['InstanceNorm', {}],
      ['LayerScale', { initValue: 0.5 }],
      ['PReLU', { sharedAxes: 'all' }],
      ['GlobalAvgPool2D', {}],
      ['LayerNorm', { epsilon: 0.000001 }],
      ['Dense', { units: 2 }],
    ]);
    const before = analyzeDesign(design);
    assert.ok(before.valid);
    const result = importOnnx(exportOnnx(compileGraph(design)), design.name);
    assert.deepEqual(result.problems, []);
    const types = result.design!.nodes.map((n) => [n.type, n.params]).filter(([type]) => type !== 'Input' && type !== 'Conv2D' && type !== 'Dense' && type !== 'GlobalAvgPool2D');
    assert.deepEqual(types, [
      ['LayerNorm', { epsilon: 0.000001 }],
      ['InstanceNorm', { epsilon: 0.001, affine: true }],
      ['PReLU', {}],
      ['ChannelSlice', { start: 1, end: 5 }],
      ['InstanceNorm', { epsilon: 0.00001 }],
      ['LayerScale', { initValue: 0.5 }],
      ['PReLU', { sharedAxes: 'all' }],
      ['LayerNorm', { epsilon: 0.000001 }],
    ]);
    const after = analyzeDesign(result.design!);
    assert.equal(after.totals.params, before.totals.params);
    const prelu = result.weights.find((w) => w.name.endsWith('/alpha'))!;
    assert.deepEqual(prelu.shape, [1, 1, 6], "Keras' α shape: one per channel");
    assert.ok(prelu.data.every((v) => Math.abs(v - 0.25) < 1e-7), "PyTorch's initial α");
  });
});
