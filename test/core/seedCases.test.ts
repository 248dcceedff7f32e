// The course's shape and parameter cases (seed-cases), each computed by hand twice in the course
// material; copied here as the project's own test vectors.
import { strict as assert } from 'node:assert';
import { analyzeChain } from '../support/designBuilder';

describe('seed cases: shapes and parameters', () => {
  it('AlexNet conv1: 227×227×3, 96 filters 11×11, stride 4 → 55×55×96, 290,400 units, 34,944 params', () => {
    const a = analyzeChain([227, 227, 3], [['Conv2D', { filters: 96, kernelSize: 11, strides: 4 }]]);
    assert.deepEqual(a.last.outputShape, [55, 55, 96]);
    assert.equal(a.last.outputShape!.reduce((x, y) => x * y, 1), 290_400);
    assert.equal(a.last.params, 34_944);
    assert.deepEqual(a.diagnostics, []);
  });

  it('a fully connected layer instead: 227×227×3 → Dense 256 = 39,574,528 params', () => {
    const a = analyzeChain([227, 227, 3], [['Flatten'], ['Dense', { units: 256 }]]);
    assert.equal(a.totals.params, 39_574_528);
  });

  it('MNIST 28×28, 3×3 conv: padding 0 → 26×26, padding 1 → 28×28', () => {
    assert.deepEqual(analyzeChain([28, 28, 1], [['Conv2D', { filters: 1, kernelSize: 3 }]]).last.outputShape, [26, 26, 1]);
    assert.deepEqual(analyzeChain([28, 28, 1], [['Conv2D', { filters: 1, kernelSize: 3, padding: 1 }]]).last.outputShape, [28, 28, 1]);
  });

  it('numpy example: 11×11×4, 2 filters 5×5 stride 2 → 4×4×2, 202 params', () => {
    const a = analyzeChain([11, 11, 4], [['Conv2D', { filters: 2, kernelSize: 5, strides: 2 }]]);
    assert.deepEqual(a.last.outputShape, [4, 4, 2]);
    assert.equal(a.last.params, 202);
  });

  describe('7×7 input, 3×3 filter', () => {
    const run = (params: Record<string, unknown>) => analyzeChain([7, 7, 1], [['Conv2D', { filters: 1, kernelSize: 3, ...params }]]);
    it('stride 1 → 5×5', () => assert.deepEqual(run({ strides: 1 }).last.outputShape, [5, 5, 1]));
    it('stride 2 → 3×3', () => assert.deepEqual(run({ strides: 2 }).last.outputShape, [3, 3, 1]));
    it('stride 1, padding 1 → 7×7', () => assert.deepEqual(run({ padding: 1 }).last.outputShape, [7, 7, 1]));
    it('stride 3 does not fit (2.33): flagged, with the dropped pixels and fixes that fit', () => {
      const a = run({ strides: 3 });
      const d = a.diagnostics.find((x) => x.code === 'stride-does-not-fit');
      assert.ok(d, 'the stride must be flagged');
      assert.equal(d.severity, 'warning');
      assert.equal(d.nodeId, 'l1');
      assert.match(d.message, /2\.33/);
      assert.match(d.message, /last 1 row/);
      assert.match(d.message, /last 1 column/);
      assert.deepEqual(d.path, ['nodes', 1, 'params', 'strides']);
      const edits = d.fixes.map((f) => f.edit);
      assert.deepEqual(edits[0], { kind: 'setParams', nodeId: 'l1', params: { padding: 1 } });
      assert.deepEqual(edits[1], { kind: 'setParams', nodeId: 'l1', params: { strides: 2 } });
      assert.match(d.fixes[0].title, /3×3/);
      assert.deepEqual(a.last.outputShape, [2, 2, 1], 'the output is still computed, floored');
      assert.equal(a.last.formulas![0].exact.toFixed(2), '2.33');
    });
  });

  it('32×32×3, 10 filters 5×5, stride 1, padding 2 → 32×32×10, 760 params', () => {
    const a = analyzeChain([32, 32, 3], [['Conv2D', { filters: 10, kernelSize: 5, padding: 2 }]]);
    assert.deepEqual(a.last.outputShape, [32, 32, 10]);
    assert.equal(a.last.params, 760);
    assert.equal(a.last.formulas![0].text, '⌊(32 + 2·2 − 5) / 1⌋ + 1 = 32');
  });

  it('asymmetric stride s_h = 1, s_w = 2: height and width computed separately', () => {
    const a = analyzeChain([9, 9, 1], [['Conv2D', { filters: 1, kernelSize: [3, 3], strides: [1, 2] }]]);
    assert.deepEqual(a.last.outputShape, [7, 4, 1]);
    const b = analyzeChain([8, 10, 1], [['Conv2D', { filters: 1, kernelSize: [3, 5], strides: [1, 2], padding: [1, 0] }]]);
    assert.deepEqual(b.last.outputShape, [8, 3, 1]);
  });

  it('MNIST CNN (Q3): 24×24×10, 12×12×10, 8×8×20, 4×4×20 (320), 21,840 params', () => {
    const a = analyzeChain(
      [28, 28, 1],
      [
        ['Conv2D', { filters: 10, kernelSize: 5 }],
        ['MaxPool2D', { poolSize: 2 }],
        ['Activation', { fn: 'relu' }],
        ['Conv2D', { filters: 20, kernelSize: 5 }],
        ['Dropout'],
        ['MaxPool2D', { poolSize: 2 }],
        ['Activation', { fn: 'relu' }],
        ['Flatten'],
        ['Dense', { units: 50 }],
        ['Activation', { fn: 'relu' }],
        ['Dense', { units: 10 }],
        ['Activation', { fn: 'logSoftmax' }],
      ],
    );
    assert.deepEqual(a.nodes.l1.outputShape, [24, 24, 10]);
    assert.deepEqual(a.nodes.l2.outputShape, [12, 12, 10]);
    assert.deepEqual(a.nodes.l4.outputShape, [8, 8, 20]);
    assert.deepEqual(a.nodes.l6.outputShape, [4, 4, 20]);
    assert.deepEqual(a.nodes.l8.outputShape, [320]);
    assert.equal(a.totals.params, 21_840);
  });

  it('MNIST FFN baseline: 784 → 256 → 128 → 64 → 10 = 242,762 params', () => {
    const a = analyzeChain([784], [['Dense', { units: 256 }], ['Dense', { units: 128 }], ['Dense', { units: 64 }], ['Dense', { units: 10 }]]);
    assert.equal(a.totals.params, 242_762);
  });

  it('MNIST CNN (notebook): 8,490 params', () => {
    const a = analyzeChain(
      [28, 28, 1],
      [['Conv2D', { filters: 10, kernelSize: 5, activation: 'relu' }], ['MaxPool2D', { poolSize: 2 }], ['Conv2D', { filters: 20, kernelSize: 5, activation: 'relu' }], ['MaxPool2D', { poolSize: 2 }], ['Flatten'], ['Dense', { units: 10 }]],
    );
    assert.equal(a.totals.params, 8_490);
  });

  it('CIFAR dense nets: 30,730 and 394,634 params', () => {
    assert.equal(analyzeChain([32, 32, 3], [['Flatten'], ['Dense', { units: 10, activation: 'softmax' }]]).totals.params, 30_730);
    assert.equal(analyzeChain([32, 32, 3], [['Flatten'], ['Dense', { units: 128, activation: 'relu' }], ['Dense', { units: 10 }]]).totals.params, 394_634);
  });

  it('CIFAR simple CNN: flatten 8192, 82,826 params', () => {
    const a = analyzeChain([32, 32, 3], [['Conv2D', { filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }], ['MaxPool2D', { poolSize: 2 }], ['Flatten'], ['Dense', { units: 10 }]]);
    assert.deepEqual(a.nodes.l3.outputShape, [8192]);
    assert.equal(a.totals.params, 82_826);
  });

  it('CIFAR 3-conv net: 1024 after flatten, 2,432 + 51,264 + 102,464 + 1,025,000 + 10,010 = 1,191,170; receptive fields 5/6/14/16/32/36', () => {
    const a = analyzeChain(
      [32, 32, 3],
      [
        ['Conv2D', { filters: 32, kernelSize: 5, padding: 2 }],
        ['MaxPool2D', { poolSize: 2 }],
        ['Conv2D', { filters: 64, kernelSize: 5, padding: 2 }],
        ['MaxPool2D', { poolSize: 2 }],
        ['Conv2D', { filters: 64, kernelSize: 5, padding: 2 }],
        ['MaxPool2D', { poolSize: 2 }],
        ['Flatten'],
        ['Dense', { units: 1000 }],
        ['Dense', { units: 10 }],
      ],
    );
    assert.deepEqual(a.nodes.l7.outputShape, [1024]);
    assert.deepEqual(['l1', 'l3', 'l5', 'l8', 'l9'].map((id) => a.nodes[id].params), [2_432, 51_264, 102_464, 1_025_000, 10_010]);
    assert.equal(a.totals.params, 1_191_170);
    assert.deepEqual(['l1', 'l2', 'l3', 'l4', 'l5', 'l6'].map((id) => a.nodes[id].receptiveField![0]), [5, 6, 14, 16, 32, 36]);
    assert.deepEqual(a.totals.receptiveField, [36, 36]);
  });

  it('PyTorch tutorial Net: 28×28×6, 14×14×6, 10×10×16, 5×5×16 (400), 62,006 params', () => {
    const a = analyzeChain(
      [32, 32, 3],
      [['Conv2D', { filters: 6, kernelSize: 5 }], ['MaxPool2D', { poolSize: 2 }], ['Conv2D', { filters: 16, kernelSize: 5 }], ['MaxPool2D', { poolSize: 2 }], ['Flatten'], ['Dense', { units: 120 }], ['Dense', { units: 84 }], ['Dense', { units: 10 }]],
    );
    assert.deepEqual([1, 2, 3, 4, 5].map((i) => a.nodes[`l${i}`].outputShape), [[28, 28, 6], [14, 14, 6], [10, 10, 16], [5, 5, 16], [400]]);
    assert.equal(a.totals.params, 62_006);
  });

  it('AlexNet, one tower: 6×6×256 before flatten, 62,378,344 params', () => {
    const a = analyzeChain(
      [227, 227, 3],
      [
        ['Conv2D', { filters: 96, kernelSize: 11, strides: 4 }],
        ['MaxPool2D', { poolSize: 3, strides: 2 }],
        ['Conv2D', { filters: 256, kernelSize: 5, padding: 2 }],
        ['MaxPool2D', { poolSize: 3, strides: 2 }],
        ['Conv2D', { filters: 384, kernelSize: 3, padding: 1 }],
        ['Conv2D', { filters: 384, kernelSize: 3, padding: 1 }],
        ['Conv2D', { filters: 256, kernelSize: 3, padding: 1 }],
        ['MaxPool2D', { poolSize: 3, strides: 2 }],
        ['Flatten'],
        ['Dense', { units: 4096 }],
        ['Dense', { units: 4096 }],
        ['Dense', { units: 1000 }],
      ],
    );
    assert.deepEqual(a.nodes.l8.outputShape, [6, 6, 256]);
    assert.equal(a.totals.params, 62_378_344);
  });

  it('VGG16: 7×7×512 before flatten, 138,357,544 params', () => {
    const layers: [string, Record<string, unknown>?][] = [];
    for (const [filters, convs] of [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]]) {
      for (let i = 0; i < convs; i++) layers.push(['Conv2D', { filters, kernelSize: 3, padding: 1, activation: 'relu' }]);
      layers.push(['MaxPool2D', { poolSize: 2 }]);
    }
    layers.push(['Flatten'], ['Dense', { units: 4096 }], ['Dense', { units: 4096 }], ['Dense', { units: 1000 }]);
    const a = analyzeChain([224, 224, 3], layers);
    assert.deepEqual(a.nodes[`l${layers.length - 4}`].outputShape, [7, 7, 512]);
    assert.equal(a.totals.params, 138_357_544);
  });

  it('BatchNorm over C channels: 4·C params, 2·C trainable (Keras convention)', () => {
    const a = analyzeChain([8, 8, 3], [['Conv2D', { filters: 16, kernelSize: 3 }], ['BatchNorm']]);
    assert.equal(a.last.params, 64);
    assert.equal(a.last.trainableParams, 32);
    assert.equal(a.last.nonTrainableParams, 32);
    assert.equal(a.totals.nonTrainableParams, 32);
  });

  it('pooling, Flatten, Dropout and Activation have no parameters', () => {
    const a = analyzeChain([8, 8, 3], [['MaxPool2D', { poolSize: 2 }], ['AvgPool2D', { poolSize: 2 }], ['Dropout'], ['Activation', { fn: 'tanh' }], ['Flatten']]);
    assert.equal(a.totals.params, 0);
  });
});
