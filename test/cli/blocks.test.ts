import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

describe('cnn-designer with blocks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnn-blocks-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const blocks = join(EXAMPLES, 'resnet18-blocks.cnn.json');

  it('summary shows each instance as one row with its totals, and the same totals as the flat design', async () => {
    const { code, stdout } = await cli('summary', blocks);
    assert.equal(code, 0);
    assert.match(stdout, /^layer2 \(2 × BasicBlock\)\s+28×28×128\s+526,848\s+411,041,792\s+99×99\s+layer1$/m);
    assert.doesNotMatch(stdout, /layer2\.0\.conv1/);
    const flat = (await cli('summary', join(EXAMPLES, 'resnet18.cnn.json'))).stdout;
    const totals = (text: string) => text.slice(text.indexOf('Total params'));
    assert.equal(totals(stdout), totals(flat));
  });

  it('summary --expand lists every layer inside the instances', async () => {
    const { stdout } = await cli('summary', '--expand', blocks);
    assert.match(stdout, /^layer2\.0\.downsample\.0 \(Conv2D\)\s+28×28×128\s+8,192\b/m);
    assert.doesNotMatch(stdout, /^layer2\.1\.downsample/m);
  });

  it('summary --json lists the instances with their arguments and sums', async () => {
    const json = JSON.parse((await cli('summary', '--json', blocks)).stdout);
    const copy = json.instances.find((i: { id: string }) => i.id === 'layer3.0');
    assert.deepEqual(copy.args, { planes: 256, stride: 2, downsample: true });
    assert.equal(copy.params, json.layers.filter((l: { id: string }) => l.id.startsWith('layer3.0.')).reduce((a: number, l: { params: number }) => a + l.params, 0));
  });

  it('validate reports a problem inside a block at its line in the definition, naming the instance', async () => {
    const design = JSON.parse(readFileSync(blocks, 'utf8'));
    design.nodes.find((n: { id: string }) => n.id === 'layer3').params.planes = 0;
    design.nodes.find((n: { id: string }) => n.id === 'layer4').params = { plane: 512 };
    const text = `${JSON.stringify(design, null, 2)}\n`;
    const file = join(dir, 'broken.cnn.json');
    writeFileSync(file, text);
    const { code, stdout } = await cli('validate', file);
    assert.equal(code, 1);
    const lines = text.split('\n');
    const located = [...stdout.matchAll(/^.*broken\.cnn\.json:(\d+):\d+: error \[(\w+)\]: (.*)$/gm)];
    const inside = located.find((m) => m[2] === 'layer3' && m[3].startsWith('In layer3.0 (BasicBlock), where "$planes" is 0, layer "conv1"'));
    assert.ok(inside, stdout);
    assert.match(lines[Number(inside[1]) - 1], /"filters": "\$planes"/);
    const argument = located.find((m) => m[2] === 'layer4');
    assert.ok(argument, stdout);
    assert.match(lines[Number(argument[1]) - 1], /"plane": 512/);
    assert.match(stdout, /Did you mean "planes"\?[^\n]*\n    fix: Rename the argument to "planes"/);
  });
});
