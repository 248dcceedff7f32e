// Relations that must hold for every input, checked on generated cases with fast-check.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { analyzeChain, chainDesign } from '../support/designBuilder';

describe('properties of the analysis', () => {
  it('convolution output size is ⌊(W − F + 2P) / S⌋ + 1 per axis, or an error when the window does not fit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), (h, w, fh, fw, sh, sw, p) => {
        const a = analyzeChain([h, w, 2], [['Conv2D', { filters: 3, kernelSize: [fh, fw], strides: [sh, sw], padding: p }]]);
        const oh = Math.floor((h - fh + 2 * p) / sh) + 1;
        const ow = Math.floor((w - fw + 2 * p) / sw) + 1;
        if (h + 2 * p < fh || w + 2 * p < fw) {
          assert.equal(a.last.outputShape, undefined);
          assert.ok(a.diagnostics.some((d) => d.code === 'window-larger-than-input'));
        } else {
          assert.deepEqual(a.last.outputShape, [oh, ow, 3]);
          assert.equal(a.last.params, fh * fw * 2 * 3 + 3);
          assert.equal(a.last.macs, oh * ow * 3 * fh * fw * 2);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('"same" padding keeps ⌈W / S⌉, as Keras and TensorFlow do', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 4 }), (w, f, s) => {
        const a = analyzeChain([w, w, 1], [['MaxPool2D', { poolSize: f, strides: s, padding: 'same' }]]);
        assert.deepEqual(a.last.outputShape, [Math.ceil(w / s), Math.ceil(w / s), 1]);
      }),
      { numRuns: 500 },
    );
  });

  it('every fix offered for a stride that does not fit, once applied, leaves a design whose stride fits', () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 40 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 2 }), (w, f, s, p) => {
        const design = chainDesign([w, w, 1], [['Conv2D', { filters: 1, kernelSize: f, strides: s, padding: p }]]);
        const warning = analyzeDesign(design).diagnostics.find((d) => d.code === 'stride-does-not-fit');
        if (!warning) return;
        assert.ok(warning.fixes.length >= 2, 'at least a padding or stride fix and "same"');
        for (const fix of warning.fixes) {
          assert.equal(fix.edit?.kind, 'setParams');
          if (fix.edit?.kind !== 'setParams') continue;
          const fixed = structuredClone(design);
          Object.assign(fixed.nodes[1].params, fix.edit.params);
          const after = analyzeDesign(fixed);
          assert.ok(!after.diagnostics.some((d) => d.code === 'stride-does-not-fit'), `${fix.title} still does not fit`);
          assert.ok(after.valid, `${fix.title} made the design invalid`);
          checked++;
        }
      }),
      { numRuns: 1500 },
    );
    assert.ok(checked > 100);
  });

  it('the receptive field never shrinks along a chain, and grows by (F − 1) · jump at each window', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 6 }), (layers) => {
        const a = analyzeChain([512, 512, 1], layers.map(([f, s]) => ['Conv2D', { filters: 1, kernelSize: f, strides: s, padding: 'same' }]));
        let rf = 1;
        let jump = 1;
        layers.forEach(([f, s], i) => {
          rf += (f - 1) * jump;
          jump *= s;
          assert.deepEqual(a.nodes[`l${i + 1}`].receptiveField, [rf, rf]);
          assert.deepEqual(a.nodes[`l${i + 1}`].effectiveStride, [jump, jump]);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('Concat adds channels and Add keeps the shape, for any number of branches', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 6 }), (filters) => {
        const design = chainDesign([6, 6, 2], []);
        filters.forEach((f, i) => {
          design.nodes.push({ id: `b${i}`, type: 'Conv2D', params: { filters: f, kernelSize: 3, padding: 'same' } });
          design.edges.push({ source: 'input', target: `b${i}` });
        });
        design.nodes.push({ id: 'cat', type: 'Concat', params: {} });
        filters.forEach((_, i) => design.edges.push({ source: `b${i}`, target: 'cat' }));
        const a = analyzeDesign(design);
        assert.deepEqual(a.nodes.cat.outputShape, [6, 6, filters.reduce((x, y) => x + y, 0)]);
        design.nodes[design.nodes.length - 1].type = 'Add';
        const b = analyzeDesign(design);
        assert.equal(b.valid, filters.every((f) => f === filters[0]));
      }),
      { numRuns: 300 },
    );
  });
});
