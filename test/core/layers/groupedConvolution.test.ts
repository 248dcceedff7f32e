// Grouped and depthwise convolution (ResNeXt, MobileNet, RegNet): each filter sees only its group's
// channels, which sets the parameters and multiply-accumulates; groups that do not divide the
// channels or filters are located errors whose fixes work.
import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import { analyzeDesign } from '../../../src/core/analysis/analyzeDesign';
import { applyIntention } from '../../../src/core/edit/applyIntention';
import { emptyDesign, type Design } from '../../../src/core/design';
import { exportDesign } from '../../../src/core/export/exportDesign';
import { compileGraph } from '../../../src/core/export/compileGraph';
import { exportOnnx } from '../../../src/core/export/exportOnnx';
import { decodeOnnxModel } from '../../../src/core/onnx/onnxModel';
import { getLayerType } from '../../../src/core/layers/layerCatalog';
import { importModelJson } from '../../../src/core/import/importModelJson';

function convOn(shape: number[], params: Record<string, unknown>): Design {
  const d = emptyDesign('grouped');
  d.nodes = [
    { id: 'input', type: 'Input', params: { shape } },
    { id: 'conv', type: shape.length === 3 ? 'Conv2D' : 'Conv1D', params },
  ];
  d.edges = [{ source: 'input', target: 'conv' }];
  return d;
}

describe('grouped and depthwise convolution', () => {
  it('parameters and MACs divide by the groups; shape and receptive field do not change', () => {
    for (const [shape, kernel] of [
      [[12, 10, 8], 3],
      [[15, 8], 5],
    ] as const) {
      for (const groups of [1, 2, 4, 8]) {
        const filters = 16;
        const a = analyzeDesign(convOn([...shape], { filters, kernelSize: kernel, padding: 'same', groups }));
        assert.ok(a.valid, JSON.stringify(a.diagnostics));
        const plain = analyzeDesign(convOn([...shape], { filters, kernelSize: kernel, padding: 'same' }));
        const node = a.nodes.conv;
        const taps = shape.length === 3 ? kernel * kernel : kernel;
        const channels = shape[shape.length - 1];
        assert.deepEqual(node.outputShape, plain.nodes.conv.outputShape);
        assert.equal(node.params, taps * (channels / groups) * filters + filters);
        assert.equal(node.macs * groups, plain.nodes.conv.macs);
        assert.deepEqual(node.receptiveField, plain.nodes.conv.receptiveField);
      }
    }
  });

  it('a depthwise convolution with a depth multiplier: one 3×3 filter pair per channel', () => {
    const a = analyzeDesign(convOn([7, 7, 6], { filters: 12, kernelSize: 3, groups: 6, useBias: false }));
    assert.ok(a.valid, JSON.stringify(a.diagnostics));
    assert.deepEqual(a.nodes.conv.outputShape, [5, 5, 12]);
    assert.equal(a.nodes.conv.params, 9 * 12);
    assert.match(getLayerType('Conv2D')!.summarize(a.nodes.conv.resolvedParams!), /6 groups/);
  });

  it('groups that do not divide the input channels are a located error whose fixes work', () => {
    const design = convOn([8, 8, 6], { filters: 12, kernelSize: 3, groups: 4 });
    const a = analyzeDesign(design);
    const d = a.diagnostics.find((x) => x.code === 'groups-do-not-divide-channels');
    assert.ok(d, JSON.stringify(a.diagnostics));
    assert.equal(d.nodeId, 'conv');
    assert.deepEqual(d.path, ['nodes', 1, 'params', 'groups']);
    assert.match(d.message, /6 input channels/);
    const groups = d.fixes.map((f) => f.edit?.kind === 'setParams' && f.edit.params.groups);
    // 4 lies between the common divisors 3 and 6 of 6 channels and 12 filters; 6 is also depthwise.
    assert.deepEqual(groups, [3, 6]);
    for (const fix of d.fixes) {
      const applied = applyIntention(design, { kind: 'applyFix', edit: fix.edit! });
      assert.ok(applied.ok && analyzeDesign(applied.design).valid, fix.title);
    }
  });

  it('filters that do not split into the groups are a located error whose fixes work', () => {
    const design = convOn([8, 8, 8], { filters: 10, kernelSize: 3, groups: 4 });
    const a = analyzeDesign(design);
    const d = a.diagnostics.find((x) => x.code === 'groups-do-not-divide-filters');
    assert.ok(d, JSON.stringify(a.diagnostics));
    assert.deepEqual(d.path, ['nodes', 1, 'params', 'filters']);
    assert.ok(d.fixes.some((f) => f.edit?.kind === 'setParams' && f.edit.params.filters === 12));
    assert.ok(d.fixes.some((f) => f.edit?.kind === 'setParams' && f.edit.params.filters === 8));
    assert.ok(d.fixes.some((f) => f.edit?.kind === 'setParams' && f.edit.params.groups === 2));
    for (const fix of d.fixes) {
      const applied = applyIntention(design, { kind: 'applyFix', edit: fix.edit! });
      assert.ok(applied.ok && analyzeDesign(applied.design).valid, fix.title);
    }
  });

  it('PyTorch gets groups=; ONNX a group attribute and weights [filters, in / groups, kh, kw]', () => {
    const design = convOn([8, 8, 8], { filters: 12, kernelSize: 3, groups: 4 });
    const code = exportDesign(design, 'pytorch').files[0].code;
    assert.match(code, /nn\.Conv2d\(8, 12, kernel_size=3, groups=4\)/);
    const onnx = decodeOnnxModel(exportOnnx(compileGraph(design)));
    const conv = onnx.graph.nodes.find((n) => n.opType === 'Conv')!;
    assert.deepEqual(conv.attributes.group, { kind: 'int', value: 4 });
    assert.deepEqual(onnx.graph.initializers.find((t) => t.name === conv.inputs[1])!.dims, [12, 2, 3, 3]);
  });

  it('Keras: depthwise as DepthwiseConv2D with its multiplier, other groups as the project\'s grouped layer', () => {
    const depthwise = compileGraph(convOn([8, 8, 4], { filters: 8, kernelSize: 3, groups: 4 })).layers.at(-1)!;
    assert.equal(depthwise.className, 'DepthwiseConv2D');
    assert.equal(depthwise.config.depthMultiplier, 2);
    assert.deepEqual(depthwise.weights!.depthwise_kernel.shape, [3, 3, 4, 2]);
    const grouped = compileGraph(convOn([8, 8, 4], { filters: 6, kernelSize: 3, groups: 2 })).layers.at(-1)!;
    assert.equal(grouped.className, 'CnnGroupedConv2D');
    assert.deepEqual(grouped.weights!.kernel.shape, [3, 3, 2, 6]);
    const keras = exportDesign(convOn([8, 8, 4], { filters: 6, kernelSize: 3, groups: 2 }), 'keras').files[0].code;
    assert.match(keras, /class CnnGroupedConv2D\(layers\.Layer\)/);
    assert.match(keras, /CnnGroupedConv2D\(filters=6, kernel_size=\(3, 3\), groups=2, name="conv"\)/);
    const sequence = compileGraph(convOn([9, 4], { filters: 4, kernelSize: 3, groups: 4 })).layers.at(-1)!;
    assert.equal(sequence.className, 'CnnGroupedConv1D', 'TF.js has no depthwise 1-D convolution');
  });

  it('Keras import: a DepthwiseConv2D takes its channels from its input; Conv2D groups and the grouped layer come back', () => {
    const layer = (className: string, name: string, config: Record<string, unknown>, inbound: string[]) => ({
      class_name: className,
      name,
      config: { name, ...config },
      inbound_nodes: inbound.length ? [inbound.map((source) => [source, 0, 0, {}])] : [],
    });
    const layers = [
      layer('InputLayer', 'image', { batch_input_shape: [null, 16, 16, 3] }, []),
      layer('Conv2D', 'stem', { filters: 8, kernel_size: [3, 3], padding: 'same', activation: 'relu' }, ['image']),
      layer('DepthwiseConv2D', 'dw', { kernel_size: [3, 3], strides: [2, 2], padding: 'same', depth_multiplier: 2, use_bias: false }, ['stem']),
      layer('Conv2D', 'grouped', { filters: 8, kernel_size: [1, 1], groups: 4 }, ['dw']),
      layer('CnnGroupedConv2D', 'custom', { filters: 4, kernel_size: [3, 3], groups: 2, dilation_rate: [2, 2] }, ['grouped']),
    ];
    const result = importModelJson(JSON.stringify({ modelTopology: { class_name: 'Model', config: { name: 'keras', layers } } }));
    assert.deepEqual(result.problems, []);
    const params = Object.fromEntries(result.design!.nodes.map((n) => [n.id, n.params]));
    assert.deepEqual(params.dw, { filters: 16, groups: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false });
    assert.equal(params.grouped.groups, 4);
    assert.deepEqual(params.custom, { filters: 4, kernelSize: 3, dilationRate: 2, groups: 2 });
    const a = analyzeDesign(result.design!);
    assert.ok(a.valid, JSON.stringify(a.diagnostics));
    assert.equal(a.nodes.dw.params, 9 * 16);
  });

  it('dilation with stride only warns: PyTorch and ONNX export it, Keras and TF.js refuse naming the layer', () => {
    const design = convOn([16, 16, 3], { filters: 4, kernelSize: 3, strides: 2, dilationRate: 2 });
    const a = analyzeDesign(design);
    assert.ok(a.valid);
    const d = a.diagnostics.find((x) => x.code === 'dilation-with-stride');
    assert.equal(d?.severity, 'warning');
    assert.match(exportDesign(design, 'pytorch').files[0].code, /stride=2, dilation=2/);
    assert.ok(exportOnnx(compileGraph(design)).byteLength > 0);
    assert.throws(() => exportDesign(design, 'keras'), /to Keras: Layer "conv" \(Conv 2D\): Keras and TF\.js cannot combine a dilation/);
    assert.throws(() => exportDesign(design, 'tfjs'), /to TF\.js: Layer "conv" \(Conv 2D\)/);
  });
});

describe('convolution padding modes (reflect, replicate)', () => {
  /** The value at (r, c) of a padded image, as PyTorch's reflect (mirror without the edge) or replicate (edge repeated). */
  const padded = (image: number[][], mode: 'reflect' | 'replicate', r: number, c: number): number => {
    const fold = (i: number, n: number): number => (mode === 'replicate' ? Math.min(n - 1, Math.max(0, i)) : i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
    return image[fold(r, image.length)][fold(c, image[0].length)];
  };

  for (const mode of ['reflect', 'replicate'] as const) {
    it(`${mode}: PyTorch's padding_mode, and ONNX's Pad computes what PyTorch's ${mode} padding gives`, async () => {
      const design = convOn([4, 5, 1], { filters: 1, kernelSize: 3, padding: 2, paddingMode: mode, useBias: false });
      const a = analyzeDesign(design);
      assert.ok(a.valid, JSON.stringify(a.diagnostics));
      assert.deepEqual(a.nodes.conv.outputShape, [6, 7, 1]);
      assert.match(exportDesign(design, 'pytorch').files[0].code, new RegExp(`nn\\.Conv2d\\(1, 1, kernel_size=3, padding=2, bias=False, padding_mode="${mode}"\\)`));
      const uneven = exportDesign(convOn([4, 5, 1], { filters: 1, kernelSize: 2, padding: 'same', paddingMode: mode }), 'pytorch').files[0].code;
      assert.match(uneven, new RegExp(`F\\.pad\\(x, \\(0, 1, 0, 1\\), mode="${mode}"\\)`));
      assert.throws(() => exportDesign(design, 'keras'), new RegExp(`Keras and TF\\.js have no ${mode} padding`));

      // A kernel of ones sums each padded 3×3 window.
      const image = [0, 1, 2, 3].map((r) => [0, 1, 2, 3, 4].map((c) => r * 10 + c));
      const weights = [{ name: 'conv.weight', shape: [1, 1, 3, 3], data: new Float32Array(9).fill(1) }];
      const session = await ort.InferenceSession.create(exportOnnx(compileGraph(design), { weights }));
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(image.flat()), [1, 1, 4, 5]) });
      const got = Array.from(out[session.outputNames[0]].data as Float32Array);
      const expected: number[] = [];
      for (let r = -2; r < 4; r++) for (let c = -2; c < 5; c++) {
        let sum = 0;
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) sum += padded(image, mode, r + i, c + j);
        expected.push(sum);
      }
      assert.deepEqual(got, expected);
      await session.release();
    });
  }

  it('reflect padding as wide as the input is a located error whose fixes work', () => {
    const design = convOn([3, 8, 2], { filters: 2, kernelSize: 3, padding: 3, paddingMode: 'reflect' });
    const d = analyzeDesign(design).diagnostics.find((x) => x.code === 'reflect-padding-too-wide');
    assert.ok(d);
    assert.deepEqual(d.path, ['nodes', 1, 'params', 'paddingMode']);
    assert.match(d.message, /at most 2 on the height axis of 3/);
    assert.equal(d.fixes.length, 2);
    for (const fix of d.fixes) {
      const applied = applyIntention(design, { kind: 'applyFix', edit: fix.edit! });
      assert.ok(applied.ok && analyzeDesign(applied.design).valid, fix.title);
    }
  });
});
