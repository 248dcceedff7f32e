import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  caseTag,
  checkOutputs,
  compareCase,
  convertCases,
  EXPRESSIBLE_CASES,
  formatTable,
  fullRun,
  PROGRESS_CASES,
  torchMissing,
  type CaseResult,
  type ReferenceCase,
} from './referenceCases';

/**
 * torchvision's own networks (random weights) as designs, converted by rule from a torch.fx trace:
 * the analysis must give every layer PyTorch's output shape and the totals PyTorch's parameter
 * counts (ours = PyTorch's trainable + batch-norm statistics). The default run takes a
 * representative subset; CNN_DESIGNER_FULL_REFERENCE=1 runs every network and size.
 */
const pick = (cases: ReferenceCase[]): ReferenceCase[] => (fullRun() ? cases : cases.filter((c) => c.quick));
/**
 * Networks whose PyTorch export runs with their own weights: ResNet-18, the U-Net (transposed
 * convolutions, center-cropped skips) and MobileNetV3-Small (depthwise convolutions,
 * squeeze-and-excitation) by default; the full run adds AlexNet (a Dense after a spatial Flatten:
 * weight columns reordered), GoogLeNet (ceil-mode pooling written as "same"), DenseNet (long
 * Concats), Inception v3 (functional pooling), AlexNet at 193 (AdaptiveAvgPool2D with uneven
 * windows), FCN (bilinear Upsample2D to the image's size) and the grouped-convolution networks
 * (MobileNetV2, MNASNet, ResNeXt, RegNet).
 */
const NUMERIC = fullRun()
  ? [
      'resnet18_3x193x193',
      'unet_1x508x508',
      'alexnet_3x227x227',
      'googlenet_3x193x193',
      'densenet121_3x193x193',
      'inception_v3_3x331x331',
      'squeezenet1_0_3x193x193',
      'alexnet_3x193x193',
      'fcn_resnet50_3x224x224',
      ...['mobilenet_v2', 'mnasnet0_5', 'resnext50_32x4d', 'regnet_x_400mf', 'mobilenet_v3_small', 'regnet_y_400mf'].map((m) => `${m}_3x193x193`),
      'mobilenet_v3_small_3x224x224',
      // DropPath, channel shuffle and slices, LayerNorm with layer scale, and a segmentation head.
      ...['efficientnet_b0', 'shufflenet_v2_x1_0', 'convnext_tiny', 'lraspp_mobilenet_v3_large', 'mobilenet_v3_large'].map((m) => `${m}_3x193x193`),
    ]
  : ['resnet18_3x193x193', 'unet_1x508x508', 'mobilenet_v3_small_3x224x224'];

describe('torchvision reference networks', function () {
  this.timeout(1_800_000);
  let dir = '';
  const expressible = pick(EXPRESSIBLE_CASES);
  const progress = pick(PROGRESS_CASES);

  before(function () {
    const missing = torchMissing();
    if (missing) {
      console.warn(`    skipped: the reference networks come from torchvision, and ${missing}`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'cnn-reference-'));
    mkdirSync(dir, { recursive: true });
    const summary = convertCases([...expressible, ...progress], dir, { saveWeights: NUMERIC });
    if (process.env.CNN_DESIGNER_REFERENCE_VERBOSE) console.log(summary);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('expressible today: every layer\'s shape and the parameter totals equal PyTorch\'s', () => {
    for (const c of expressible) {
      it(`${c.model} at ${c.input.join('×')}`, () => {
        const r = compareCase(c, dir);
        assert.equal(r.status, 'exact', `${caseTag(c)}: ${r.status}: ${r.detail}`);
        assert.equal(r.ourTrainable, r.reference!.totals.params);
        assert.equal(r.ourTotal, r.reference!.totals.params + r.reference!.totals.buffers);
        assert.ok(r.layers > 10, 'the design has the network\'s layers');
      });
    }
  });

  describe('the PyTorch export with the network\'s own weights gives its outputs', () => {
    for (const tag of NUMERIC) {
      it(`${tag}: outputs within 1e-4`, function () {
        const c = EXPRESSIBLE_CASES.find((x) => caseTag(x) === tag)!;
        if (!expressible.includes(c)) {
          console.warn(`    skipped: ${tag} is not in this run's subset (CNN_DESIGNER_FULL_REFERENCE=1 runs it)`);
          this.skip();
        }
        const result = checkOutputs(c, dir);
        assert.deepEqual([result.missing, result.unexpected], [[], []], 'every weight of the export comes from the network');
        assert.equal(result.outputs, result.expectedOutputs);
        assert.ok(!result.shapeMismatch, 'output shapes equal');
        assert.ok(result.maxAbs > 1e-3, 'outputs are not trivially zero');
        assert.ok(result.maxDiff <= 1e-4 * Math.max(1, result.maxAbs), `max difference ${result.maxDiff} (outputs up to ${result.maxAbs})`);
      });
    }
  });

  describe('progress report: networks that need issue 15\'s layer types', () => {
    it('prints the table; any network that needs no new type is exact', () => {
      const results: CaseResult[] = [...expressible, ...progress].map((c) => compareCase(c, dir));
      console.log(`\n${formatTable(results)}\n`);
      const wrong = results.filter((r) => r.status === 'mismatch');
      assert.deepEqual(wrong.map((r) => `${r.tag}: ${r.detail}`), []);
    });
  });
});
