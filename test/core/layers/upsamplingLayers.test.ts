// Transposed convolution, padding, cropping, 1-D global pooling and PyTorch's pooling modes in the
// analysis: shapes by the formulas (checked against PyTorch at odd sizes when it is installed),
// parameters, MACs, receptive fields, and the problems a student makes, each with a fix that works.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDesign } from '../../../src/core/analysis/analyzeDesign';
import { analyzeDocument } from '../../../src/core/analysis/analyzeDocument';
import { applyIntention } from '../../../src/core/edit/applyIntention';
import type { Design } from '../../../src/core/design';
import { resolveParamValue } from '../../../src/core/layers/resolveParams';
import { getLayerType } from '../../../src/core/layers/layerCatalog';
import { PYTHON } from '../../export/support/python';
import { analyzeChain, chainDesign, type ChainLayer } from '../../support/designBuilder';

/** The first error of the last layer of a chain, and the chain. */
function firstError(shape: number[], layers: ChainLayer[]) {
  const design = chainDesign(shape, layers);
  const analysis = analyzeDesign(design);
  const error = analysis.diagnostics.find((d) => d.severity === 'error');
  assert.ok(error, `no error for ${JSON.stringify(layers)}`);
  return { design, error };
}

/** Applying each fix leaves the design without errors. */
function assertFixesWork(design: Design, error: { fixes: { edit?: unknown }[] }) {
  assert.ok(error.fixes.length > 0, 'at least one fix');
  for (const fix of error.fixes) {
    const fixed = applyIntention(design, fix.edit as Parameters<typeof applyIntention>[1]);
    assert.ok(fixed.ok, JSON.stringify(fixed));
    assert.ok(analyzeDesign(fixed.design!).valid, `fix ${JSON.stringify(fix)} leaves errors`);
  }
}

describe('transposed convolution', () => {
  it('output (in − 1)·s − 2p + d·(k − 1) + op + 1, with its formula', () => {
    for (const [input, params, expected] of [
      [[5, 7, 3], { filters: 4, kernelSize: 3, strides: 2, padding: 1, outputPadding: 1 }, [10, 14]],
      [[7, 3], { filters: 2, kernelSize: 4, strides: 3, padding: 2, outputPadding: 1 }, [(7 - 1) * 3 - 4 + 3 + 1 + 1]],
      [[5, 6, 1], { filters: 1, kernelSize: 3, strides: 2, dilationRate: 2 }, [(5 - 1) * 2 + 2 * 2 + 1, (6 - 1) * 2 + 2 * 2 + 1]],
      // Smaller kernel than stride: the output has gaps of bias only; "same" is input × stride.
      [[4, 4, 1], { filters: 1, kernelSize: 1, strides: 3 }, [10, 10]],
      [[5, 7, 2], { filters: 1, kernelSize: 4, strides: 3, padding: 'same' }, [15, 21]],
    ] as [number[], Record<string, unknown>, number[]][]) {
      const type = input.length === 3 ? 'Conv2DTranspose' : 'Conv1DTranspose';
      const { last, valid } = analyzeChain(input, [[type, params]]);
      assert.ok(valid, JSON.stringify(params));
      assert.deepEqual(last.outputShape, [...expected, params.filters]);
      assert.equal(last.formulas!.length, expected.length);
      last.formulas!.forEach((f, i) => assert.ok(f.text.endsWith(`= ${expected[i]}`) || f.text.includes(`= ${expected[i]} (same)`), f.text));
    }
  });

  it('parameters in·(filters / groups)·k² + bias, MACs per input value, and groups', () => {
    const { last } = analyzeChain([6, 6, 8], [['Conv2DTranspose', { filters: 4, kernelSize: 3, strides: 2, groups: 2 }]]);
    assert.equal(last.trainableParams, 8 * (4 / 2) * 9 + 4);
    assert.equal(last.macs, 6 * 6 * 8 * (4 / 2) * 9);
  });

  it('receptive field: each output reaches ⌈k_eff / s⌉ inputs, and an output step is 1/s of an input step (the U-Net ends at 200)', () => {
    const { last } = analyzeChain([8, 8, 1], [
      ['Conv2D', { filters: 1, kernelSize: 3, strides: 2 }],
      ['Conv2DTranspose', { filters: 1, kernelSize: 3, strides: 2 }],
    ]);
    // Conv: 3, jump 2; transposed k 3, s 2 reaches ⌈3/2⌉ = 2 inputs: 3 + (2 − 1)·2 = 5, jump 1.
    assert.deepEqual(last.receptiveField, [5, 5]);
    assert.deepEqual(last.effectiveStride, [1, 1]);
    // The U-Net: 140 at the bottleneck (jump 16); each 2×2 up-convolution reaches one input, then two 3×3
    // convolutions per level add 2·2·jump at jumps 8, 4, 2, 1.
    const { analysis } = analyzeDocument(readFileSync(join(__dirname, '..', '..', '..', 'examples', 'unet.cnn.json'), 'utf8'));
    assert.deepEqual(analysis!.nodes.bottleneck_relu2.receptiveField, [140, 140]);
    assert.deepEqual(analysis!.nodes.head.receptiveField, [140 + 4 * 8 + 4 * 4 + 4 * 2 + 4 * 1, 140 + 4 * 8 + 4 * 4 + 4 * 2 + 4 * 1]);
  });

  it('output padding must be below the stride or the dilation (PyTorch refuses more), with a fix', () => {
    const { design, error } = firstError([5, 5, 2], [['Conv2DTranspose', { filters: 2, kernelSize: 3, strides: 2, outputPadding: 2 }]]);
    assert.equal(error.code, 'output-padding-too-large');
    assert.equal(error.path?.[error.path.length - 1], 'outputPadding', 'located at the parameter');
    assertFixesWork(design, error);
    assert.ok(analyzeChain([5, 5, 2], [['Conv2DTranspose', { filters: 2, kernelSize: 3, strides: 1, dilationRate: 3, outputPadding: 2 }]]).valid, 'below the dilation is fine');
  });

  it('output padding with "same", groups that do not divide, and padding that removes everything are located errors with fixes', () => {
    for (const [params, code] of [
      [{ filters: 2, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 1 }, 'output-padding-with-same'],
      [{ filters: 3, kernelSize: 3, groups: 2 }, 'groups-do-not-divide'],
      [{ filters: 2, kernelSize: 1, padding: 3 }, 'transposed-output-empty'],
    ] as [Record<string, unknown>, string][]) {
      const { design, error } = firstError([4, 4, 2], [['Conv2DTranspose', params]]);
      assert.equal(error.code, code);
      assert.equal(error.nodeId, 'l1');
      assertFixesWork(design, error);
    }
    assert.equal(firstError([4, 4], [['Conv2DTranspose', { filters: 2, kernelSize: 2 }]]).error.code, 'wrong-input-rank');
  });
});

describe('Padding2D and Cropping2D', () => {
  it('read padding and cropping as 1, [top/bottom, left/right] or [top, bottom, left, right]', () => {
    const spec = getLayerType('Padding2D')!.params.find((p) => p.name === 'padding')!;
    const resolve = (raw: unknown) => resolveParamValue(spec, raw, () => undefined);
    assert.deepEqual(resolve(2), [2, 2, 2, 2]);
    assert.deepEqual(resolve([1, 3]), [1, 1, 3, 3]);
    assert.deepEqual(resolve([1, 2, 3, 4]), [1, 2, 3, 4]);
    for (const bad of [[1, 2, 3], -1, [1, -2], 'same']) assert.equal(resolve(bad), undefined, JSON.stringify(bad));
  });

  it('padding grows each side, cropping cuts it, and neither moves the receptive field', () => {
    const { nodes } = analyzeChain([6, 7, 2], [
      ['Conv2D', { filters: 2, kernelSize: 3 }],
      ['Padding2D', { padding: [1, 2, 0, 3], mode: 'reflect' }],
      ['Cropping2D', { cropping: [2, 0] }],
    ]);
    assert.deepEqual(nodes.l2.outputShape, [4 + 3, 5 + 3, 2]);
    assert.deepEqual(nodes.l3.outputShape, [7 - 4, 8, 2]);
    assert.deepEqual(nodes.l2.formulas!.map((f) => f.text), ['4 + 1 + 2 = 7', '5 + 0 + 3 = 8']);
    assert.deepEqual(nodes.l3.receptiveField, nodes.l1.receptiveField);
  });

  it('reflect padding cannot take more rows than the input has, with fixes', () => {
    const { design, error } = firstError([3, 5, 1], [['Padding2D', { padding: [3, 0], mode: 'reflect' }]]);
    assert.equal(error.code, 'padding-larger-than-input');
    assertFixesWork(design, error);
  });

  it('with a 2nd input, crops around the center to its size (the larger half after, as the U-Net crops)', () => {
    const design = chainDesign([9, 8, 2], [['Conv2D', { filters: 2, kernelSize: 3 }]]);
    design.nodes.push({ id: 'crop', type: 'Cropping2D', params: {} });
    design.edges.push({ source: 'input', target: 'crop' }, { source: 'l1', target: 'crop' });
    const analysis = analyzeDesign(design);
    assert.ok(analysis.valid, JSON.stringify(analysis.diagnostics));
    assert.deepEqual(analysis.nodes.crop.outputShape, [7, 6, 2]);
    // 9 → 7: one row off the top, one off the bottom; 8 → 6 likewise.
    assert.deepEqual(analysis.nodes.crop.formulas!.map((f) => [f.padBefore, f.padAfter]), [[-1, -1], [-1, -1]]);
  });

  it('refuses a 2nd input larger than the first, cropping together with a 2nd input, and cropping everything', () => {
    const design = chainDesign([5, 5, 2], [['Conv2D', { filters: 2, kernelSize: 3 }]]);
    design.nodes.push({ id: 'crop', type: 'Cropping2D', params: {} });
    design.edges.push({ source: 'l1', target: 'crop' }, { source: 'input', target: 'crop' });
    assert.equal(analyzeDesign(design).diagnostics.find((d) => d.severity === 'error')?.code, 'crop-larger-than-input');
    design.edges.reverse();
    design.nodes[2].params = { cropping: 1 };
    const both = analyzeDesign(design).diagnostics.find((d) => d.severity === 'error')!;
    assert.equal(both.code, 'cropping-with-reference');
    assertFixesWork(design, both);
    const { design: chain, error } = firstError([4, 6, 1], [['Cropping2D', { cropping: [2, 2, 0, 0] }]]);
    assert.equal(error.code, 'crop-removes-everything');
    assertFixesWork(chain, error);
  });
});

describe('PyTorch\'s pooling modes and 1-D global pooling', () => {
  it('ceil mode adds the last, partial window unless it would start in the right padding', () => {
    const shape = (size: number, params: Record<string, unknown>) => analyzeChain([size, size, 1], [['MaxPool2D', params]]).last.outputShape![0];
    assert.equal(shape(6, { poolSize: 3, strides: 2, ceilMode: true }), Math.ceil((6 - 3) / 2) + 1);
    assert.equal(shape(6, { poolSize: 3, strides: 2 }), Math.floor((6 - 3) / 2) + 1);
    // ⌈(5 + 2 − 2) / 2⌉ + 1 = 4, but the 4th window would start at 6 − 1 = 5, in the right padding: 3.
    assert.equal(shape(5, { poolSize: 2, strides: 2, padding: 1, ceilMode: true }), 3);
  });

  it('ceilMode and countIncludePad go with explicit padding, not "same"', () => {
    for (const params of [{ poolSize: 2, padding: 'same', ceilMode: true }, { poolSize: 2, padding: 'same', countIncludePad: false }]) {
      const { design, error } = firstError([5, 5, 1], [['AvgPool2D', params]]);
      assert.equal(error.code, 'pool-mode-with-same');
      assertFixesWork(design, error);
    }
  });

  it('1-D global pooling gives one value per channel', () => {
    assert.deepEqual(analyzeChain([11, 3], [['GlobalMaxPool1D']]).last.outputShape, [3]);
    assert.equal(analyzeChain([11, 3, 2], [['GlobalAvgPool1D']]).diagnostics[0]?.code, 'wrong-input-rank');
  });
});

const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

describe('output sizes equal PyTorch\'s at odd sizes', () => {
  it('ConvTranspose1d/2d, MaxPool and AvgPool with ceil_mode, F.pad', function () {
    if (!hasTorch) {
      console.warn(`    skipped: ${PYTHON} cannot import torch`);
      this.skip();
    }
    // [design chain, the PyTorch expression of the same layer on x (channels-first)]
    const cases: [number[], ChainLayer, string][] = [];
    for (const size of [5, 7, 8, 11]) {
      for (const [k, s, p, op, d] of [[3, 2, 1, 1, 1], [2, 3, 0, 2, 1], [4, 3, 2, 1, 2], [1, 2, 0, 0, 1], [3, 1, 1, 1, 2], [5, 2, 3, 0, 1]]) {
        cases.push([[size, size + 2, 2], ['Conv2DTranspose', { filters: 3, kernelSize: k, strides: s, padding: p, outputPadding: op, dilationRate: d }], `nn.ConvTranspose2d(2, 3, ${k}, stride=${s}, padding=${p}, output_padding=${op}, dilation=${d})(x)`]);
        cases.push([[size, 2], ['Conv1DTranspose', { filters: 3, kernelSize: k, strides: s, padding: p, outputPadding: op, dilationRate: d }], `nn.ConvTranspose1d(2, 3, ${k}, stride=${s}, padding=${p}, output_padding=${op}, dilation=${d})(x)`]);
      }
      for (const [k, s, p] of [[2, 2, 0], [3, 2, 1], [2, 2, 1], [3, 3, 1], [4, 3, 2]]) {
        cases.push([[size, size + 1, 1], ['MaxPool2D', { poolSize: k, strides: s, padding: p, ceilMode: true }], `F.max_pool2d(x, ${k}, ${s}, ${p}, ceil_mode=True)`]);
        cases.push([[size, 1], ['AvgPool1D', { poolSize: k, strides: s, padding: p, ceilMode: true }], `F.avg_pool1d(x, ${k}, ${s}, ${p}, ceil_mode=True)`]);
      }
      cases.push([[size, size, 1], ['Padding2D', { padding: [1, 2, 0, 3], mode: 'replicate' }], 'F.pad(x, (0, 3, 1, 2), mode="replicate")']);
    }
    const script = [
      'import json, sys, torch',
      'import torch.nn.functional as F',
      'from torch import nn',
      'out = []',
      'for shape, expr in json.loads(sys.stdin.read()):',
      '    x = torch.zeros(1, shape[-1], *shape[:-1])',
      '    y = eval(expr)',
      '    out.append(list(y.shape[2:]) + [y.shape[1]])',
      'print(json.dumps(out))',
    ].join('\n');
    const result = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(cases.map(([shape, , expr]) => [shape, expr])), encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const torchShapes = JSON.parse(result.stdout) as number[][];
    cases.forEach(([shape, layer], i) => {
      const { last, valid, diagnostics } = analyzeChain(shape, [layer]);
      assert.ok(valid, `${JSON.stringify(layer)} on ${shape}: ${JSON.stringify(diagnostics)}`);
      assert.deepEqual(last.outputShape, torchShapes[i], `${cases[i][2]} on ${shape}`);
    });
  });
});
