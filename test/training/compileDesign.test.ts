// The compiled TF.js model against the core's analysis (property test over random designs) and
// against the course's numeric convolution cases, through the compiled layers themselves.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { parseDesign } from '../../src/core/format/parseDesign';
import { getLayerType } from '../../src/core/layers/layerCatalog';
import { compileDesign } from '../../src/training/compile/compileDesign';
import { modelSampleShapes } from '../../src/training/compile/modelSampleShapes';
import { chainDesign } from '../support/designBuilder';
import { randomValidDesign } from '../support/randomDesign';

/** Layers of the model that belong to one node: the node id itself plus its suffixed helpers. */
function nodeLayers(model: tf.LayersModel, nodeId: string, suffixes: string[]): tf.layers.Layer[] {
  return suffixes.map((suffix) => model.getLayer(`${nodeId}${suffix}`));
}

describe('compileDesign: shapes and parameters equal the analysis', function () {
  before(async () => {
    await tf.setBackend('cpu');
  });

  this.timeout(240_000);

  it('for 300 random valid designs (chains and branches, every layer type), at every node', () => {
    const typesSeen = new Set<string>();
    let branched = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const design = randomValidDesign(seed, { maxLayers: 8, maxSpatial: 12 });
      const analysis = analyzeDesign(design);
      assert.ok(analysis.valid, `seed ${seed}: the generator must give a valid design`);
      const model = compileDesign(design);
      try {
        if (design.nodes.some((n) => n.type === 'Add' || n.type === 'Concat')) branched++;
        for (const id of analysis.order) {
          const info = analysis.nodes[id];
          const node = design.nodes.find((n) => n.id === id)!;
          typesSeen.add(node.type);
          const specs = getLayerType(node.type)!.keras.toLayers(info.resolvedParams!, info.inputShapes);
          const layers = nodeLayers(model, id, specs.map((s) => s.suffix));
          const main = model.getLayer(id);
          const shape = (main.outputShape as (number | null)[]).slice(1);
          const where = `seed ${seed}, node ${id} (${node.type} ${JSON.stringify(node.params)})`;
          assert.deepEqual(shape, info.outputShape, `${where}: output shape`);
          const count = (weights: tf.LayerVariable[]): number => weights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 0), 1), 0);
          assert.equal(layers.reduce((s, l) => s + count(l.trainableWeights), 0), info.trainableParams, `${where}: trainable parameters`);
          assert.equal(layers.reduce((s, l) => s + count(l.nonTrainableWeights), 0), info.nonTrainableParams, `${where}: non-trainable parameters`);
        }
        assert.equal(model.countParams(), analysis.totals.params, `seed ${seed}: total parameters`);
      } finally {
        model.dispose();
      }
    }
    for (const type of ['Conv2D', 'Conv1D', 'MaxPool2D', 'AvgPool2D', 'MaxPool1D', 'AvgPool1D', 'GlobalAvgPool2D', 'GlobalMaxPool2D', 'Dense', 'Flatten', 'Dropout', 'BatchNorm', 'Activation', 'Add', 'Concat', 'Conv2DTranspose', 'Conv1DTranspose', 'Padding2D', 'Cropping2D', 'GlobalAvgPool1D', 'GlobalMaxPool1D',
      'LayerNorm', 'GroupNorm', 'InstanceNorm', 'LayerScale', 'PReLU', 'DropPath', 'SpatialDropout2D', 'ChannelShuffle', 'ChannelSlice']) {
      assert.ok(typesSeen.has(type), `the random designs must cover ${type}`);
    }
    assert.ok(branched >= 30, `enough designs must branch (got ${branched})`);
  });

  it('for the templates: same total parameters as the analysis (the largest two, VGG16 and AlexNet, only take longer to initialise)', () => {
    const folder = path.join(__dirname, '..', '..', 'examples');
    for (const file of fs.readdirSync(folder).filter((f) => f.endsWith('.cnn.json') && !/vgg16|alexnet/.test(f))) {
      const design = parseDesign(fs.readFileSync(path.join(folder, file), 'utf8')).design!;
      const model = compileDesign(design);
      const analysis = analyzeDesign(design);
      assert.equal(model.countParams(), analysis.totals.params, file);
      assert.deepEqual(model.outputs.map((o) => o.shape.slice(1)), analysis.totals.outputShapes, file);
      const samples = modelSampleShapes(model);
      const inputNode = design.nodes.find((n) => n.type === 'Input')!;
      assert.deepEqual(samples.input.shape, analysis.nodes[inputNode.id].outputShape, `${file}: input sample shape`);
      assert.equal(samples.input.size, analysis.nodes[inputNode.id].outputShape!.reduce((a, b) => a * b, 1), `${file}: input sample size`);
      assert.deepEqual(samples.output.shape, analysis.totals.outputShapes[0], `${file}: output sample shape`);
      assert.equal(samples.output.size, analysis.totals.outputShapes[0].reduce((a, b) => a * b, 1), `${file}: output sample size`);
      model.dispose();
    }
  });

  it('a compiled chain runs forward, and its log-softmax rows exponentiate to probabilities', () => {
    const small = chainDesign([28, 28, 1], [
      ['Conv2D', { filters: 10, kernelSize: 5 }],
      ['MaxPool2D', { poolSize: 2 }],
      ['Activation', { fn: 'relu' }],
      ['Flatten'],
      ['Dense', { units: 10, activation: 'logSoftmax' }],
    ]);
    const model = compileDesign(small);
    const out = tf.tidy(() => model.predict(tf.randomNormal([2, 28, 28, 1])) as tf.Tensor);
    assert.deepEqual(out.shape, [2, 10]);
    // log-softmax rows exponentiate to probabilities that sum to 1
    const sums = tf.tidy(() => tf.exp(out).sum(-1).arraySync() as number[]);
    for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5, `row sums to ${s}`);
    out.dispose();
    model.dispose();
  });
});

describe('compileDesign: errors', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('refuses a design with analysis errors, naming the node and the problem', () => {
    const design = chainDesign([7, 7, 1], [['Conv2D', { filters: 1, kernelSize: 9 }]]);
    assert.throws(() => compileDesign(design), (e: Error) => /cannot be compiled/.test(e.message) && /l1: .*larger than/.test(e.message));
  });

  it('refuses node ids that collide with another node\'s helper layer, naming both', () => {
    // Padding 2 around a 3×3 window is not 'same': it needs the padding layer.
    const design = chainDesign([6, 6, 1], [['Conv2D', { filters: 1, kernelSize: 3, padding: 2 }], ['Flatten']]);
    design.nodes[2].id = 'l1_pad';
    design.edges[1].target = 'l1_pad';
    assert.throws(() => compileDesign(design), /Layer "l1_pad" of node "l1_pad" has the name of another layer \(node "l1"\)/);
  });

  it('refuses a dilation with a stride (which TF.js lacks), naming the layer and the engine that trains it', () => {
    const design = chainDesign([9, 9, 1], [['Conv2D', { filters: 1, kernelSize: 3, strides: 2, dilationRate: 2 }]]);
    assert.throws(() => compileDesign(design), /cannot train with TF\.js \(the PyTorch engine trains it\): Layer "l1" \(Conv 2D\): Keras and TF\.js cannot combine a dilation above 1 with a stride above 1/);
    // The PyTorch engine only keeps its weights in a TF.js model, which TF.js builds.
    const holder = compileDesign(design, { weightsOnly: true });
    assert.deepEqual(holder.outputs[0].shape, [null, 3, 3, 1]);
    holder.dispose();
  });

  it('refuses a design with only an input', () => {
    assert.throws(() => compileDesign(chainDesign([4], [])), /nothing to train/);
  });
});

describe('compileDesign: the course numeric cases through the compiled layers', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  const image = [
    [20, 35, 35, 35, 35, 20],
    [29, 46, 44, 42, 42, 27],
    [16, 25, 21, 19, 19, 12],
    [66, 120, 116, 154, 114, 62],
    [74, 216, 174, 252, 172, 112],
    [70, 210, 170, 250, 170, 110],
  ];

  it('6×6 image convolved with [[1,1,1],[1,0,1],[1,1,1]] gives C, max-pooled 2×2 gives M', () => {
    const design = chainDesign([6, 6, 1], [
      ['Conv2D', { filters: 1, kernelSize: 3, useBias: false }],
      ['MaxPool2D', { poolSize: 2 }],
    ]);
    const model = compileDesign(design);
    const kernel = [[1, 1, 1], [1, 0, 1], [1, 1, 1]];
    model.getLayer('l1').setWeights([tf.tensor4d(kernel.flat(), [3, 3, 1, 1])]);
    const probe = tf.model({ inputs: model.inputs, outputs: [model.getLayer('l1').output as tf.SymbolicTensor, model.getLayer('l2').output as tf.SymbolicTensor] });
    const [c, m] = probe.predict(tf.tensor4d(image.flat(), [1, 6, 6, 1])) as tf.Tensor[];
    assert.deepEqual(c.reshape([4, 4]).arraySync(), [[225, 258, 250, 209], [458, 566, 552, 472], [708, 981, 887, 802], [1000, 1488, 1320, 1224]]);
    assert.deepEqual(m.reshape([2, 2]).arraySync(), [[566, 552], [1488, 1320]]);
    tf.dispose([c, m]);
    model.dispose();
  });

  it('the three-channel example: 3×3×3 input zero-padded by 1, kernel 0 with bias 1 → channel 0 = [[3,2,0],[4,1,0],[3,1,0]]', () => {
    // The slide's input planes and kernels (channels first there), transcribed as the project's own vectors.
    const input = [
      [[1, 1, 0], [1, 1, 0], [1, 0, 0]],
      [[2, 2, 0], [0, 2, 1], [1, 1, 1]],
      [[2, 0, 1], [2, 2, 1], [2, 0, 2]],
    ];
    const kernel0 = [
      [[1, 0, 1], [1, 0, -1], [-1, 1, 0]],
      [[-1, -1, 1], [-1, 0, -1], [0, 0, 0]],
      [[0, 0, -1], [0, 1, 1], [0, 0, 1]],
    ];
    const kernel1 = [
      [[-1, 0, -1], [0, 0, -1], [-1, 0, 1]],
      [[1, -1, 0], [0, -1, 0], [1, 0, 1]],
      [[-1, 1, -1], [1, 1, 0], [-1, 1, 1]],
    ];
    const design = chainDesign([3, 3, 3], [['Conv2D', { filters: 2, kernelSize: 3, padding: 1 }]]);
    const model = compileDesign(design);
    // channels-first [c][h][w] → channels-last [h][w][c], and kernels [k][c][h][w] → [h][w][c][k]
    const x = tf.tensor3d(input).transpose([1, 2, 0]).expandDims(0);
    const w = tf.stack([tf.tensor3d(kernel0), tf.tensor3d(kernel1)]).transpose([2, 3, 1, 0]);
    model.getLayer('l1').setWeights([w, tf.tensor1d([1, 1])]);
    const y = (model.predict(x) as tf.Tensor).squeeze([0]).transpose([2, 0, 1]).arraySync() as number[][][];
    assert.deepEqual(y[0], [[3, 2, 0], [4, 1, 0], [3, 1, 0]]);
    // The slide prints bias 0 for kernel 1, but its output is what bias 1 gives.
    assert.deepEqual(y[1], [[7, 2, 2], [4, 0, 8], [1, -2, 1]]);
    model.dispose();
  });

  it('a zero kernel with bias 1 over a zero-padded input gives the bias everywhere, at the padded size', () => {
    const model = compileDesign(chainDesign([3, 3, 3], [['Conv2D', { filters: 1, kernelSize: 3, padding: 1 }]]));
    model.getLayer('l1').setWeights([tf.zeros([3, 3, 3, 1]), tf.ones([1])]);
    const y = model.predict(tf.randomNormal([1, 3, 3, 3])) as tf.Tensor;
    assert.deepEqual(y.reshape([3, 3]).arraySync(), [[1, 1, 1], [1, 1, 1], [1, 1, 1]]);
    model.dispose();
  });
});
