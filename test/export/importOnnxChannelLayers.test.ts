// torch.onnx.export's operators for the channel-wise layers come back as them: torchvision's
// LayerNorm2d (Transpose, LayerNormalization, Transpose), PRelu per channel and single,
// InstanceNormalization, Slice of channels, a parameter × tensor Mul (layer scale) and
// LayerNormalization of a vector; and, at opset 13, nn.GroupNorm (Reshape, InstanceNormalization,
// Reshape, Mul, Add), SiLU, Mish and GELU written as arithmetic and a spatial mean (ReduceMean). The
// imported design, compiled in TF.js with the imported weights, gives PyTorch's outputs.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import type { Design } from '../../src/core/design';
import type { NamedTensor } from '../../src/core/export/pytorchWeights';
import { importOnnx } from '../../src/core/import/importOnnx';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { torchMissing } from '../reference/referenceCases';
import { runPython } from './support/python';

const floats = (file: string): Float32Array => {
  const bytes = readFileSync(file);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

/** The largest difference between PyTorch's outputs (saved next to the file) and the design's in TF.js with the imported weights. */
function maxDifferenceFromPyTorch(design: Design, weights: NamedTensor[], path: string, inputShape: number[]): number {
  const model = compileDesign(design);
  try {
    const byName = new Map(weights.map((w) => [w.name, w]));
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
    const expected = floats(`${path}.out`);
    const y = (model.predict(tf.tensor(floats(`${path}.in`), inputShape)) as tf.Tensor).dataSync();
    assert.equal(y.length, expected.length);
    return Math.max(...expected.map((e, i) => Math.abs(e - y[i])));
  } finally {
    model.dispose();
  }
}

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
    runPython([join(__dirname, 'support', 'normActivationsToOnnx.py'), join(dir, 'norm.onnx')], { env: { PYTHONWARNINGS: 'ignore' } });
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

    const diff = maxDifferenceFromPyTorch(design, result.weights, path, [2, 8, 8, 3]);
    assert.ok(diff < 1e-4, `outputs differ by ${diff}`);
  });

  it('reads GroupNorm, SiLU, Mish and GELU written as arithmetic, and spatial means, as one layer each, with weights that give PyTorch\'s outputs', () => {
    const path = join(dir, 'norm.onnx');
    const result = importOnnx(readFileSync(path), 'norm activations');
    assert.deepEqual(result.problems, []);
    const design = result.design!;
    assert.deepEqual(
      design.nodes.map((n) => (n.type === 'Activation' ? `Activation:${n.params.fn}` : n.type)),
      ['Input', 'Conv2D', 'GroupNorm', 'Activation:silu', 'Conv2D', 'GroupNorm', 'Activation:mish', 'Activation:gelu', 'GlobalAvgPool2D', 'Conv2D', 'Activation:sigmoid', 'Multiply', 'InstanceNorm', 'GlobalAvgPool2D', 'Dense'],
    );
    // The gate's mean keeps its axes (ReduceMean with keepdims), the last one does not.
    assert.deepEqual(design.nodes.filter((n) => n.type === 'GlobalAvgPool2D').map((n) => n.params), [{ keepDims: true }, {}]);
    assert.deepEqual(
      design.nodes.filter((n) => n.type === 'GroupNorm').map((n) => n.params),
      [
        { groups: 4, epsilon: 0.00001 },
        { groups: 2, epsilon: 0.001, affine: false },
      ],
    );
    const analysis = analyzeDesign(design);
    assert.ok(analysis.valid, JSON.stringify(analysis.diagnostics));
    // conv 3·8·9 + 8, GroupNorm 16, conv 8·8·9 + 8, GroupNorm without affine 0, gate conv 8·8 + 8, InstanceNorm 16, fc 8·3 + 3 (PyTorch's 939)
    assert.equal(analysis.totals.trainableParams, 224 + 16 + 584 + 0 + 72 + 16 + 27);
    // SiLU, Mish and GELU are element-wise layers of no MACs, not a Sigmoid and a Multiply: the one product is the gate's.
    assert.equal(analysis.totals.macs, 8 * 8 * 8 * 27 + 8 * 8 * 8 * 72 + 8 * 8 + 8 * 8 * 8 + 8 * 3);
    const diff = maxDifferenceFromPyTorch(design, result.weights, path, [2, 10, 10, 3]);
    assert.ok(diff < 1e-4, `outputs differ by ${diff}`);
  });
});
