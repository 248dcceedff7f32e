// The receptive fields the analysis reports for the shipped templates, and the rule that a layer
// takes no field from an input broadcast along space (squeeze-and-excitation gates).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import { emptyDesign } from '../../src/core/design';

const dir = join(__dirname, '..', '..', 'examples');

/**
 * Fields at 224 px (U-Net at its own size): 1 + Σ (kᵢ − 1)·Π strides before i over the longest
 * path. VGG16's 212 is the standard figure; EfficientNet-B0's 851 is its main path by that rule
 * (stem 3 → 851 through the depthwise 3×3/5×5 convolutions), the SE gates adding nothing.
 */
const FIELDS: Record<string, number> = {
  'vgg16.cnn.json': 212,
  'resnet18.cnn.json': 435,
  'resnet18-blocks.cnn.json': 435,
  'resnet50.cnn.json': 427,
  'resnet50-blocks.cnn.json': 427,
  'mobilenet-v2.cnn.json': 491,
  'mobilenet-v2-blocks.cnn.json': 491,
  'efficientnet-b0.cnn.json': 851,
  'efficientnet-b0-blocks.cnn.json': 851,
  'unet.cnn.json': 200,
  'densenet121-blocks.cnn.json': 2071,
};

describe('template receptive fields', () => {
  for (const [file, field] of Object.entries(FIELDS)) {
    it(`${file}: ${field}×${field}`, () => {
      const { analysis } = analyzeDocument(readFileSync(join(dir, file), 'utf8'));
      assert.deepEqual(analysis!.totals.receptiveField, [field, field]);
    });
  }
});

describe('receptive field through a broadcast input', () => {
  /** input → conv a (k) and conv b (k2) → Multiply, optionally with b globally pooled (kept dims). */
  function product(k: number, k2: number, pooled: boolean) {
    const d = emptyDesign('m');
    d.nodes = [
      { id: 'input', type: 'Input', params: { shape: [16, 16, 4] } },
      { id: 'a', type: 'Conv2D', params: { filters: 4, kernelSize: k, padding: 'same' } },
      { id: 'b', type: 'Conv2D', params: { filters: 4, kernelSize: k2, padding: 'same' } },
      ...(pooled ? [{ id: 'pool', type: 'GlobalAvgPool2D', params: { keepDims: true } }] : []),
      { id: 'm', type: 'Multiply', params: {} },
    ];
    d.edges = [
      { source: 'input', target: 'a' },
      { source: 'input', target: 'b' },
      ...(pooled ? [{ source: 'b', target: 'pool' }, { source: 'pool', target: 'm' }] : [{ source: 'b', target: 'm' }]),
      { source: 'a', target: 'm' },
    ];
    return analyzeDesign(d);
  }

  it('a Multiply by a 1×1×C tensor from a global pool adds no field', () => {
    const a = product(3, 5, true);
    assert.ok(a.valid, JSON.stringify(a.diagnostics));
    assert.deepEqual(a.nodes.pool.receptiveField, [20, 20], 'the pool itself sees the whole input');
    assert.deepEqual(a.nodes.m.receptiveField, [3, 3]);
    assert.deepEqual(a.totals.receptiveField, [3, 3]);
  });

  it('a Multiply of two full-size maps takes the larger field', () => {
    const a = product(3, 5, false);
    assert.ok(a.valid, JSON.stringify(a.diagnostics));
    assert.deepEqual(a.nodes.m.receptiveField, [5, 5]);
    assert.deepEqual(a.totals.receptiveField, [5, 5]);
  });
});
