import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

describe('cnn-designer with blocks from another file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnn-block-files-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const resnet = JSON.parse(readFileSync(join(EXAMPLES, 'resnet18-blocks.cnn.json'), 'utf8'));
  // The example's BasicBlock moved into a library in a sibling folder; the design takes it from there.
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'resnet-blocks.cnn.json'), `${JSON.stringify({ format: 'cnn-designer', version: 1, name: 'ResNet blocks', blocks: resnet.blocks, nodes: [], edges: [] }, null, 2)}\n`);
  const design = (from: string) => `${JSON.stringify({ ...resnet, blocks: { BasicBlock: { from } } }, null, 2)}\n`;
  const good = join(dir, 'net', 'resnet18.cnn.json');
  mkdirSync(join(dir, 'net'));
  writeFileSync(good, design('../lib/resnet-blocks.cnn.json'));

  it('summary reads the block from the file the path names, relative to the design, with the totals of the example', async () => {
    const imported = await cli('summary', good);
    assert.equal(imported.code, 0, imported.stderr);
    const example = await cli('summary', join(EXAMPLES, 'resnet18-blocks.cnn.json'));
    const totals = (text: string) => text.slice(text.indexOf('Total params'));
    assert.match(imported.stdout, /^layer2 \(2 × BasicBlock\)\s+28×28×128\s+526,848\b/m);
    assert.equal(totals(imported.stdout), totals(example.stdout));
  });

  it('validate reports a missing file and a missing block at the line of "from"', async () => {
    const missing = join(dir, 'net', 'missing.cnn.json');
    writeFileSync(missing, design('./resnet-blocks.cnn.json'));
    const { code, stdout } = await cli('validate', missing);
    assert.equal(code, 1);
    const line = design('./x').split('\n').findIndex((l) => l.includes('"from"')) + 1;
    assert.match(stdout, new RegExp(`missing\\.cnn\\.json:${line}:\\d+: error: Block "BasicBlock": There is no file \\./resnet-blocks\\.cnn\\.json`));

    const wrongBlock = join(dir, 'net', 'wrong-block.cnn.json');
    writeFileSync(wrongBlock, `${JSON.stringify({ ...resnet, blocks: { BasicBlock: { from: '../lib/resnet-blocks.cnn.json', block: 'BasicBlok' } } }, null, 2)}\n`);
    const wrong = await cli('validate', wrongBlock);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /has no block "BasicBlok"; its blocks: BasicBlock\. Did you mean "BasicBlock"\?\n {4}fix: Change "block" to "BasicBlock"/);
  });

  it('export writes the block\'s class from the other file, and train refuses a design whose block file is missing', async () => {
    const { code, stdout } = await cli('export', good, '--to', 'pytorch');
    assert.equal(code, 0);
    assert.match(stdout, /class BasicBlock\(nn\.Module\)/);
    const missing = join(dir, 'net', 'missing-train.cnn.json');
    writeFileSync(missing, design('./nowhere.cnn.json'));
    const train = await cli('train', missing, '--epochs', '1');
    assert.equal(train.code, 1);
    assert.match(train.stderr, /There is no file \.\/nowhere\.cnn\.json/);
  });
});
