import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';

const ROOT = join(__dirname, '..', '..');

describe('cnn-designer import of a file that is already a design', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnn-import-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('says it is already a design, whatever the file is called, and writes nothing', async () => {
    const renamed = join(dir, 'model.json');
    copyFileSync(join(ROOT, 'examples', 'lenet5.cnn.json'), renamed);
    for (const file of [join(ROOT, 'examples', 'lenet5.cnn.json'), renamed]) {
      const out = join(dir, 'out.cnn.json');
      const r = await cli('import', file, '-o', out);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `cnn-designer import: ${file} is already a design (format "cnn-designer"); import reads a Keras or TF.js model.json. Use the design as it is: cnn-designer summary, validate, export or train.\n`);
      assert.ok(!existsSync(out));
    }
  });
});
