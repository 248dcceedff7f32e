/**
 * The command line's ONNX path: export a design to .onnx (untrained and with a run's weights),
 * import it back with its weights, and the weights fit the imported design's exports.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import { decodeOnnxModel, encodeOnnxModel } from '../../src/core/onnx/onnxModel';
import { cli } from '../support/cli';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'mnist-cnn.cnn.json');

describe('cnn-designer export --to onnx and import MODEL.onnx', function () {
  this.timeout(120_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnn-onnx-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exports, imports with weights, and the weights convert for the PyTorch export of the imported design', async () => {
    const onnx = join(dir, 'mnist.onnx');
    const exported = await cli('export', EXAMPLE, '--to', 'onnx', '-o', onnx);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /wrote .*mnist\.onnx \(ONNX opset 17, untrained weights\)/);

    const design = join(dir, 'imported.cnn.json');
    const imported = await cli('import', onnx, '-o', design);
    assert.equal(imported.code, 0, imported.stderr);
    assert.ok(existsSync(join(dir, 'imported.weights', 'model.json')));
    const before = analyzeDocument(readFileSync(EXAMPLE, 'utf8')).analysis!;
    const after = analyzeDocument(readFileSync(design, 'utf8')).analysis!;
    assert.equal(after.totals.params, before.totals.params);

    const pytorch = await cli('export', design, '--to', 'pytorch', '--weights', join(dir, 'imported.weights', 'model.json'), '-o', join(dir, 'torch'));
    assert.equal(pytorch.code, 0, pytorch.stderr);
    const again = await cli('export', design, '--to', 'onnx', '--weights', join(dir, 'imported.weights', 'model.json'), '-o', join(dir, 'again.onnx'));
    assert.equal(again.code, 0, again.stderr);
    // The same weights went out and came back: the initializers match the first export's.
    const first = decodeOnnxModel(readFileSync(onnx));
    const second = decodeOnnxModel(readFileSync(join(dir, 'again.onnx')));
    const weightsOf = (m: typeof first) => m.graph.initializers.filter((t) => t.floats && t.name.includes('.')).map((t) => Array.from(t.floats!.slice(0, 5)));
    assert.deepEqual(weightsOf(second), weightsOf(first));
  });

  it('an ONNX export needs -o, and a broken file is refused with the reason, writing nothing', async () => {
    const noOutput = await cli('export', EXAMPLE, '--to', 'onnx');
    assert.equal(noOutput.code, 2);
    assert.match(noOutput.stderr, /binary file: give it a name with -o/);
    const broken = join(dir, 'broken.onnx');
    writeFileSync(broken, readFileSync(join(dir, 'mnist.onnx')).subarray(0, 100));
    const result = await cli('import', broken, '-o', join(dir, 'broken.cnn.json'));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Not a readable ONNX file/);
    assert.equal(existsSync(join(dir, 'broken.cnn.json')), false);
  });

  it('a stranger\'s node name with line breaks cannot rewrite the terminal', async () => {
    const model = decodeOnnxModel(readFileSync(join(dir, 'mnist.onnx')));
    model.graph.nodes[0] = { ...model.graph.nodes[0], name: 'evil\r\n\u001b[2Jname', opType: 'Weird\nOp' };
    const file = join(dir, 'evil.onnx');
    writeFileSync(file, encodeOnnxModel(model));
    const result = await cli('import', file);
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stderr, /[\r\u001b]|Weird\nOp/);
    assert.match(result.stderr, /evil\\r\\n\\u001b\[2Jname/);
  });
});
