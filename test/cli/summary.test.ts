import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import { formatSummary, SUMMARY_WIDTH, summaryRows } from '../../src/core/summary/formatSummary';
import { PYTHON } from '../export/support/python';

const ROOT = join(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');

async function summary(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['summary', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const pytorchCount = (text: string): number => Number(text.match(/^PyTorch parameters: ([\d,]+)/m)![1].replace(/,/g, ''));

describe('cnn-designer summary for PyTorch users', () => {
  it('labels output shapes H×W×C (channels last, batch left out)', async () => {
    const { stdout } = await summary(join(EXAMPLES, 'mnist-cnn.cnn.json'));
    const [, header1, header2] = stdout.split('\n');
    assert.match(header1, /^Layer \(type\)\s+Output shape\s+Params\s+MACs\s+Receptive$/);
    assert.equal(header2.indexOf('H×W×C'), header1.indexOf('Output shape'));
    assert.match(stdout, /^Output shapes are H×W×C: channels last, as in Keras \(PyTorch's order is C×H×W\); batch left out\.$/m);
    assert.match(stdout, /conv1 \(Conv2D\)\s+24×24×10\s+260\s+144,000\s+5×5/);
  });

  it('shows the PyTorch count beside Keras\' totals: the same without BatchNorm, without its statistics with it', async () => {
    const mnist = (await summary(join(EXAMPLES, 'mnist-cnn.cnn.json'))).stdout;
    assert.match(mnist, /^Total params: 21,840 /m);
    assert.match(mnist, /^PyTorch parameters: 21,840 \(the same count\)$/m);
    const resnet = (await summary(join(EXAMPLES, 'resnet18.cnn.json'))).stdout;
    assert.match(resnet, /^Total params: 11,699,112 /m);
    assert.match(resnet, /^Non-trainable params: 9,600 /m);
    assert.equal(pytorchCount(resnet), 11_689_512);
    assert.match(resnet.replace(/\n\s+/g, ' '), /the 9,600 non-trainable ones \(BatchNorm's moving mean and variance\) are buffers in PyTorch, not parameters/);
    const json = JSON.parse((await summary(join(EXAMPLES, 'resnet18.cnn.json'), '--json')).stdout);
    assert.equal(json.pytorchParams, 11_689_512);
    assert.equal(json.totalParams, 11_699_112);
  });

  it('the PyTorch count is what torchvision\'s ResNet-18 has', function () {
    this.timeout(120_000);
    const r = spawnSync(PYTHON, ['-c', 'import torchvision; m = torchvision.models.resnet18(); print(sum(p.numel() for p in m.parameters()))'], { encoding: 'utf8' });
    if (r.status !== 0) this.skip(); // Reason: no torchvision in this Python; npm test installs Debian's python3-torchvision.
    const { analysis, parsed, diagnostics } = analyzeDocument(readFileSync(join(EXAMPLES, 'resnet18.cnn.json'), 'utf8'));
    assert.equal(pytorchCount(formatSummary(parsed.design!, analysis!, diagnostics)), Number(r.stdout.trim()));
  });

  for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith('.cnn.json'))) {
    it(`${file}: fits ${SUMMARY_WIDTH} columns and still names every layer, its type and inputs`, async () => {
      const { stdout, code } = await summary(join(EXAMPLES, file));
      assert.equal(code, 0);
      for (const line of stdout.split('\n')) assert.ok(line.length <= SUMMARY_WIDTH, `${line.length} columns: ${line}`);
      const { analysis, parsed } = analyzeDocument(readFileSync(join(EXAMPLES, file), 'utf8'));
      const table = stdout.slice(stdout.indexOf('─'), stdout.indexOf('═'));
      const cells = table.split(/\s+/);
      // A design with blocks shows one row per instance (summary --expand shows their layers).
      const rows = summaryRows(analysis!, false);
      if (!analysis!.expansion) assert.deepEqual(rows.map((r) => r.id), analysis!.order);
      for (const { id, label } of rows) {
        assert.ok(cells.includes(id), `${id} is in the table`);
        assert.ok(cells.includes(`(${label})`) || cells.includes(`${label.split(' ').pop()})`), `${id}'s type`);
      }
      const branched = parsed.design!.edges.some((e, i, all) => all.findIndex((o) => o.target === e.target) !== i);
      if (branched) for (const e of parsed.design!.edges) assert.ok(cells.filter((c) => c === e.source || c === `${e.source},`).length >= 2, `${e.source} → ${e.target}`);
    });
  }

  it('ResNet-18 (127 columns before) fits by shortening MACs and wrapping only the longest names', async () => {
    const { stdout } = await summary(join(EXAMPLES, 'resnet18.cnn.json'));
    const lines = stdout.split('\n');
    assert.ok(Math.max(...lines.map((l) => l.length)) <= 100);
    assert.match(stdout, /^conv1 \(Conv2D\)\s+112×112×64\s+9,408\s+118\.01 M\s+7×7\s+input$/m);
    // The exact total stays.
    assert.match(stdout, /^Multiply-accumulates: 1,814,073,344 \(1\.81 G\)$/m);
    const wrapped = lines.findIndex((l) => l.startsWith('layer2_0_downsample_conv '));
    assert.equal(lines[wrapped + 1], '(Conv2D)');
    assert.match(stdout, /^layer1_0_relu1 \(Activation\)\s/m);
    // An Add lists its inputs one per line, under each other.
    const add = lines.findIndex((l) => l.startsWith('layer1_0_add (Add)'));
    assert.ok(lines[add].endsWith('layer1_0_bn2'));
    assert.equal(lines[add + 1].trim(), 'maxpool');
    assert.equal(lines[add + 1].indexOf('maxpool'), lines[add].indexOf('layer1_0_bn2'));
  });
});
