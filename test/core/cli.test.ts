import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';

const root = join(__dirname, '..', '..');

describe('cnn-designer CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnn-cli-'));
  const broken = join(dir, 'broken.cnn.json');
  writeFileSync(broken, '{\n  "format": "cnn-designer",\n  "nodes": [\n');
  const strided = join(dir, 'strided.cnn.json');
  writeFileSync(
    strided,
    JSON.stringify({
      format: 'cnn-designer',
      version: 1,
      name: 's',
      nodes: [
        { id: 'input', type: 'Input', params: { shape: [7, 7, 1] } },
        { id: 'conv', type: 'Conv2D', params: { filters: 2, kernelSize: 3, strides: 3 } },
        { id: 'add', type: 'Add', params: {} },
      ],
      edges: [
        { source: 'input', target: 'conv' },
        { source: 'conv', target: 'add' },
        { source: 'input', target: 'add' },
      ],
    }),
  );

  it('summary prints a Keras-like table with totals', async () => {
    const r = await cli('summary', join(root, 'examples/mnist-cnn.cnn.json'));
    assert.equal(r.code, 0);
    assert.match(r.stdout, /conv1 \(Conv2D\)\s+24×24×10\s+260\s+144,000\s+5×5/);
    assert.match(r.stdout, /Total params: 21,840/);
    assert.match(r.stdout, /No problems found/);
  });

  it('summary --json has the documented fields', async () => {
    const r = await cli('summary', join(root, 'examples/pytorch-tutorial-net.cnn.json'), '--json');
    const json = JSON.parse(r.stdout);
    assert.equal(json.totalParams, 62_006);
    assert.equal(json.trainableParams, 62_006);
    assert.equal(json.nonTrainableParams, 0);
    assert.ok(json.totalMacs > 0);
    const conv1 = json.layers.find((l: { id: string }) => l.id === 'conv1');
    assert.deepEqual(Object.keys(conv1), ['id', 'type', 'outputShape', 'params', 'trainableParams', 'nonTrainableParams', 'macs', 'receptiveField']);
    assert.deepEqual(conv1.outputShape, [28, 28, 6]);
    assert.deepEqual(json.diagnostics, []);
  });

  it('reports diagnostics with fixes and exits 1 on errors', async () => {
    const r = await cli('summary', strided, '--json');
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout);
    const stride = json.diagnostics.find((d: { code: string }) => d.code === 'stride-does-not-fit');
    assert.equal(stride.nodeId, 'conv');
    assert.match(stride.fix, /padding 1/);
    assert.ok(json.diagnostics.some((d: { code: string }) => d.code === 'merge-shape-mismatch'));
    const v = await cli('validate', strided);
    assert.equal(v.code, 1);
    assert.match(v.stdout, /error \[add\]/);
  });

  it('validate exits 0 for a valid design', async () => {
    const r = await cli('validate', join(root, 'examples/resnet18.cnn.json'));
    assert.equal(r.code, 0);
    assert.match(r.stdout, /valid/);
  });

  it('bad input gets a clear message and exit code, never a stack trace', async () => {
    const missing = await cli('summary', join(dir, 'nope.cnn.json'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /No such file/);
    const bad = await cli('validate', broken);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /broken\.cnn\.json:4:1: error: The file is not valid JSON/);
    const folder = await cli('summary', dir);
    assert.match(folder.stderr, /is a folder/);
    const unknown = await cli('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown command/);
    for (const r of [missing, bad, folder, unknown]) assert.doesNotMatch(r.stderr, /at .*\.(ts|js):\d+/);
  });

  it('the built binary runs (bin/cnn-designer.js → dist/cli.js, built by npm test)', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin/cnn-designer.js'), 'summary', join(root, 'examples/vgg16.cnn.json')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Total params: 138,357,544/);
  });
});
