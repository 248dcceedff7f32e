// The channel-wise layer types against PyTorch's own modules: small networks built from ConvNeXt's
// block (LayerNorm, LayerScale, StochasticDepth; a plain 7×7 convolution where ConvNeXt's is
// depthwise), ShuffleNet v2's unit (chunk, channel_shuffle; no depthwise convolution) and
// GroupNorm / InstanceNorm2d / PReLU / Dropout2d / nn.ChannelShuffle / split / LayerNorm on a
// vector, converted by the reference converter's rules: every node's shape and parameters equal
// PyTorch's, and the design's PyTorch export, loaded with the network's weights, gives its outputs.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPython } from '../export/support/python';
import { checkOutputs, compareCase, torchMissing, type ReferenceCase } from './referenceCases';

const CASES: ReferenceCase[] = [
  { model: 'convnext_plain', input: [3, 32, 32] },
  { model: 'shufflenet_plain', input: [3, 16, 16] },
  { model: 'norms_net', input: [3, 15, 15] },
];

/** The layer types each network must be written with (so a converter rule that stopped firing shows). */
const USES: Record<string, string[]> = {
  convnext_plain: ['LayerNorm', 'LayerScale', 'DropPath'],
  shufflenet_plain: ['ChannelShuffle', 'ChannelSlice'],
  norms_net: ['GroupNorm', 'InstanceNorm', 'PReLU', 'SpatialDropout2D', 'ChannelShuffle', 'ChannelSlice', 'LayerNorm'],
};

describe('channel-wise layers against PyTorch modules (ConvNeXt block, ShuffleNet unit, norms)', function () {
  this.timeout(600_000);
  let dir = '';

  before(function () {
    const missing = torchMissing();
    if (missing) {
      console.warn(`    skipped: the networks are PyTorch modules, and ${missing}`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'cnn-channel-blocks-'));
    runPython([join(__dirname, 'channelBlocksToDesign.py'), dir], { env: { PYTHONWARNINGS: 'ignore' } });
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    it(`${c.model}: every node's shape and parameters equal PyTorch's, and the export with its weights gives its outputs`, () => {
      const r = compareCase(c, dir);
      assert.equal(r.status, 'exact', `${r.status}: ${r.detail}`);
      const design = JSON.parse(readFileSync(join(dir, `${c.model}_${c.input.join('x')}.cnn.json`), 'utf8')) as { nodes: { type: string }[] };
      for (const type of USES[c.model]) assert.ok(design.nodes.some((n) => n.type === type), `${c.model} has a ${type}`);
      const result = checkOutputs(c, dir);
      assert.deepEqual([result.missing, result.unexpected], [[], []], 'every weight of the export comes from the network');
      assert.ok(!result.shapeMismatch, 'output shapes equal');
      assert.ok(result.maxAbs > 1e-3, 'outputs are not trivially zero');
      assert.ok(result.maxDiff <= 1e-4 * Math.max(1, result.maxAbs), `max difference ${result.maxDiff} (outputs up to ${result.maxAbs})`);
    });
  }
});
