// The parameter sets the inspector offers as one click: each is valid for its type and changes it.
import { strict as assert } from 'node:assert';
import { analyzeDesign } from '../../../src/core/analysis/analyzeDesign';
import { LAYER_CATALOG } from '../../../src/core/layers/layerCatalog';
import { pyNumber } from '../../../src/core/layers/pytorchCode';
import { chainDesign } from '../../support/designBuilder';

describe('layer presets', () => {
  it("BatchNorm offers PyTorch's defaults: epsilon 1e-5 and Keras momentum 0.9, which its PyTorch export writes as 0.1", () => {
    const batchNorm = LAYER_CATALOG.find((l) => l.type === 'BatchNorm')!;
    const preset = batchNorm.presets?.find((p) => /PyTorch/.test(p.title));
    assert.ok(preset);
    assert.deepEqual(preset.params, { momentum: 0.9, epsilon: 0.00001 });
    const analysis = analyzeDesign(chainDesign([4, 4, 2], [['BatchNorm', preset.params]]));
    const code = batchNorm.toPyTorch(analysis.nodes.l1.resolvedParams as never, [[4, 4, 2]], { module: () => 'self.bn', inputs: ['x'] });
    assert.ok(code.modules[0].init.includes(`eps=${pyNumber(0.00001)}, momentum=0.1)`), code.modules[0].init);
    // Keras' defaults stay the type's own.
    assert.deepEqual(batchNorm.params.map((p) => p.default), [0.99, 0.001]);
  });

  for (const layer of LAYER_CATALOG.filter((l) => l.presets?.length)) {
    it(`${layer.type}: every preset is valid and differs from the defaults`, () => {
      for (const preset of layer.presets!) {
        const shape = [[6, 6, 4], [6, 4], [8]].find((s) => analyzeDesign(chainDesign(s, [[layer.type, preset.params]])).valid);
        assert.ok(shape, `${preset.title} is valid on some input`);
        assert.ok(Object.entries(preset.params).some(([key, value]) => layer.params.find((p) => p.name === key)?.default !== value), `${preset.title} changes something`);
      }
    });
  }
});
