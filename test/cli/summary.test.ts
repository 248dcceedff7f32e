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

/**
 * The table's cells as a reader reads them: an id that breaks over lines after an underscore (hyphen,
 * dot) continues on the next line two columns further right (its continuation indent), and is read whole.
 */
function tableCells(table: string): string[] {
  const lines = table.split('\n').map((l) => [...l.matchAll(/\S+/g)].map((m) => ({ text: m[0], at: m.index! })));
  const read = new Set<string>();
  const cells: string[] = [];
  lines.forEach((tokens, i) => {
    for (const token of tokens) {
      if (read.has(`${i}:${token.at}`)) continue;
      let text = token.text;
      // Ids break after an underscore, hyphen or dot; a piece ending otherwise is whole.
      for (let j = i + 1; /[_.-]$/.test(text) && j < lines.length; j++) {
        const next = lines[j].find((t) => t.at === token.at + 2);
        if (!next) break;
        read.add(`${j}:${next.at}`);
        text += next.text;
      }
      cells.push(text);
    }
  });
  return cells;
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
      const cells = tableCells(table);
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

  it('long ids (module paths) break after an underscore in the name and "Connected to" columns, the rest indented, and fit', () => {
    const long = (i: number) => `features_${i}_0_block_1_scale_activation_of_the_squeeze_excitation`;
    const design = {
      format: 'cnn-designer',
      version: 1,
      name: 'long ids',
      nodes: [
        { id: 'input', type: 'Input', params: { shape: [8, 8, 4] } },
        { id: long(1), type: 'Conv2D', params: { filters: 4, kernelSize: 1 } },
        { id: long(2), type: 'Activation', params: { fn: 'sigmoid' } },
        { id: 'x'.repeat(60), type: 'Multiply', params: {} },
      ],
      edges: [
        { source: 'input', target: long(1) },
        { source: long(1), target: long(2) },
        { source: long(2), target: 'x'.repeat(60) },
        { source: 'input', target: 'x'.repeat(60) },
      ],
      training: {},
    };
    const { analysis, parsed, diagnostics } = analyzeDocument(JSON.stringify(design));
    assert.deepEqual(diagnostics, []);
    const text = formatSummary(parsed.design!, analysis!, diagnostics);
    const lines = text.split('\n');
    for (const line of lines) assert.ok(line.length <= SUMMARY_WIDTH, `${line.length} columns: ${line}`);
    const table = text.slice(text.indexOf('─'), text.indexOf('═'));
    const cells = tableCells(table);
    // Every id is read whole where it is a layer, and again where the next layer reads it.
    for (const id of [long(1), long(2)]) assert.equal(cells.filter((c) => c === id).length, 2, id);
    // An id with no place to break breaks at the column's edge, the rest indented under it.
    const x = lines.findIndex((l) => l.startsWith('x'));
    const pieces = lines.slice(x, lines.findIndex((l) => l.startsWith('(Multiply)'))).map((l) => l.match(/^ *(x+)/)?.[1] ?? '');
    assert.ok(pieces.length >= 2, 'the 60 characters break');
    assert.equal(pieces.join(''), 'x'.repeat(60));
    assert.equal(cells.filter((c) => c === 'input').length, 3);
    // The Multiply's first input starts its row in "Connected to", its second under it at the same column.
    const row = lines.findIndex((l) => l.startsWith('x'));
    const column = lines[row].indexOf('features_2_');
    assert.ok(column > 0);
    assert.ok(lines.slice(row + 1).some((l) => l.indexOf('input') === column), 'the second input lines up under the first');
    const broken = lines.find((l) => l.startsWith('features_1_'))!;
    assert.ok(broken.trimEnd().split(/\s+/)[0].endsWith('_'), `the name breaks after an underscore: ${broken}`);
    assert.match(lines[lines.indexOf(broken) + 1], /^ {2}\S/, 'and goes on indented');
  });
});
