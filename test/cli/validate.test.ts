import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';

const design = (nodes: unknown[], edges: unknown[]): string => `${JSON.stringify({ format: 'cnn-designer', version: 1, name: 'd', nodes, edges }, null, 2)}\n`;

describe('cnn-designer validate output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnn-validate-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints every diagnostic with its fixes under it, on stdout, in the order of the file', async () => {
    const file = join(dir, 'typo.cnn.json');
    writeFileSync(
      file,
      design(
        [
          { id: 'input', type: 'Input', params: { shape: [28, 28, 1] } },
          { id: 'conv1', type: 'Conv2D', params: { filters: 8, kernelSize: 3 } },
          { id: 'conv2', type: 'Conv2D', params: { filters: 8, kernelSize: 3 } },
          { id: 'pool', type: 'MaxPool2D', params: { poolSize: 2 } },
        ],
        [
          { source: 'input', target: 'conv1' },
          { source: 'conv_1', target: 'conv2' },
          { source: 'conv2', target: 'pool' },
        ],
      ),
    );
    const r = await cli('validate', file);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    const reported = lines.filter((l) => !l.startsWith('    fix: '));
    const lineNumbers = reported.map((l) => Number(l.slice(file.length).match(/^:(\d+):/)![1]));
    assert.deepEqual(lineNumbers, [...lineNumbers].sort((a, b) => a - b), 'in file order');
    assert.deepEqual(lines, [
      `${file}:17:5: warning [conv1]: The output of "conv1" is not used by any layer, so the model gets a second output besides "pool". The connection conv_1 → conv2 probably means it.`,
      '    fix: Connect conv1 → conv2 instead ("conv1" for "conv_1")',
      `${file}:25:5: error [conv2]: Conv 2D "conv2" has no input: connect a layer (or the Input) to it. Its connection from "conv_1" names no layer of this design.`,
      '    fix: Connect conv1 → conv2 instead ("conv1" for "conv_1")',
      `${file}:46:5: error: The connection conv_1 → conv2 refers to "conv_1", which is not a node of this design. Did you mean "conv1"?`,
      '    fix: Connect conv1 → conv2 instead ("conv1" for "conv_1")',
      '    fix: Remove this connection',
    ]);
  });

  it('a formula both axes share prints once, and a window that does not fit says so in words', async () => {
    const file = join(dir, 'window.cnn.json');
    writeFileSync(
      file,
      design(
        [
          { id: 'input', type: 'Input', params: { shape: [4, 4, 1] } },
          { id: 'c', type: 'Conv2D', params: { filters: 1, kernelSize: 5 } },
        ],
        [{ source: 'input', target: 'c' }],
      ),
    );
    const r = await cli('validate', file);
    assert.match(r.stdout, /so there is no output\. height and width: ⌊\(4 \+ 2·0 − 5\) \/ 1⌋ \+ 1 = 0, so no window fits\.\n/);
    assert.doesNotMatch(r.stdout, /none/);
    const uneven = join(dir, 'uneven.cnn.json');
    writeFileSync(
      uneven,
      design(
        [
          { id: 'input', type: 'Input', params: { shape: [9, 10, 1] } },
          { id: 'c', type: 'Conv2D', params: { filters: 1, kernelSize: 2, strides: 2 } },
        ],
        [{ source: 'input', target: 'c' }],
      ),
    );
    assert.match((await cli('validate', uneven)).stdout, /with a 2×2 window: height: \(9 − 2 \+ 0\) \/ 2 \+ 1 = 4\.5, not a whole number/);
  });
});
