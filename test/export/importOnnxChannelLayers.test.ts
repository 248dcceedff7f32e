// torch.onnx.export's operators for the channel-wise layers come back as them: torchvision's
// LayerNorm2d (Transpose, LayerNormalization, Transpose), PRelu per channel and single,
// InstanceNormalization, Slice of channels, a parameter × tensor Mul (layer scale) and
// LayerNormalization of a vector; the imported design, compiled in TF.js with the imported weights,
// gives PyTorch's outputs.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { importOnnx } from '../../src/core/import/importOnnx';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { torchMissing } from '../reference/referenceCases';
import { runPython } from './support/python';

describe('ONNX import of the channel-wise layers as torch.onnx.export writes them', function () {
  this.timeout(300_000);
  let dir = '';

  before(async function () {
    const missing = torchMissing();
    if (missing) {
      console.warn(`    skipped: the file comes from torch.onnx.export, and ${missing}`);
      this.skip();
    }
    await tf.setBackend('cpu');
    dir = mkdtempSync(join(tmpdir(), 'cnn-onnx-channel-'));
    runPython([join(__dirname, 'support', 'channelLayersToOnnx.py'), join(dir, 'model.onnx')], { env: { PYTHONWARNINGS: 'ignore' } });
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads LayerNorm2d, PReLU, InstanceNorm2d, a channel slice, a layer scale and LayerNorm, with weights that give PyTorch\'s outputs', () => {
    const path = join(dir, 'model.onnx');
    const result = importOnnx(readFileSync(path), 'channel layers');
    assert.deepEqual(result.problems, []);
    const design = result.design!;
    assert.deepEqual(
      design.nodes.map((n) => n.type),
      ['Input', 'Conv2D', 'LayerNorm', 'PReLU', 'InstanceNorm', 'ChannelSlice', 'LayerScale', 'PReLU', 'GlobalAvgPool2D', 'LayerNorm', 'Dense'],
    );
    assert.deepEqual(design.nodes.find((n) => n.type === 'ChannelSlice')!.params, { start: 1, end: 5 });
    assert.deepEqual(design.nodes.filter((n) => n.type === 'PReLU').map((n) => n.params), [{}, { sharedAxes: 'all' }]);
    assert.deepEqual(design.nodes.find((n) => n.type === 'LayerNorm')!.params, { epsilon: 0.000001 });
    const analysis = analyzeDesign(design);
    assert.ok(analysis.valid, JSON.stringify(analysis.diagnostics));
    // conv 3·6·9 + 6, LayerNorm2d 12, PReLU 6, InstanceNorm 12, layer scale 4, PReLU 1, LayerNorm 8, fc 4·3 + 3
    assert.equal(analysis.totals.trainableParams, 168 + 12 + 6 + 12 + 4 + 1 + 8 + 15);

    const model = compileDesign(design);
    const byName = new Map(result.weights.map((w) => [w.name, w]));
    for (const layer of model.layers) {
      if (!layer.weights.length) continue;
      const values = layer.weights.map((w) => {
        const kind = w.originalName.slice(w.originalName.lastIndexOf('/') + 1).replace(/_\d+$/, '');
        const tensor = byName.get(`${layer.name}/${kind}`);
        assert.ok(tensor, `imported weight ${layer.name}/${kind}`);
        return tf.tensor(tensor.data, tensor.shape);
      });
      layer.setWeights(values);
      tf.dispose(values);
    }
    const floats = (file: string): Float32Array => {
      const bytes = readFileSync(file);
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    };
    const input = floats(`${path}.in`);
    const expected = floats(`${path}.out`);
    const y = (model.predict(tf.tensor(input, [2, 8, 8, 3])) as tf.Tensor).dataSync();
    const diff = Math.max(...expected.map((e, i) => Math.abs(e - y[i])));
    assert.ok(diff < 1e-4, `outputs differ by ${diff}`);
    model.dispose();
  });
});
