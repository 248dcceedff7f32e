/**
 * Writes the templates written with reusable blocks (examples/*-blocks.cnn.json) through the
 * project's own serializer, so they are in canonical form. Node ids inside and outside the blocks are
 * torchvision's module paths, so the PyTorch export's state_dict is torchvision's.
 * Run: npx tsx scripts/buildBlockTemplates.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyDesign, type BlockDefinition, type Design, type DesignEdge, type DesignNode, type TrainingSettings } from '../src/core/design';
import { serializeDesign } from '../src/core/format/serializeDesign';

const BN = { momentum: 0.9, epsilon: 1e-5 };
const IMAGENET_SGD: TrainingSettings = { dataset: 'imagefolder', epochs: 90, batchSize: 256, optimizer: 'sgd', learningRate: 0.1, momentum: 0.9, schedule: 'step', decayRate: 0.1, decaySteps: 30, l2: 0.0001, seed: 42 };

/** Nodes and edges being written, for a design or a block: `add` appends a node fed by `inputs`. */
class Graph {
  nodes: DesignNode[] = [];
  edges: DesignEdge[] = [];

  add(id: string, type: string, params: Record<string, unknown>, inputs: string[], extra: Partial<DesignNode> = {}): string {
    this.nodes.push({ id, type, params, ...extra });
    for (const source of inputs) this.edges.push({ source, target: id });
    return id;
  }

  /** A convolution without bias, its batch norm and (unless `activation` is undefined) an activation: ids `<p>.0`, `<p>.1`, `<p>.2` as torchvision's Conv2dNormActivation. */
  convBn(p: string, conv: Record<string, unknown>, input: string, activation: string | undefined, extra: Partial<DesignNode> = {}): string {
    const x = this.add(`${p}.0`, 'Conv2D', { ...conv, useBias: false }, [input], extra);
    const y = this.add(`${p}.1`, 'BatchNorm', BN, [x], extra);
    return activation ? this.add(`${p}.2`, 'Activation', { fn: activation }, [y], extra) : y;
  }
}

function block(description: string, params: BlockDefinition['params'], build: (g: Graph) => string): BlockDefinition {
  const g = new Graph();
  const out = build(g);
  g.edges.push({ source: out, target: 'out' });
  return { description, params, inputs: ['x'], outputs: ['out'], nodes: g.nodes, edges: g.edges };
}

function design(name: string, description: string, blocks: Record<string, BlockDefinition>, g: Graph, training: TrainingSettings): Design {
  const d = emptyDesign(name);
  d.description = description;
  d.blocks = blocks;
  d.nodes = g.nodes;
  d.edges = g.edges;
  d.training = training;
  return d;
}

/** ResNet-50 as torchvision.models.resnet50 builds it: Bottleneck blocks, stages of [3, 4, 6, 3]. */
function resnet50(): Design {
  const bottleneck = block(
    "torchvision's Bottleneck: a 1×1 convolution to `planes` channels, a 3×3 one with the stride, a 1×1 one to 4 × `planes`, and a shortcut that a 1×1 convolution with the stride downsamples where the shape changes.",
    {
      planes: { default: 64, doc: 'Channels of the 1×1 and 3×3 convolutions; the block outputs 4 × planes.' },
      stride: { default: 1, doc: 'Stride of the 3×3 convolution (and of the downsample).' },
      downsample: { default: false, doc: 'Whether the shortcut is a 1×1 convolution and batch norm (where the shape changes) instead of the identity.' },
    },
    (g) => {
      let x = g.add('conv1', 'Conv2D', { filters: '$planes', kernelSize: 1, useBias: false }, ['x']);
      x = g.add('bn1', 'BatchNorm', BN, [x]);
      x = g.add('relu1', 'Activation', { fn: 'relu' }, [x]);
      x = g.add('conv2', 'Conv2D', { filters: '$planes', kernelSize: 3, strides: '$stride', padding: 1, useBias: false }, [x]);
      x = g.add('bn2', 'BatchNorm', BN, [x]);
      x = g.add('relu2', 'Activation', { fn: 'relu' }, [x]);
      x = g.add('conv3', 'Conv2D', { filters: '$planes * 4', kernelSize: 1, useBias: false }, [x]);
      x = g.add('bn3', 'BatchNorm', BN, [x]);
      const shortcut = g.convBn('downsample', { filters: '$planes * 4', kernelSize: 1, strides: '$stride' }, 'x', undefined, { when: '$downsample' });
      x = g.add('add', 'Add', {}, [x, shortcut]);
      return g.add('relu3', 'Activation', { fn: 'relu' }, [x]);
    },
  );
  const g = new Graph();
  g.add('input', 'Input', { shape: [224, 224, 3] }, []);
  g.add('conv1', 'Conv2D', { filters: 64, kernelSize: 7, strides: 2, padding: 3, useBias: false }, ['input']);
  g.add('bn1', 'BatchNorm', BN, ['conv1']);
  g.add('relu', 'Activation', { fn: 'relu' }, ['bn1']);
  let x = g.add('maxpool', 'MaxPool2D', { poolSize: 3, strides: 2, padding: 1 }, ['relu']);
  [
    [64, 3, 1],
    [128, 4, 2],
    [256, 6, 2],
    [512, 3, 2],
  ].forEach(([planes, repeat, stride], stage) => {
    // Every stage's first block changes the channels (64 → 256 in the first), so its shortcut is downsampled.
    x = g.add(`layer${stage + 1}`, 'Bottleneck', { planes }, [x], { repeat, overrides: { '0': stride === 1 ? { downsample: true } : { stride, downsample: true } } });
  });
  g.add('avgpool', 'GlobalAvgPool2D', {}, [x]);
  g.add('fc', 'Dense', { units: 1000, activation: 'softmax' }, ['avgpool']);
  return design(
    'ResNet-50 (blocks)',
    'He et al. (2015), as torchvision.models.resnet50 defines it, written with one Bottleneck block: four stages of 3, 4, 6 and 3 blocks, the first of each with a downsampled shortcut (and stride 2 from stage 2). 25,557,032 trainable parameters (PyTorch\'s count) plus 53,120 batch-norm running statistics.',
    { Bottleneck: bottleneck },
    g,
    IMAGENET_SGD,
  );
}

/** MobileNetV2 as torchvision.models.mobilenet_v2 builds it: node ids its module paths (`features.2.conv.1.0`). */
function mobilenetV2(): Design {
  const params = {
    hidden: { default: 96, doc: 'Channels after the 1×1 expansion (input channels × expansion factor), of the depthwise convolution too.' },
    out: { default: 24, doc: 'Output channels of the 1×1 linear projection.' },
    stride: { default: 1, doc: 'Stride of the depthwise convolution.' },
    residual: { default: false, doc: 'Whether the input is added to the output (where stride is 1 and the channels stay).' },
  };
  /** The projection and the residual connection, which both forms of the block end with. */
  const project = (g: Graph, x: string, step: number): string => {
    x = g.add(`conv.${step}`, 'Conv2D', { filters: '$out', kernelSize: 1, useBias: false }, [x]);
    x = g.add(`conv.${step + 1}`, 'BatchNorm', BN, [x]);
    return g.add('add', 'Add', {}, [x, 'x'], { when: '$residual' });
  };
  const invertedResidual = block(
    "torchvision's InvertedResidual with expansion: a 1×1 convolution to `hidden` channels, a 3×3 depthwise convolution (groups = channels) with the stride, both with batch norm and ReLU6, a linear 1×1 projection to `out` channels and, where the shape stays, the input added.",
    params,
    (g) => {
      let x = g.convBn('conv.0', { filters: '$hidden', kernelSize: 1 }, 'x', 'relu6');
      x = g.convBn('conv.1', { filters: '$hidden', kernelSize: 3, strides: '$stride', padding: 1, groups: '$hidden' }, x, 'relu6');
      return project(g, x, 2);
    },
  );
  const noExpansion = block(
    "torchvision's InvertedResidual with expansion factor 1 (the first block): no 1×1 expansion, so the depthwise convolution is `conv.0` and the projection `conv.1`.",
    params,
    (g) => project(g, g.convBn('conv.0', { filters: '$hidden', kernelSize: 3, strides: '$stride', padding: 1, groups: '$hidden' }, 'x', 'relu6'), 1),
  );
  const g = new Graph();
  g.add('input', 'Input', { shape: [224, 224, 3] }, []);
  let x = g.convBn('features.0', { filters: 32, kernelSize: 3, strides: 2, padding: 1 }, 'input', 'relu6');
  let channels = 32;
  // Expansion t, output channels c, repeats n, first stride s: the paper's table 2.
  const settings = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  let index = 1;
  for (const [t, c, n, s] of settings) {
    for (let i = 0; i < n; i++, index++) {
      const stride = i === 0 ? s : 1;
      const args: Record<string, unknown> = { hidden: channels * t, out: c };
      if (stride !== 1) args.stride = stride;
      if (stride === 1 && channels === c) args.residual = true;
      x = g.add(`features.${index}`, t === 1 ? 'InvertedResidualNoExpansion' : 'InvertedResidual', args, [x]);
      channels = c;
    }
  }
  x = g.convBn(`features.${index}`, { filters: 1280, kernelSize: 1 }, x, 'relu6');
  g.add('pool', 'GlobalAvgPool2D', {}, [x]);
  g.add('classifier.0', 'Dropout', { rate: 0.2 }, ['pool']);
  g.add('classifier.1', 'Dense', { units: 1000, activation: 'softmax' }, ['classifier.0']);
  return design(
    'MobileNetV2 (blocks)',
    'Sandler et al. (2018), as torchvision.models.mobilenet_v2 defines it, written with its InvertedResidual block (and the first, which has no expansion): node ids are torchvision\'s module paths. 3,504,872 trainable parameters (PyTorch\'s count) plus 34,112 batch-norm running statistics, like mobilenet-v2.cnn.json.',
    { InvertedResidual: invertedResidual, InvertedResidualNoExpansion: noExpansion },
    g,
    { dataset: 'imagefolder', epochs: 150, batchSize: 96, optimizer: 'rmsprop', learningRate: 0.045, schedule: 'exponential', decayRate: 0.98, l2: 0.00004, seed: 42 },
  );
}

/**
 * DenseNet-121 as torchvision.models.densenet121 builds it: DenseLayer blocks (batch norm, ReLU, 1×1
 * convolution to 4 × growth, batch norm, ReLU, 3×3 convolution to `growth`, concatenated to the
 * input), dense blocks of 6, 12, 24 and 16 as stages, transitions halving channels and size.
 * torchvision names a dense block's layers denselayer1, denselayer2… where a stage numbers its copies
 * from 0, so the state_dict keys differ there (features.denseblock1.denselayer1.norm1 is
 * features_denseblock1.0.norm1); the reference test maps them.
 */
function densenet121(): Design {
  const denseLayer = block(
    "torchvision's _DenseLayer: batch norm, ReLU and a 1×1 convolution to `bottleneck` channels, batch norm, ReLU and a 3×3 convolution to `growth` channels, concatenated after its input.",
    {
      growth: { default: 32, doc: 'Channels the layer adds.' },
      bottleneck: { default: 128, doc: 'Channels of the 1×1 convolution (4 × growth in the paper).' },
    },
    (g) => {
      let x = g.add('norm1', 'BatchNorm', BN, ['x']);
      x = g.add('relu1', 'Activation', { fn: 'relu' }, [x]);
      x = g.add('conv1', 'Conv2D', { filters: '$bottleneck', kernelSize: 1, useBias: false }, [x]);
      x = g.add('norm2', 'BatchNorm', BN, [x]);
      x = g.add('relu2', 'Activation', { fn: 'relu' }, [x]);
      x = g.add('conv2', 'Conv2D', { filters: '$growth', kernelSize: 3, padding: 1, useBias: false }, [x]);
      return g.add('cat', 'Concat', {}, ['x', x]);
    },
  );
  const g = new Graph();
  g.add('input', 'Input', { shape: [224, 224, 3] }, []);
  g.add('features.conv0', 'Conv2D', { filters: 64, kernelSize: 7, strides: 2, padding: 3, useBias: false }, ['input']);
  g.add('features.norm0', 'BatchNorm', BN, ['features.conv0']);
  g.add('features.relu0', 'Activation', { fn: 'relu' }, ['features.norm0']);
  let x = g.add('features.pool0', 'MaxPool2D', { poolSize: 3, strides: 2, padding: 1 }, ['features.relu0']);
  let channels = 64;
  [6, 12, 24, 16].forEach((layers, i) => {
    x = g.add(`features.denseblock${i + 1}`, 'DenseLayer', {}, [x], { repeat: layers });
    channels += 32 * layers;
    if (i === 3) return;
    channels /= 2;
    x = g.add(`features.transition${i + 1}.norm`, 'BatchNorm', BN, [x]);
    x = g.add(`features.transition${i + 1}.relu`, 'Activation', { fn: 'relu' }, [x]);
    x = g.add(`features.transition${i + 1}.conv`, 'Conv2D', { filters: channels, kernelSize: 1, useBias: false }, [x]);
    x = g.add(`features.transition${i + 1}.pool`, 'AvgPool2D', { poolSize: 2, strides: 2 }, [x]);
  });
  x = g.add('features.norm5', 'BatchNorm', BN, [x]);
  x = g.add('relu', 'Activation', { fn: 'relu' }, [x]);
  g.add('pool', 'GlobalAvgPool2D', {}, [x]);
  g.add('classifier', 'Dense', { units: 1000, activation: 'softmax' }, ['pool']);
  return design(
    'DenseNet-121 (blocks)',
    'Huang et al. (2017), as torchvision.models.densenet121 defines it, written with one DenseLayer block: dense blocks of 6, 12, 24 and 16 layers, each layer adding 32 channels, with transitions halving channels and size between them. 7,978,856 trainable parameters (PyTorch\'s count) plus 83,648 batch-norm running statistics.',
    { DenseLayer: denseLayer },
    g,
    IMAGENET_SGD,
  );
}

/**
 * EfficientNet-B0 as torchvision.models.efficientnet_b0 builds it: MBConv blocks whose `block`
 * sequence holds a SqueezeExcitation block, so node ids and state_dict keys are torchvision's
 * (`features.2.0.block.2.fc1`).
 */
function efficientNetB0(): Design {
  const squeezeExcitation = block(
    "torchvision's SqueezeExcitation: a kept-dims global average pool, a 1×1 convolution to `squeeze` channels, SiLU, a 1×1 convolution back to `channels`, a sigmoid, and the input scaled channel by channel by that gate.",
    {
      squeeze: { default: 8, doc: 'Channels of the squeeze (a quarter of the MBConv block\'s input channels).' },
      channels: { default: 32, doc: 'Channels of the input, which the gate scales.' },
    },
    (g) => {
      let gate = g.add('avgpool', 'GlobalAvgPool2D', { keepDims: true }, ['x']);
      gate = g.add('fc1', 'Conv2D', { filters: '$squeeze', kernelSize: 1 }, [gate]);
      gate = g.add('activation', 'Activation', { fn: 'silu' }, [gate]);
      gate = g.add('fc2', 'Conv2D', { filters: '$channels', kernelSize: 1 }, [gate]);
      gate = g.add('scale_activation', 'Activation', { fn: 'sigmoid' }, [gate]);
      return g.add('mul', 'Multiply', {}, [gate, 'x']);
    },
  );
  const params = {
    hidden: { default: 96, doc: 'Channels after the 1×1 expansion (input channels × expand ratio), of the depthwise convolution too.' },
    out: { default: 24, doc: 'Output channels of the 1×1 linear projection.' },
    kernel: { default: 3, doc: 'Kernel size of the depthwise convolution (3 or 5).' },
    stride: { default: 1, doc: 'Stride of the depthwise convolution.' },
    squeeze: { default: 4, doc: 'Channels of the squeeze-and-excitation (a quarter of the input channels).' },
    residual: { default: false, doc: 'Whether the input is added to the output (where stride is 1 and the channels stay), after stochastic depth.' },
    dropRate: { default: 0, doc: "Stochastic depth's rate on the residual branch (0.2 · block index / blocks)." },
  };
  /** Depthwise convolution, squeeze-and-excitation, projection and the residual, from `block.<step>` on. */
  const rest = (g: Graph, x: string, step: number): string => {
    x = g.convBn(`block.${step}`, { filters: '$hidden', kernelSize: '$kernel', strides: '$stride', padding: '($kernel - 1) // 2', groups: '$hidden' }, x, 'silu');
    x = g.add(`block.${step + 1}`, 'SqueezeExcitation', { squeeze: '$squeeze', channels: '$hidden' }, [x]);
    x = g.convBn(`block.${step + 2}`, { filters: '$out', kernelSize: 1 }, x, undefined);
    x = g.add('stochastic_depth', 'DropPath', { rate: '$dropRate' }, [x], { when: '$residual' });
    return g.add('add', 'Add', {}, [x, 'x'], { when: '$residual' });
  };
  const mbConv = block(
    "torchvision's MBConv with expansion: a 1×1 convolution to `hidden` channels, a k×k depthwise convolution with the stride, both with batch norm and SiLU, squeeze-and-excitation, a linear 1×1 projection to `out` channels and, where the shape stays, the input added after stochastic depth.",
    params,
    (g) => rest(g, g.convBn('block.0', { filters: '$hidden', kernelSize: 1 }, 'x', 'silu'), 1),
  );
  const noExpansion = block(
    "torchvision's MBConv with expand ratio 1 (the first stage): no 1×1 expansion, so the depthwise convolution is `block.0`, the squeeze-and-excitation `block.1` and the projection `block.2`.",
    params,
    (g) => rest(g, 'x', 0),
  );
  const g = new Graph();
  g.add('input', 'Input', { shape: [224, 224, 3] }, []);
  let x = g.convBn('features.0', { filters: 32, kernelSize: 3, strides: 2, padding: 1 }, 'input', 'silu');
  let channels = 32;
  // Expansion t, kernel k, first stride s, output channels c, repeats n: the paper's table 1 (B0).
  const settings = [
    [1, 3, 1, 16, 1],
    [6, 3, 2, 24, 2],
    [6, 5, 2, 40, 2],
    [6, 3, 2, 80, 3],
    [6, 5, 1, 112, 3],
    [6, 5, 2, 192, 4],
    [6, 3, 1, 320, 1],
  ];
  const totalBlocks = settings.reduce((n, row) => n + row[4], 0);
  let blockIndex = 0;
  settings.forEach(([t, k, s, c, n], stage) => {
    // A stage's copies share their output channels and kernel; the first has the stride and the
    // input channels, the others a residual; every copy has its own stochastic depth rate.
    const copy = (i: number): Record<string, unknown> => {
      const input = i === 0 ? channels : c;
      const args: Record<string, unknown> = { hidden: input * t, squeeze: Math.max(1, Math.floor(input / 4)) };
      const stride = i === 0 ? s : 1;
      if (stride !== 1) args.stride = stride;
      if (stride === 1 && input === c) {
        args.residual = true;
        // torchvision's rate 0.2 · index / blocks, as index / (5 · blocks) so that it is the decimal (0.075, not 0.07500000000000001).
        args.dropRate = (blockIndex + i) / (5 * totalBlocks);
      }
      return args;
    };
    const overrides: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < n; i++) overrides[String(i)] = copy(i);
    // A stage of one block is still a sequence (torchvision's features.1.0), so it is repeated once.
    x = g.add(`features.${stage + 1}`, t === 1 ? 'MBConvNoExpansion' : 'MBConv', { out: c, kernel: k }, [x], { repeat: n, overrides });
    blockIndex += n;
    channels = c;
  });
  x = g.convBn('features.8', { filters: 1280, kernelSize: 1 }, x, 'silu');
  g.add('avgpool', 'GlobalAvgPool2D', {}, [x]);
  g.add('classifier.0', 'Dropout', { rate: 0.2 }, ['avgpool']);
  g.add('classifier.1', 'Dense', { units: 1000, activation: 'softmax' }, ['classifier.0']);
  return design(
    'EfficientNet-B0 (blocks)',
    'Tan & Le (2019), as torchvision.models.efficientnet_b0 defines it, written with its MBConv block (and the first, which has no expansion), each holding a SqueezeExcitation block: node ids are torchvision\'s module paths. 5,288,548 trainable parameters (PyTorch\'s count) plus 42,016 batch-norm running statistics, like efficientnet-b0.cnn.json.',
    { SqueezeExcitation: squeezeExcitation, MBConv: mbConv, MBConvNoExpansion: noExpansion },
    g,
    // The paper's RMSProp recipe scaled to batch 256, as efficientnet-b0.cnn.json.
    { dataset: 'imagefolder', epochs: 350, batchSize: 256, optimizer: 'rmsprop', learningRate: 0.016, schedule: 'exponential', decayRate: 0.987, l2: 0.00001, seed: 42 },
  );
}

const templates: Record<string, Design> = {
  'resnet50-blocks': resnet50(),
  'mobilenet-v2-blocks': mobilenetV2(),
  'densenet121-blocks': densenet121(),
  'efficientnet-b0-blocks': efficientNetB0(),
};

const dir = join(__dirname, '..', 'examples');
for (const [file, d] of Object.entries(templates)) writeFileSync(join(dir, `${file}.cnn.json`), serializeDesign(d));
console.log(`wrote ${Object.keys(templates).length} block templates to ${dir}`);
