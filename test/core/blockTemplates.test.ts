import { strict as assert } from 'node:assert';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import type { Design } from '../../src/core/design';
import { parseDesign } from '../../src/core/format/parseDesign';
import { serializeDesign } from '../../src/core/format/serializeDesign';
import { BLOCK_TEMPLATE_TOTALS } from '../support/blockTemplateTotals';

const dir = join(__dirname, '..', '..', 'examples');
const read = (name: string): string => readFileSync(join(dir, `${name}.cnn.json`), 'utf8');

/** Nodes as written: the design's own and those of its block definitions. */
const writtenNodes = (design: Design): number => design.nodes.length + Object.values(design.blocks ?? {}).reduce((n, b) => n + b.nodes.length, 0);

/** Each block template and the flat template of the same network, where one ships. */
const TWINS: Record<string, string | undefined> = { 'resnet18-blocks': 'resnet18', 'resnet50-blocks': undefined, 'mobilenet-v2-blocks': 'mobilenet-v2', 'efficientnet-b0-blocks': 'efficientnet-b0' };

describe('templates written with blocks', () => {
  for (const [name, totals] of Object.entries(BLOCK_TEMPLATE_TOTALS)) {
    it(`${name}: torchvision's parameter count, no diagnostics, unchanged round trip`, () => {
      const text = read(name);
      const { analysis, diagnostics, parsed } = analyzeDocument(text);
      assert.deepEqual(diagnostics, []);
      assert.ok(parsed.lossless);
      assert.equal(analysis!.totals.params, totals.params);
      assert.equal(analysis!.totals.trainableParams, totals.trainable);
      assert.deepEqual(analysis!.totals.outputShapes, [totals.output]);
      assert.equal(serializeDesign(parseDesign(text).design!), text);
    });
  }

  for (const [name, flatName] of Object.entries(TWINS)) {
    if (!flatName) continue;
    it(`${name} expands to exactly ${flatName}: totals, and layer by layer shapes, parameters and MACs`, () => {
      const blocks = analyzeDocument(read(name)).analysis!;
      const flat = analyzeDocument(read(flatName)).analysis!;
      assert.deepEqual(blocks.totals, flat.totals);
      assert.equal(blocks.order.length, flat.order.length);
      // The flat templates write "features_2_conv_0_0" for the module path "features.2.conv.0.0".
      const rename: Record<string, string> = { downsample_0: 'downsample_conv', downsample_1: 'downsample_bn' };
      for (const node of Object.values(blocks.nodes)) {
        const id = node.id.replace(/\./g, '_').replace(/downsample_[01]$/, (m) => rename[m]);
        const twin = flat.nodes[id];
        assert.ok(twin, `no twin for ${node.id}`);
        assert.deepEqual([node.type, node.outputShape, node.params, node.macs], [twin.type, twin.outputShape, twin.params, twin.macs], node.id);
      }
    });

    it(`${name} is smaller than ${flatName}: fewer nodes written, a smaller file`, () => {
      const blocks = parseDesign(read(name)).design!;
      const flat = parseDesign(read(flatName)).design!;
      assert.ok(writtenNodes(blocks) < writtenNodes(flat) / 2, `${writtenNodes(blocks)} vs ${writtenNodes(flat)} nodes`);
      assert.ok(statSync(join(dir, `${name}.cnn.json`)).size < statSync(join(dir, `${flatName}.cnn.json`)).size / 2);
    });
  }

  it('ResNet-50 is four stages of one Bottleneck: 3, 4, 6 and 3 copies, 16 residual Adds, 4 downsampled shortcuts', () => {
    const { analysis } = analyzeDocument(read('resnet50-blocks'));
    assert.deepEqual(['layer1', 'layer2', 'layer3', 'layer4'].map((s) => analysis!.instances![s].copies!.length), [3, 4, 6, 3]);
    const types = Object.values(analysis!.nodes).map((n) => n.type);
    assert.equal(types.filter((t) => t === 'Add').length, 16);
    assert.equal(Object.keys(analysis!.nodes).filter((id) => id.endsWith('downsample.0')).length, 4);
    assert.deepEqual(analysis!.nodes['layer4.2.relu3'].outputShape, [7, 7, 2048]);
  });
});
