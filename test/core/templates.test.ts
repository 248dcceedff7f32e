import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import { parseDesign } from '../../src/core/format/parseDesign';
import { serializeDesign } from '../../src/core/format/serializeDesign';
import { BLOCK_TEMPLATE_TOTALS } from '../support/blockTemplateTotals';

const dir = join(__dirname, '..', '..', 'examples');

/** Expected totals of every shipped template (course numbers; ResNets, MobileNetV2 and EfficientNet-B0 as torchvision counts them + BN statistics). */
const EXPECTED: Record<string, { params: number; trainable: number; output: number[] }> = {
  'mnist-cnn': { params: 21_840, trainable: 21_840, output: [10] },
  'mnist-ffn': { params: 242_762, trainable: 242_762, output: [10] },
  'mnist-cnn-small': { params: 8_490, trainable: 8_490, output: [10] },
  'cifar-dense-1': { params: 30_730, trainable: 30_730, output: [10] },
  'cifar-dense-2': { params: 394_634, trainable: 394_634, output: [10] },
  'cifar-simple-cnn': { params: 82_826, trainable: 82_826, output: [10] },
  'cifar-3conv': { params: 1_191_170, trainable: 1_191_170, output: [10] },
  'pytorch-tutorial-net': { params: 62_006, trainable: 62_006, output: [10] },
  lenet5: { params: 61_706, trainable: 61_706, output: [10] },
  alexnet: { params: 62_378_344, trainable: 62_378_344, output: [1000] },
  vgg16: { params: 138_357_544, trainable: 138_357_544, output: [1000] },
  resnet18: { params: 11_689_512 + 9_600, trainable: 11_689_512, output: [1000] },
  'mobilenet-v2': { params: 3_504_872 + 34_112, trainable: 3_504_872, output: [1000] },
  resnet50: { params: 25_557_032 + 53_120, trainable: 25_557_032, output: [1000] },
  'efficientnet-b0': { params: 5_288_548 + 42_016, trainable: 5_288_548, output: [1000] },
  'resnet18-blocks': { params: 11_689_512 + 9_600, trainable: 11_689_512, output: [1000] },
  // The paper's U-Net, as the converter writes the reference network (the reference tests check it node for node).
  unet: { params: 31_030_658, trainable: 31_030_658, output: [388, 388, 2] },
  // M5-style: convolutions 10,368 + 49,280 + 98,560 + 393,728, batch norm 2 × 1,024 (+ 2,048 statistics), Dense 17,955.
  'audio-1d-cnn': { params: 571_939 + 2_048, trainable: 571_939, output: [35] },
};

describe('templates', () => {
  // Templates written with blocks have their own table (test/core/blockTemplates.test.ts checks them).
  const files = readdirSync(dir).filter((f) => f.endsWith('.cnn.json') && !(f.replace('.cnn.json', '') in BLOCK_TEMPLATE_TOTALS));

  it('ships every expected template and nothing untested', () => {
    assert.deepEqual(files.map((f) => f.replace('.cnn.json', '')).sort(), Object.keys(EXPECTED).sort());
  });

  for (const file of files) {
    const name = file.replace('.cnn.json', '');
    it(`${name}: totals, no diagnostics, unchanged round trip`, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const { analysis, diagnostics, parsed } = analyzeDocument(text);
      assert.deepEqual(diagnostics, []);
      assert.ok(parsed.lossless);
      assert.equal(analysis!.totals.params, EXPECTED[name].params);
      assert.equal(analysis!.totals.trainableParams, EXPECTED[name].trainable);
      assert.deepEqual(analysis!.totals.outputShapes, [EXPECTED[name].output]);
      assert.equal(serializeDesign(parseDesign(text).design!), text);
    });
  }

  it('ResNet-18 has torchvision\'s shapes: 56×56×64 after the stem, 7×7×512 before pooling, 8 residual Adds', () => {
    const { analysis } = analyzeDocument(readFileSync(join(dir, 'resnet18.cnn.json'), 'utf8'));
    assert.deepEqual(analysis!.nodes.maxpool.outputShape, [56, 56, 64]);
    assert.deepEqual(analysis!.nodes.layer4_1_relu2.outputShape, [7, 7, 512]);
    assert.equal(Object.values(analysis!.nodes).filter((n) => n.type === 'Add').length, 8);
  });

  it('MobileNetV2 has torchvision\'s shapes: 112×112×32 after the stem, 7×7×1280 before pooling, 17 depthwise convolutions, 10 residual Adds', () => {
    const { analysis } = analyzeDocument(readFileSync(join(dir, 'mobilenet-v2.cnn.json'), 'utf8'));
    assert.deepEqual(analysis!.nodes.features_0_2.outputShape, [112, 112, 32]);
    assert.deepEqual(analysis!.nodes.features_18_2.outputShape, [7, 7, 1280]);
    const depthwise = Object.values(analysis!.nodes).filter((n) => n.type === 'Conv2D' && n.resolvedParams!.groups === n.inputShapes[0][2] && n.inputShapes[0][2] > 1);
    assert.equal(depthwise.length, 17);
    assert.equal(Object.values(analysis!.nodes).filter((n) => n.type === 'Add').length, 10);
  });

  it('ResNet-50 has torchvision\'s shapes: 56×56×256 after the first stage, 7×7×2048 before pooling, 16 residual Adds, 4 projection shortcuts', () => {
    const { analysis } = analyzeDocument(readFileSync(join(dir, 'resnet50.cnn.json'), 'utf8'));
    assert.deepEqual(analysis!.nodes.layer1_2_relu3.outputShape, [56, 56, 256]);
    assert.deepEqual(analysis!.nodes.layer4_2_relu3.outputShape, [7, 7, 2048]);
    assert.equal(Object.values(analysis!.nodes).filter((n) => n.type === 'Add').length, 16);
    assert.equal(Object.keys(analysis!.nodes).filter((id) => id.endsWith('_downsample_0')).length, 4);
  });

  it('EfficientNet-B0 has torchvision\'s shapes: 16 squeeze-and-excitation gates, 9 residual Adds behind DropPath, 7×7×1280 before pooling', () => {
    const { analysis } = analyzeDocument(readFileSync(join(dir, 'efficientnet-b0.cnn.json'), 'utf8'));
    assert.deepEqual(analysis!.nodes.features_0_2.outputShape, [112, 112, 32]);
    assert.deepEqual(analysis!.nodes.features_8_2.outputShape, [7, 7, 1280]);
    const gates = Object.values(analysis!.nodes).filter((n) => n.type === 'Multiply');
    assert.equal(gates.length, 16);
    for (const gate of gates) assert.deepEqual(gate.inputShapes[0], [1, 1, gate.outputShape![2]], `${gate.id}: a 1×1 gate per channel`);
    assert.equal(Object.values(analysis!.nodes).filter((n) => n.type === 'Add').length, 9);
    assert.equal(Object.values(analysis!.nodes).filter((n) => n.type === 'DropPath').length, 9);
  });
});
