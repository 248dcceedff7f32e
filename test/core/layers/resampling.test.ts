// Upsample2D (F.interpolate) and adaptive pooling in the analysis: shapes by PyTorch's rules, costs,
// receptive fields, the formulas the inspector shows, located errors whose fixes work, and the code
// and Keras layers each target gets.
import { strict as assert } from 'node:assert';
import { analyzeDesign } from '../../../src/core/analysis/analyzeDesign';
import type { Diagnostic } from '../../../src/core/analysis/diagnostic';
import { emptyDesign, type Design, type Shape } from '../../../src/core/design';
import { applyIntention } from '../../../src/core/edit/applyIntention';
import { compileGraph } from '../../../src/core/export/compileGraph';
import { exportDesign } from '../../../src/core/export/exportDesign';
import { importModelJson } from '../../../src/core/import/importModelJson';
import { adaptiveWindow, bilinearTaps, nearestSource } from '../../../src/core/layers/resampleAxes';

/** input [h, w, c] (→ conv 3×3) → the layer; `ref` adds a 2nd input of that shape feeding the layer. */
function design(type: string, params: Record<string, unknown>, input: Shape, options: { ref?: Shape; conv?: boolean } = {}): Design {
  const d = emptyDesign('resample');
  d.nodes = [{ id: 'input', type: 'Input', params: { shape: input } }];
  let tip = 'input';
  if (options.conv) {
    d.nodes.push({ id: 'conv', type: 'Conv2D', params: { filters: 2, kernelSize: 3, strides: 2 } });
    d.edges.push({ source: 'input', target: 'conv' });
    tip = 'conv';
  }
  d.nodes.push({ id: 'layer', type, params });
  d.edges.push({ source: tip, target: 'layer' });
  if (options.ref) {
    d.nodes.push({ id: 'ref', type: 'Input', params: { shape: options.ref } });
    d.edges.push({ source: 'ref', target: 'layer' });
  }
  return d;
}

const errorOf = (d: Design): Diagnostic | undefined => analyzeDesign(d).diagnostics.find((x) => x.nodeId === 'layer' && x.severity !== 'info');

/** The design after the diagnostic's fix titled like `title`. */
function fixed(d: Design, diagnostic: Diagnostic, title: RegExp): Design {
  const fix = diagnostic.fixes.find((f) => title.test(f.title));
  assert.ok(fix?.edit, `a fix ${title} among ${JSON.stringify(diagnostic.fixes.map((f) => f.title))}`);
  const result = applyIntention(d, { kind: 'applyFix', edit: fix.edit });
  assert.ok(result.ok, JSON.stringify(result));
  return result.design;
}

describe('PyTorch\'s index rules', () => {
  it('nearest copies ⌊dst · in/out⌋ (or dst / scale), never past the last pixel', () => {
    assert.deepEqual([0, 1, 2, 3, 4].map((o) => nearestSource(o, 3, 5)), [0, 0, 1, 1, 2]);
    assert.deepEqual([0, 1, 2, 3].map((o) => nearestSource(o, 2, 4)), [0, 0, 1, 1]);
    // A scale factor maps by 1/scale, not in/out: 5 × 1.5 → 7 outputs, output 6 reads 6/1.5 = 4, not ⌊6·5/7⌋ = 4 … output 4 reads 2 vs 2.
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((o) => nearestSource(o, 5, 7, 1.5)), [0, 0, 1, 2, 2, 3, 4]);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((o) => nearestSource(o, 5, 7)), [0, 0, 1, 2, 2, 3, 4]);
    assert.deepEqual([0, 1, 2].map((o) => nearestSource(o, 7, 3)), [0, 2, 4]);
  });

  it('bilinear: half-pixel centers clamp at 0, alignCorners maps the corners onto each other', () => {
    assert.deepEqual(bilinearTaps(0, 2, 4, false), { i0: 0, i1: 1, w0: 1, w1: 0 });
    assert.deepEqual(bilinearTaps(1, 2, 4, false), { i0: 0, i1: 1, w0: 0.75, w1: 0.25 });
    // Past the last center both taps are the last pixel (PyTorch keeps the fraction, on the same pixel).
    assert.deepEqual(bilinearTaps(3, 2, 4, false), { i0: 1, i1: 1, w0: 0.75, w1: 0.25 });
    const corner = bilinearTaps(2, 3, 5, true);
    assert.deepEqual([corner.i0, corner.w1], [1, 0]);
    assert.deepEqual(bilinearTaps(4, 3, 5, true).i0, 2);
  });

  it('adaptive windows span ⌊i·in/out⌋ to ⌈(i+1)·in/out⌉ − 1, overlapping where out does not divide in', () => {
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => adaptiveWindow(i, 13, 5)), [[0, 3], [2, 6], [5, 8], [7, 11], [10, 13]]);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((i) => adaptiveWindow(i, 6, 7)), [[0, 1], [0, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 6]]);
  });
});

describe('Upsample2D', () => {
  it('by a scale: ⌊size · scale⌋, nearest costs nothing, bilinear 4 multiply-adds per output value', () => {
    const a = analyzeDesign(design('Upsample2D', { scale: 1.5 }, [19, 27, 3]));
    assert.ok(a.valid, JSON.stringify(a.diagnostics));
    assert.deepEqual(a.nodes.layer.outputShape, [28, 40, 3]);
    assert.equal(a.nodes.layer.params, 0);
    assert.equal(a.nodes.layer.macs, 0);
    assert.deepEqual(a.nodes.layer.formulas!.map((f) => f.text), ['⌊19 · 1.5⌋ = 28', '⌊27 · 1.5⌋ = 40']);
    const b = analyzeDesign(design('Upsample2D', { scale: 2, mode: 'bilinear' }, [19, 27, 3]));
    assert.deepEqual(b.nodes.layer.outputShape, [38, 54, 3]);
    assert.equal(b.nodes.layer.macs, 4 * 38 * 54 * 3);
  });

  it('to a size, or to the height and width of a 2nd input (its channels do not matter)', () => {
    const a = analyzeDesign(design('Upsample2D', { size: [37, 53], mode: 'bilinear', alignCorners: true }, [10, 14, 4]));
    assert.deepEqual(a.nodes.layer.outputShape, [37, 53, 4]);
    const b = analyzeDesign(design('Upsample2D', { mode: 'bilinear' }, [10, 14, 4], { ref: [37, 53, 1] }));
    assert.ok(b.valid, JSON.stringify(b.diagnostics));
    assert.deepEqual(b.nodes.layer.outputShape, [37, 53, 4]);
    assert.match(b.nodes.layer.formulas![0].text, /37, the height of the 2nd input/);
  });

  it('receptive field: nearest sees what its input saw, bilinear one input step more; the step shrinks by in/out', () => {
    // conv 3×3 stride 2 on 21×21: field 3, step 2, output 10×10.
    const near = analyzeDesign(design('Upsample2D', { scale: 2 }, [21, 21, 1], { conv: true }));
    assert.deepEqual(near.nodes.layer.receptiveField, [3, 3]);
    assert.deepEqual(near.nodes.layer.effectiveStride, [1, 1]);
    const bi = analyzeDesign(design('Upsample2D', { scale: 2, mode: 'bilinear' }, [21, 21, 1], { conv: true }));
    assert.deepEqual(bi.nodes.layer.receptiveField, [5, 5]);
  });

  it('no size at all is an error whose fix upsamples by 2', () => {
    const d = design('Upsample2D', {}, [8, 8, 2]);
    const error = errorOf(d)!;
    assert.equal(error.code, 'upsample-no-size');
    const after = analyzeDesign(fixed(d, error, /scale 2/));
    assert.ok(after.valid);
    assert.deepEqual(after.nodes.layer.outputShape, [16, 16, 2]);
  });

  it('both a size and a scale (or a 2nd input and either) is an error; each fix keeps one', () => {
    const d = design('Upsample2D', { scale: 2, size: 5 }, [8, 8, 2]);
    const error = errorOf(d)!;
    assert.equal(error.code, 'upsample-size-conflict');
    assert.deepEqual(analyzeDesign(fixed(d, error, /Keep size/)).nodes.layer.outputShape, [5, 5, 2]);
    assert.deepEqual(analyzeDesign(fixed(d, error, /Keep scale/)).nodes.layer.outputShape, [16, 16, 2]);
    const withRef = design('Upsample2D', { scale: 2 }, [8, 8, 2], { ref: [11, 13, 3] });
    const refError = errorOf(withRef)!;
    assert.equal(refError.code, 'upsample-size-conflict');
    assert.deepEqual(analyzeDesign(fixed(withRef, refError, /2nd input only/)).nodes.layer.outputShape, [11, 13, 2]);
  });

  it('a 2nd input that is not an image is an error whose fix disconnects it and upsamples by 2', () => {
    const d = design('Upsample2D', { mode: 'bilinear' }, [8, 8, 2], { ref: [9, 3] });
    const error = errorOf(d)!;
    assert.equal(error.code, 'wrong-input-rank');
    assert.match(error.message, /2nd input.*\[9, 3\]/);
    const after = fixed(d, error, /Disconnect ref/);
    assert.ok(!after.edges.some((e) => e.source === 'ref' && e.target === 'layer'));
    assert.deepEqual(analyzeDesign(after).nodes.layer.outputShape, [16, 16, 2]);
  });

  it('alignCorners with nearest is an error (PyTorch raises); either fix works', () => {
    const d = design('Upsample2D', { scale: 2, alignCorners: true }, [8, 8, 2]);
    const error = errorOf(d)!;
    assert.equal(error.code, 'align-corners-needs-bilinear');
    assert.ok(analyzeDesign(fixed(d, error, /Remove alignCorners/)).valid);
    assert.ok(analyzeDesign(fixed(d, error, /bilinear/)).valid);
  });

  it('a scale that leaves no pixel is an error whose fix gives at least one', () => {
    const d = design('Upsample2D', { scale: 0.05 }, [8, 12, 2]);
    const error = errorOf(d)!;
    assert.equal(error.code, 'upsample-empty-output');
    assert.match(error.message, /8×12 into 0×0/);
    const after = analyzeDesign(fixed(d, error, /Use scale/));
    assert.ok(after.valid, JSON.stringify(after.diagnostics));
    assert.ok(after.nodes.layer.outputShape!.slice(0, 2).every((s) => s >= 1));
  });

  it('writes F.interpolate for PyTorch; Keras\' UpSampling2D only where it is exact (nearest, whole scale)', () => {
    const code = (d: Design) => exportDesign(d, 'pytorch').files[0].code;
    assert.match(code(design('Upsample2D', { scale: 2 }, [8, 8, 2])), /F\.interpolate\(x, scale_factor=2, mode='nearest'\)/);
    assert.match(code(design('Upsample2D', { size: [5, 7], mode: 'bilinear' }, [8, 8, 2])), /F\.interpolate\(x, size=\(5, 7\), mode='bilinear', align_corners=False\)/);
    assert.match(code(design('Upsample2D', { mode: 'bilinear', alignCorners: true }, [8, 8, 2], { ref: [9, 9, 1] })), /F\.interpolate\(\w+, size=\w+\.shape\[-2:\], mode='bilinear', align_corners=True\)/);
    const classes = (d: Design) => compileGraph(d).layers.filter((l) => l.nodeId === 'layer').map((l) => l.className);
    assert.deepEqual(classes(design('Upsample2D', { scale: 3 }, [8, 8, 2])), ['UpSampling2D']);
    assert.deepEqual(classes(design('Upsample2D', { scale: 2, mode: 'bilinear' }, [8, 8, 2])), ['CnnResize2D']);
    assert.deepEqual(classes(design('Upsample2D', { scale: 1.5 }, [8, 8, 2])), ['CnnResize2D']);
    assert.deepEqual(classes(design('Upsample2D', { size: 16 }, [8, 8, 2])), ['CnnResize2D']);
  });

  it('a Keras model.json\'s UpSampling2D imports as Upsample2D; per-axis factors are refused with the reason', () => {
    const json = (config: Record<string, unknown>) =>
      JSON.stringify({
        modelTopology: {
          class_name: 'Model',
          config: {
            name: 'keras_up',
            layers: [
              { class_name: 'InputLayer', name: 'input', config: { name: 'input', batch_input_shape: [null, 6, 6, 2] }, inbound_nodes: [] },
              { class_name: 'UpSampling2D', name: 'up', config: { name: 'up', ...config }, inbound_nodes: [[['input', 0, 0, {}]]] },
            ],
          },
        },
      });
    const imported = importModelJson(json({ size: [2, 2], interpolation: 'bilinear' }));
    assert.deepEqual(imported.problems, []);
    assert.deepEqual(imported.design!.nodes.find((n) => n.id === 'up')!.params, { scale: 2, mode: 'bilinear' });
    assert.deepEqual(analyzeDesign(imported.design!).nodes.up.outputShape, [12, 12, 2]);
    const uneven = importModelJson(json({ size: [2, 3] }));
    assert.match(JSON.stringify(uneven.problems), /different factors/);
  });
});

describe('Keras / TF.js model.json round trip of the project\'s layers', () => {
  /** The design's Keras layers as a model.json topology, as TF.js saves it. */
  const modelJson = (d: Design): string =>
    JSON.stringify({
      modelTopology: {
        class_name: 'Model',
        config: {
          name: d.name,
          layers: compileGraph(d).layers.map((l) => ({ class_name: l.className, name: l.name, config: { ...l.config, name: l.name }, inbound_nodes: l.inbound.length ? [l.inbound.map((s) => [s, 0, 0, {}])] : [] })),
        },
      },
    });

  for (const [what, d] of [
    ['Upsample2D to its 2nd input\'s size', design('Upsample2D', { mode: 'bilinear', alignCorners: true }, [5, 6, 2], { ref: [11, 13, 1] })],
    ['Upsample2D by 1.5', design('Upsample2D', { scale: 1.5, mode: 'bilinear' }, [5, 6, 2])],
    ['AdaptiveMaxPool2D', design('AdaptiveMaxPool2D', { outputSize: [2, 4] }, [5, 6, 2])],
  ] as const) {
    it(`${what} comes back with the same parameters and inputs`, () => {
      const imported = importModelJson(modelJson(d));
      assert.deepEqual(imported.problems, []);
      const node = imported.design!.nodes.find((n) => n.id === 'layer')!;
      assert.deepEqual(node.params, d.nodes.find((n) => n.id === 'layer')!.params);
      assert.deepEqual(imported.design!.edges.filter((e) => e.target === 'layer').map((e) => e.source), d.edges.filter((e) => e.target === 'layer').map((e) => e.source));
      assert.deepEqual(analyzeDesign(imported.design!).nodes.layer.outputShape, analyzeDesign(d).nodes.layer.outputShape);
    });
  }
});

describe('AdaptiveAvgPool2D and AdaptiveMaxPool2D', () => {
  for (const type of ['AdaptiveAvgPool2D', 'AdaptiveMaxPool2D']) {
    it(`${type}: any input to outputSize, windows and field by PyTorch's rule, no weights`, () => {
      const a = analyzeDesign(design(type, { outputSize: [5, 7] }, [13, 11, 3]));
      assert.ok(a.valid, JSON.stringify(a.diagnostics));
      assert.deepEqual(a.nodes.layer.outputShape, [5, 7, 3]);
      assert.equal(a.nodes.layer.params, 0);
      // 13 → 5: windows of 3 or 4; 11 → 7: windows of 2 or 3.
      assert.deepEqual(a.nodes.layer.receptiveField, [4, 3]);
      assert.match(a.nodes.layer.formulas![0].text, /5 windows of 3 to 4: window i spans ⌊i·13\/5⌋/);
      const uniform = analyzeDesign(design(type, { outputSize: 7 }, [14, 21, 2]));
      assert.match(uniform.nodes.layer.formulas![1].text, /7 windows of 3 \(21 \/ 7\), as pooling 3 with stride 3/);
      assert.deepEqual(uniform.nodes.layer.effectiveStride, [2, 3]);
    });
  }

  it('an output larger than the input warns (windows repeat pixels) and offers the input size', () => {
    const d = design('AdaptiveAvgPool2D', { outputSize: 7 }, [6, 6, 2]);
    const a = analyzeDesign(d);
    assert.ok(a.valid);
    assert.deepEqual(a.nodes.layer.outputShape, [7, 7, 2]);
    const warning = a.diagnostics.find((x) => x.code === 'adaptive-pool-upsamples')!;
    assert.equal(warning.severity, 'warning');
    const after = analyzeDesign(fixed(d, warning, /Pool to 6×6/));
    assert.deepEqual(after.nodes.layer.outputShape, [6, 6, 2]);
    assert.ok(!after.diagnostics.some((x) => x.code === 'adaptive-pool-upsamples'));
  });

  it('a sequence input is an error naming the shape', () => {
    const error = errorOf(design('AdaptiveMaxPool2D', { outputSize: 2 }, [9, 3]))!;
    assert.equal(error.code, 'wrong-input-rank');
    assert.match(error.message, /\[9, 3\]/);
  });

  it('PyTorch gets nn.AdaptiveAvgPool2d / nn.AdaptiveMaxPool2d; Keras and TF.js the project\'s layers', () => {
    assert.match(exportDesign(design('AdaptiveAvgPool2D', { outputSize: [5, 7] }, [13, 11, 3]), 'pytorch').files[0].code, /nn\.AdaptiveAvgPool2d\(\(5, 7\)\)/);
    assert.match(exportDesign(design('AdaptiveMaxPool2D', { outputSize: 7 }, [13, 11, 3]), 'pytorch').files[0].code, /nn\.AdaptiveMaxPool2d\(7\)/);
    const keras = exportDesign(design('AdaptiveAvgPool2D', { outputSize: [5, 7] }, [13, 11, 3]), 'keras').files[0].code;
    assert.match(keras, /class CnnAdaptiveAvgPool2D\(layers\.Layer\)/);
    assert.match(keras, /CnnAdaptiveAvgPool2D\(size=\(5, 7\), name="layer"\)/);
  });
});
