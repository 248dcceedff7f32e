import { strict as assert } from 'node:assert';
import type { Design } from '../../src/core/design';
import { encodeSafetensors, fromPyTorchStateDict, toPyTorchStateDict, transposeTensor } from '../../src/core/export/pytorchWeights';
import { seededRandom } from '../support/randomDesign';

describe('PyTorch weights from TF.js weights', () => {
  it('transposeTensor moves every element where an index permutation says, for random shapes and orders', () => {
    const rnd = seededRandom(3);
    for (let trial = 0; trial < 50; trial++) {
      const rank = 1 + Math.floor(rnd() * 4);
      const shape = Array.from({ length: rank }, () => 1 + Math.floor(rnd() * 4));
      const axes = shape.map((_, i) => i).sort(() => rnd() - 0.5);
      const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i);
      const out = transposeTensor(data, shape, axes);
      assert.deepEqual(out.shape, axes.map((a) => shape[a]));
      // Check each output element against the input element at the permuted index.
      const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
      for (let o = 0; o < out.data.length; o++) {
        let rest = o;
        let source = 0;
        for (let d = 0; d < rank; d++) {
          const size = out.shape.slice(d + 1).reduce((a, b) => a * b, 1);
          source += Math.floor(rest / size) * strides[axes[d]];
          rest %= size;
        }
        assert.equal(out.data[o], data[source]);
      }
    }
  });

  it('names tensors after the module attributes, puts kernels channels-first and renames batch-norm statistics', () => {
    const design: Design = {
      format: 'cnn-designer',
      version: 1,
      name: 'tiny',
      nodes: [
        { id: 'in', type: 'Input', params: { shape: [4, 4, 2] } },
        { id: 'conv', type: 'Conv2D', params: { filters: 3, kernelSize: [2, 3], activation: 'leakyRelu' } },
        { id: 'bn', type: 'BatchNorm', params: {} },
        { id: 'flat', type: 'Flatten', params: {} },
        { id: 'fc', type: 'Dense', params: { units: 2, useBias: false } },
      ],
      edges: [
        { source: 'in', target: 'conv' },
        { source: 'conv', target: 'bn' },
        { source: 'bn', target: 'flat' },
        { source: 'flat', target: 'fc' },
      ],
      training: {},
    };
    // Each value encodes its Keras index, so its PyTorch position can be checked: kernel[h][w][in][out] = hwio.
    const kernel = new Float32Array(2 * 3 * 2 * 3);
    for (let h = 0; h < 2; h++) for (let w = 0; w < 3; w++) for (let i = 0; i < 2; i++) for (let o = 0; o < 3; o++) kernel[((h * 3 + w) * 2 + i) * 3 + o] = 1000 * h + 100 * w + 10 * i + o;
    const dense = Float32Array.from({ length: 18 * 2 }, (_, k) => k);
    const vector = (values: number[]) => Float32Array.from(values);
    const weights = [
      // Activations that Keras cannot fuse put the weights in "<node>_linear".
      { name: 'conv_linear/kernel', shape: [2, 3, 2, 3], data: kernel },
      { name: 'conv_linear/bias', shape: [3], data: vector([1, 2, 3]) },
      { name: 'bn/gamma', shape: [3], data: vector([4, 5, 6]) },
      { name: 'bn/beta', shape: [3], data: vector([7, 8, 9]) },
      { name: 'bn/moving_mean_1', shape: [3], data: vector([10, 11, 12]) },
      { name: 'bn/moving_variance', shape: [3], data: vector([13, 14, 15]) },
      { name: 'fc/kernel', shape: [18, 2], data: dense },
    ];
    const state = Object.fromEntries(toPyTorchStateDict(design, weights).map((t) => [t.name, t]));
    assert.deepEqual(Object.keys(state).sort(), ['bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.weight', 'conv.bias', 'conv.weight', 'fc.weight']);
    assert.deepEqual(state['conv.weight'].shape, [3, 2, 2, 3]);
    for (let o = 0; o < 3; o++) for (let i = 0; i < 2; i++) for (let h = 0; h < 2; h++) for (let w = 0; w < 3; w++) {
      assert.equal(state['conv.weight'].data[((o * 2 + i) * 2 + h) * 3 + w], 1000 * h + 100 * w + 10 * i + o);
    }
    assert.deepEqual([...state['bn.running_mean'].data], [10, 11, 12]);
    assert.deepEqual([...state['bn.running_var'].data], [13, 14, 15]);
    assert.deepEqual(state['fc.weight'].shape, [2, 18]);
    assert.equal(state['fc.weight'].data[1 * 18 + 5], dense[5 * 2 + 1]);

    assert.throws(() => toPyTorchStateDict(design, weights.slice(1)), /The weights have no conv_linear\/kernel for layer "conv" \(Conv2D\)/);
    assert.throws(() => toPyTorchStateDict(design, [{ ...weights[0], data: new Float32Array(3) }, ...weights.slice(1)]), /conv_linear\/kernel has 3 values for shape \[2, 3, 2, 3\]/);
  });

  it('a depthwise kernel [kh, kw, C, m] becomes PyTorch\'s [C·m, 1, kh, kw] (output channel c·m + j), and comes back', () => {
    const design: Design = {
      format: 'cnn-designer',
      version: 1,
      name: 'depthwise',
      nodes: [
        { id: 'in', type: 'Input', params: { shape: [5, 5, 3] } },
        { id: 'dw', type: 'Conv2D', params: { filters: 6, kernelSize: [2, 3], groups: 3, useBias: false } },
        { id: 'gc', type: 'Conv2D', params: { filters: 4, kernelSize: 1, groups: 2 } },
      ],
      edges: [
        { source: 'in', target: 'dw' },
        { source: 'dw', target: 'gc' },
      ],
      training: {},
    };
    // depthwise_kernel[h][w][c][j] = hwcj; the grouped 1×1 kernel [1, 1, 3, 4] = 10·in + out.
    const depthwise = new Float32Array(2 * 3 * 3 * 2);
    for (let h = 0; h < 2; h++) for (let w = 0; w < 3; w++) for (let c = 0; c < 3; c++) for (let j = 0; j < 2; j++) depthwise[((h * 3 + w) * 3 + c) * 2 + j] = 1000 * h + 100 * w + 10 * c + j;
    const grouped = Float32Array.from({ length: 3 * 4 }, (_, k) => 10 * Math.floor(k / 4) + (k % 4));
    const weights = [
      { name: 'dw/depthwise_kernel', shape: [2, 3, 3, 2], data: depthwise },
      { name: 'gc/kernel', shape: [1, 1, 3, 4], data: grouped },
      { name: 'gc/bias', shape: [4], data: Float32Array.from([1, 2, 3, 4]) },
    ];
    const state = toPyTorchStateDict(design, weights);
    const byName = Object.fromEntries(state.map((t) => [t.name, t]));
    assert.deepEqual(byName['dw.weight'].shape, [6, 1, 2, 3]);
    for (let c = 0; c < 3; c++) for (let j = 0; j < 2; j++) for (let h = 0; h < 2; h++) for (let w = 0; w < 3; w++) {
      assert.equal(byName['dw.weight'].data[((c * 2 + j) * 2 + h) * 3 + w], 1000 * h + 100 * w + 10 * c + j);
    }
    assert.deepEqual(byName['gc.weight'].shape, [4, 3, 1, 1]);
    assert.equal(byName['gc.weight'].data[2 * 3 + 1], 12, 'out 2, in 1');
    const back = fromPyTorchStateDict(design, weights.map(({ name, shape }) => ({ name, shape })), state);
    back.forEach((t, i) => {
      assert.deepEqual(t.shape, weights[i].shape);
      assert.deepEqual([...t.data], [...weights[i].data], t.name);
    });
    const wrong = state.map((t) => (t.name === 'dw.weight' ? { ...t, shape: [3, 2, 2, 3] } : t));
    assert.throws(() => fromPyTorchStateDict(design, weights, wrong), /dw\.weight has shape \[3, 2, 2, 3\], which does not give dw\/depthwise_kernel's \[2, 3, 3, 2\]/);
  });

  it('writes the safetensors layout: header size, 8-byte aligned JSON header, then the data', () => {
    const tensors = [
      { name: 'a.weight', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { name: 'a.bias', shape: [2], data: Float32Array.from([7, 8]) },
    ];
    const bytes = encodeSafetensors(tensors, { design: 'Ünïcode' });
    const size = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + size) % 8, 0);
    const header = JSON.parse(new TextDecoder().decode(bytes.slice(8, 8 + size)));
    assert.deepEqual(header['a.bias'], { dtype: 'F32', shape: [2], data_offsets: [24, 32] });
    assert.equal(header.__metadata__.design, 'Ünïcode');
    const data = new Float32Array(bytes.slice(8 + size).buffer);
    assert.deepEqual([...data], [1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
