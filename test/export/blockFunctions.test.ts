import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Design } from '../../src/core/design';
import { compileGraph } from '../../src/core/export/compileGraph';
import { exportDesign } from '../../src/core/export/exportDesign';
import { isKerasDefault } from '../../src/core/export/kerasArguments';
import { parseDesign } from '../../src/core/format/parseDesign';
import { runPython } from './support/python';
import { loadTfjsExport, randomInput, randomizeWeights, usePlainCpuBackend } from './support/tfjsExport';

const examples = join(__dirname, '..', '..', 'examples');
const template = (file: string): Design => parseDesign(readFileSync(join(examples, file), 'utf8')).design!;

/** Python's own parser on exported code: true when it is valid Python (no TensorFlow needed). */
function pythonParses(code: string): { ok: boolean; error: string } {
  const r = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: code, encoding: 'utf8' });
  return { ok: r.status === 0, error: r.stderr };
}

describe('Keras and TF.js export of blocks: one function per block', () => {
  before(usePlainCpuBackend);

  it('Keras: def bottleneck(x, name, planes=64, stride=1, downsample=False), called once per copy, valid Python', () => {
    const code = exportDesign(template('resnet50-blocks.cnn.json'), 'keras').files[0].code;
    assert.match(code, /^def bottleneck\(x, name, planes=64, stride=1, downsample=False\):$/m);
    assert.equal(code.match(/= bottleneck\(/g)!.length, 3 + 4 + 6 + 3);
    assert.match(code, /layer2_0 = bottleneck\(layer1_2, "layer2_0", planes=128, stride=2, downsample=True\)/);
    assert.match(code, /if downsample:\n\s+downsample_0 = layers\.Conv2D\(filters=\(planes \* 4\), kernel_size=\(1, 1\), strides=\(stride, stride\), /);
    assert.match(code, /name=name \+ "_conv3"/);
    const parsed = pythonParses(code);
    assert.ok(parsed.ok, parsed.error);
  });

  it('Keras: MobileNetV2 with its two blocks is valid Python and has the residual as a condition', () => {
    const code = exportDesign(template('mobilenet-v2-blocks.cnn.json'), 'keras').files[0].code;
    assert.match(code, /^def inverted_residual\(x, name, hidden=96, out=24, stride=1, residual=False\):$/m);
    assert.equal(code.match(/= inverted_residual\(/g)!.length, 16);
    assert.match(code, /if residual:\n\s+add = layers\.Add\(name=name \+ "_add"\)\(\[conv_3, x\]\)\n\s+else:\n\s+add = conv_3/);
    const parsed = pythonParses(code);
    assert.ok(parsed.ok, parsed.error);
  });

  for (const file of ['resnet18-blocks.cnn.json', 'resnet50-blocks.cnn.json', 'mobilenet-v2-blocks.cnn.json', 'densenet121-blocks.cnn.json']) {
    it(`Keras: ${file}'s functions build the layers of the flat export, with the same arguments and wiring`, () => {
      const design = template(file);
      const graph = compileGraph(design);
      const dir = mkdtempSync(join(tmpdir(), 'cnn-keras-blocks-'));
      /** The layers the file builds (run against stand-ins for TensorFlow), Keras' defaults left out as the flat export leaves them. */
      const trace = (code: string): Record<string, { className: string; kwargs: Record<string, unknown>; inputs: string[] }> => {
        const path = join(dir, 'model.py');
        writeFileSync(path, code);
        const built = JSON.parse(runPython([join(__dirname, 'support', 'kerasTrace.py'), path]).stdout.trim().split('\n').pop()!);
        for (const [name, layer] of Object.entries(built as Record<string, { kwargs: Record<string, unknown> }>)) {
          const spec = graph.layers.find((l) => l.name === name);
          if (!spec) continue;
          for (const [key, value] of Object.entries(layer.kwargs)) if (isKerasDefault(spec, key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), value)) delete layer.kwargs[key];
        }
        return built;
      };
      try {
        const withFunctions = exportDesign(design, 'keras').files[0].code;
        assert.match(withFunctions, /^def [a-z_]+\(x, name, /m);
        const flat = trace(exportDesign(graph.design, 'keras').files[0].code);
        assert.equal(Object.keys(flat).length, graph.layers.length);
        assert.deepEqual(trace(withFunctions), flat);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('names from the design become identifiers: a block and parameters named like keywords', () => {
    const design = template('resnet18-blocks.cnn.json');
    const block = design.blocks!.BasicBlock;
    design.blocks = { class: block };
    for (const n of design.nodes) if (n.type === 'BasicBlock') n.type = 'class';
    const keras = exportDesign(design, 'keras').files[0].code;
    assert.match(keras, /^def class_\(x, name, /m);
    assert.ok(pythonParses(keras).ok);
    const js = exportDesign(design, 'tfjs').files[0].code;
    assert.match(js, /^function class_\(x, name, /m);
    assert.doesNotThrow(() => new Function('require', 'module', 'exports', js));
  });

  it('TF.js: ResNet-18 with blocks builds from basicBlock() calls and computes what the flat export computes', () => {
    const design = template('resnet18-blocks.cnn.json');
    // A smaller image keeps the test quick; every layer is the same.
    design.nodes.find((n) => n.id === 'input')!.params.shape = [64, 64, 3];
    const code = exportDesign(design, 'tfjs').files[0].code;
    assert.match(code, /^function basicBlock\(x, name, \{ planes = 64, stride = 1, downsample = false \} = \{\}\) \{$/m);
    assert.equal(code.match(/= basicBlock\(/g)!.length, 8);
    const flatCode = exportDesign(compileGraph(design).design, 'tfjs').files[0].code;
    assert.doesNotMatch(flatCode, /function basicBlock/);
    const blocks = loadTfjsExport(code).buildModel();
    const flat = loadTfjsExport(flatCode).buildModel();
    try {
      assert.deepEqual(blocks.layers.map((l) => l.name).sort(), flat.layers.map((l) => l.name).sort());
      randomizeWeights(flat, 7);
      for (const layer of flat.layers) if (layer.weights.length) blocks.getLayer(layer.name).setWeights(layer.getWeights());
      const x = tf.tensor(randomInput([2, 64, 64, 3], 3), [2, 64, 64, 3]);
      const a = blocks.predict(x) as tf.Tensor;
      const b = flat.predict(x) as tf.Tensor;
      const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
      assert.ok(diff <= 1e-5, `outputs differ by ${diff}`);
      tf.dispose([x, a, b]);
    } finally {
      blocks.dispose();
      flat.dispose();
    }
  });
});
