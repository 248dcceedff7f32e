/**
 * Writes the shipped templates (examples/*.cnn.json) from compact chain descriptions, through the
 * project's own serializer so they are in canonical form. Run: npx tsx scripts/buildTemplates.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyDesign, type Design, type DesignNode, type TrainingSettings } from '../src/core/design';
import { serializeDesign } from '../src/core/format/serializeDesign';

type Layer = [id: string, type: string, params?: Record<string, unknown>];

function chain(name: string, description: string, layers: Layer[], training: TrainingSettings): Design {
  const design = emptyDesign(name);
  design.description = description;
  design.training = training;
  design.nodes = layers.map(([id, type, params]): DesignNode => ({ id, type, params: params ?? {} }));
  for (let i = 1; i < layers.length; i++) design.edges.push({ source: layers[i - 1][0], target: layers[i][0] });
  return design;
}

const mnistTraining: TrainingSettings = { dataset: 'mnist', epochs: 3, batchSize: 64, optimizer: 'adam', learningRate: 0.001, validationSplit: 0.1, seed: 42 };
const cifarTraining: TrainingSettings = { dataset: 'cifar10', epochs: 10, batchSize: 64, optimizer: 'adam', learningRate: 0.001, validationSplit: 0.1, standardize: true, seed: 42 };

const templates: Record<string, Design> = {
  'mnist-cnn': chain(
    'MNIST CNN (course lab)',
    'The lab\'s PyTorch MNIST CNN: two 5×5 convolutions with max pooling, dropout, two fully connected layers and log-softmax. 21,840 parameters.',
    [
      ['input', 'Input', { shape: [28, 28, 1] }],
      ['conv1', 'Conv2D', { filters: 10, kernelSize: 5 }],
      ['pool1', 'MaxPool2D', { poolSize: 2 }],
      ['relu1', 'Activation', { fn: 'relu' }],
      ['conv2', 'Conv2D', { filters: 20, kernelSize: 5 }],
      ['drop1', 'Dropout', { rate: 0.5 }],
      ['pool2', 'MaxPool2D', { poolSize: 2 }],
      ['relu2', 'Activation', { fn: 'relu' }],
      ['flatten', 'Flatten'],
      ['fc1', 'Dense', { units: 50, activation: 'relu' }],
      ['drop2', 'Dropout', { rate: 0.5 }],
      ['fc2', 'Dense', { units: 10, activation: 'logSoftmax' }],
    ],
    { ...mnistTraining, loss: 'nll' },
  ),
  'mnist-ffn': chain(
    'MNIST feed-forward baseline',
    'The fully connected baseline the CNN is compared with: 784 → 256 → 128 → 64 → 10. 242,762 parameters.',
    [
      ['input', 'Input', { shape: [28, 28, 1] }],
      ['flatten', 'Flatten'],
      ['fc1', 'Dense', { units: 256, activation: 'relu' }],
      ['fc2', 'Dense', { units: 128, activation: 'relu' }],
      ['fc3', 'Dense', { units: 64, activation: 'relu' }],
      ['fc4', 'Dense', { units: 10, activation: 'logSoftmax' }],
    ],
    { ...mnistTraining, loss: 'nll' },
  ),
  'mnist-cnn-small': chain(
    'MNIST CNN (notebook)',
    'The notebook\'s small MNIST CNN: conv-relu-pool twice, then one Dense layer. 8,490 parameters.',
    [
      ['input', 'Input', { shape: [28, 28, 1] }],
      ['conv1', 'Conv2D', { filters: 10, kernelSize: 5, activation: 'relu' }],
      ['pool1', 'MaxPool2D', { poolSize: 2 }],
      ['conv2', 'Conv2D', { filters: 20, kernelSize: 5, activation: 'relu' }],
      ['pool2', 'MaxPool2D', { poolSize: 2 }],
      ['flatten', 'Flatten'],
      ['fc', 'Dense', { units: 10, activation: 'softmax' }],
    ],
    mnistTraining,
  ),
  'cifar-dense-1': chain(
    'CIFAR-10 one-layer dense',
    'Softmax regression on raw CIFAR-10 pixels. 30,730 parameters.',
    [
      ['input', 'Input', { shape: [32, 32, 3] }],
      ['flatten', 'Flatten'],
      ['fc', 'Dense', { units: 10, activation: 'softmax' }],
    ],
    cifarTraining,
  ),
  'cifar-dense-2': chain(
    'CIFAR-10 two-layer dense',
    'One hidden layer of 128 ReLU units (about 45% test accuracy in the course). 394,634 parameters.',
    [
      ['input', 'Input', { shape: [32, 32, 3] }],
      ['flatten', 'Flatten'],
      ['fc1', 'Dense', { units: 128, activation: 'relu' }],
      ['fc2', 'Dense', { units: 10, activation: 'softmax' }],
    ],
    cifarTraining,
  ),
  'cifar-simple-cnn': chain(
    'CIFAR-10 simple CNN',
    'One 3×3 convolution with "same" padding, max pooling and a Dense classifier (course table: 68.2% train, 62.4% test). 82,826 parameters.',
    [
      ['input', 'Input', { shape: [32, 32, 3] }],
      ['conv1', 'Conv2D', { filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }],
      ['pool1', 'MaxPool2D', { poolSize: 2 }],
      ['flatten', 'Flatten'],
      ['fc', 'Dense', { units: 10, activation: 'softmax' }],
    ],
    cifarTraining,
  ),
  'cifar-3conv': chain(
    'CIFAR-10 three-conv net',
    'Three 5×5 convolutions (padding 2) with 2×2 pooling, FC 1000 and FC 10: the net of the CIFAR-10 study (71% plain, 90.6% with standardization, augmentation, LR decay, dropout and batch norm). 1,191,170 parameters.',
    [
      ['input', 'Input', { shape: [32, 32, 3] }],
      ['conv1', 'Conv2D', { filters: 32, kernelSize: 5, padding: 2, activation: 'relu' }],
      ['pool1', 'MaxPool2D', { poolSize: 2 }],
      ['conv2', 'Conv2D', { filters: 64, kernelSize: 5, padding: 2, activation: 'relu' }],
      ['pool2', 'MaxPool2D', { poolSize: 2 }],
      ['conv3', 'Conv2D', { filters: 64, kernelSize: 5, padding: 2, activation: 'relu' }],
      ['pool3', 'MaxPool2D', { poolSize: 2 }],
      ['flatten', 'Flatten'],
      ['fc1', 'Dense', { units: 1000, activation: 'relu' }],
      ['fc2', 'Dense', { units: 10, activation: 'softmax' }],
    ],
    { ...cifarTraining, optimizer: 'sgd', learningRate: 0.1, momentum: 0.9, batchSize: 128, schedule: 'exponential', decayRate: 0.95 },
  ),
  'pytorch-tutorial-net': chain(
    'PyTorch tutorial Net',
    'The CIFAR-10 classifier of the PyTorch "Training a classifier" tutorial. 62,006 parameters.',
    [
      ['input', 'Input', { shape: [32, 32, 3] }],
      ['conv1', 'Conv2D', { filters: 6, kernelSize: 5, activation: 'relu' }],
      ['pool1', 'MaxPool2D', { poolSize: 2 }],
      ['conv2', 'Conv2D', { filters: 16, kernelSize: 5, activation: 'relu' }],
      ['pool2', 'MaxPool2D', { poolSize: 2 }],
      ['flatten', 'Flatten'],
      ['fc1', 'Dense', { units: 120, activation: 'relu' }],
      ['fc2', 'Dense', { units: 84, activation: 'relu' }],
      ['fc3', 'Dense', { units: 10, activation: 'softmax' }],
    ],
    { ...cifarTraining, optimizer: 'sgd', learningRate: 0.001, momentum: 0.9, batchSize: 4, epochs: 2 },
  ),
  lenet5: chain(
    'LeNet-5',
    'LeCun et al. (1998): tanh convolutions with average pooling on 32×32 digits. 61,706 parameters.',
    [
      ['input', 'Input', { shape: [32, 32, 1] }],
      ['c1', 'Conv2D', { filters: 6, kernelSize: 5, activation: 'tanh' }],
      ['s2', 'AvgPool2D', { poolSize: 2 }],
      ['c3', 'Conv2D', { filters: 16, kernelSize: 5, activation: 'tanh' }],
      ['s4', 'AvgPool2D', { poolSize: 2 }],
      ['flatten', 'Flatten'],
      ['c5', 'Dense', { units: 120, activation: 'tanh' }],
      ['f6', 'Dense', { units: 84, activation: 'tanh' }],
      ['output', 'Dense', { units: 10, activation: 'softmax' }],
    ],
    { ...mnistTraining },
  ),
  alexnet: chain(
    'AlexNet (one tower)',
    'Krizhevsky et al. (2012) as one tower on 227×227 images: 62,378,344 parameters, most in the first fully connected layer.',
    [
      ['input', 'Input', { shape: [227, 227, 3] }],
      ['conv1', 'Conv2D', { filters: 96, kernelSize: 11, strides: 4, activation: 'relu' }],
      ['pool1', 'MaxPool2D', { poolSize: 3, strides: 2 }],
      ['conv2', 'Conv2D', { filters: 256, kernelSize: 5, padding: 2, activation: 'relu' }],
      ['pool2', 'MaxPool2D', { poolSize: 3, strides: 2 }],
      ['conv3', 'Conv2D', { filters: 384, kernelSize: 3, padding: 1, activation: 'relu' }],
      ['conv4', 'Conv2D', { filters: 384, kernelSize: 3, padding: 1, activation: 'relu' }],
      ['conv5', 'Conv2D', { filters: 256, kernelSize: 3, padding: 1, activation: 'relu' }],
      ['pool5', 'MaxPool2D', { poolSize: 3, strides: 2 }],
      ['flatten', 'Flatten'],
      ['fc6', 'Dense', { units: 4096, activation: 'relu' }],
      ['drop6', 'Dropout', { rate: 0.5 }],
      ['fc7', 'Dense', { units: 4096, activation: 'relu' }],
      ['drop7', 'Dropout', { rate: 0.5 }],
      ['fc8', 'Dense', { units: 1000, activation: 'softmax' }],
    ],
    { dataset: 'imagefolder', epochs: 90, batchSize: 128, optimizer: 'sgd', learningRate: 0.01, momentum: 0.9, schedule: 'step', decayRate: 0.1, decaySteps: 30, l2: 0.0005, seed: 42 },
  ),
  vgg16: chain(
    'VGG16',
    'Simonyan & Zisserman (2014): thirteen 3×3 convolutions in five blocks and three fully connected layers. 138,357,544 parameters.',
    [
      ['input', 'Input', { shape: [224, 224, 3] }],
      ...[64, 128, 256, 512, 512].flatMap((filters, b): Layer[] => [
        ...Array.from({ length: b < 2 ? 2 : 3 }, (_, i): Layer => [`block${b + 1}_conv${i + 1}`, 'Conv2D', { filters, kernelSize: 3, padding: 1, activation: 'relu' }]),
        [`block${b + 1}_pool`, 'MaxPool2D', { poolSize: 2 }],
      ]),
      ['flatten', 'Flatten'],
      ['fc1', 'Dense', { units: 4096, activation: 'relu' }],
      ['fc2', 'Dense', { units: 4096, activation: 'relu' }],
      ['predictions', 'Dense', { units: 1000, activation: 'softmax' }],
    ],
    { dataset: 'imagefolder', epochs: 74, batchSize: 256, optimizer: 'sgd', learningRate: 0.01, momentum: 0.9, l2: 0.0005, seed: 42 },
  ),
  resnet18: resnet18(),
  'mobilenet-v2': mobilenetV2(),
  resnet50: resnet50(),
  'efficientnet-b0': efficientNetB0(),
};

/** ResNet-18 exactly as torchvision.models.resnet18 builds it (BasicBlock, [2, 2, 2, 2]). */
function resnet18(): Design {
  const design = torchvisionResnet(
    'ResNet-18',
    'He et al. (2015), as torchvision.models.resnet18 defines it: 11,689,512 trainable parameters (PyTorch\'s count) plus 9,600 batch-norm running statistics.',
  );
  const bn = { momentum: 0.9, epsilon: 1e-5 };
  let channels = 64;
  const add = nodeAdder(design);
  const previous = resnetStages([2, 2, 2, 2], (p, input, filters, stride) => {
    let x = add(`${p}_conv1`, 'Conv2D', { filters, kernelSize: 3, strides: stride, padding: 1, useBias: false }, [input]);
    x = add(`${p}_bn1`, 'BatchNorm', bn, [x]);
    x = add(`${p}_relu1`, 'Activation', { fn: 'relu' }, [x]);
    x = add(`${p}_conv2`, 'Conv2D', { filters, kernelSize: 3, padding: 1, useBias: false }, [x]);
    x = add(`${p}_bn2`, 'BatchNorm', bn, [x]);
    let shortcut = input;
    if (stride !== 1 || channels !== filters) {
      shortcut = add(`${p}_downsample_conv`, 'Conv2D', { filters, kernelSize: 1, strides: stride, useBias: false }, [input]);
      shortcut = add(`${p}_downsample_bn`, 'BatchNorm', bn, [shortcut]);
    }
    x = add(`${p}_add`, 'Add', {}, [x, shortcut]);
    channels = filters;
    return add(`${p}_relu2`, 'Activation', { fn: 'relu' }, [x]);
  });
  add('avgpool', 'GlobalAvgPool2D', {}, [previous]);
  add('fc', 'Dense', { units: 1000, activation: 'softmax' }, ['avgpool']);
  return design;
}

/**
 * MobileNetV2 exactly as torchvision.models.mobilenet_v2 builds it: inverted residual blocks (1×1
 * expansion, 3×3 depthwise convolution, 1×1 linear projection), node ids the module paths as the
 * torchvision reference converter writes them, so the reference test compares it node by node.
 */
function mobilenetV2(): Design {
  const design = torchvisionMobileNet(
    'MobileNetV2',
    'Sandler et al. (2018), as torchvision.models.mobilenet_v2 defines it: inverted residual blocks whose 3×3 convolutions are depthwise (groups = channels). 3,504,872 trainable parameters (PyTorch\'s count) plus 34,112 batch-norm running statistics.',
    'relu6',
    { dataset: 'imagefolder', epochs: 150, batchSize: 96, optimizer: 'rmsprop', learningRate: 0.045, schedule: 'exponential', decayRate: 0.98, l2: 0.00004, seed: 42 },
  );
  const bn = { momentum: 0.9, epsilon: 1e-5 };
  let previous = 'features_0_2';
  let channels = 32;
  const add = nodeAdder(design);
  const convBnRelu = convBnActivation(add, bn, 'relu6');
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
      const p = `features_${index}_conv`;
      const stride = i === 0 ? s : 1;
      const hidden = channels * t;
      let x = previous;
      let step = 0;
      if (t !== 1) x = convBnRelu(`${p}_${step++}`, { filters: hidden, kernelSize: 1 }, x);
      x = convBnRelu(`${p}_${step++}`, { filters: hidden, kernelSize: 3, ...(stride !== 1 ? { strides: stride } : {}), padding: 1, groups: hidden }, x);
      x = add(`${p}_${step++}`, 'Conv2D', { filters: c, kernelSize: 1, useBias: false }, [x]);
      x = add(`${p}_${step}`, 'BatchNorm', bn, [x]);
      // The residual connection where the block keeps the shape (torchvision's x + conv(x): the input first).
      previous = stride === 1 && channels === c ? add(`features_${index}_add`, 'Add', {}, [previous, x]) : x;
      channels = c;
    }
  }
  previous = convBnRelu('features_18', { filters: 1280, kernelSize: 1 }, previous);
  add('pool', 'GlobalAvgPool2D', {}, [previous]);
  add('classifier_0', 'Dropout', { rate: 0.2 }, ['pool']);
  add('classifier_1', 'Dense', { units: 1000, activation: 'softmax' }, ['classifier_0']);
  return design;
}

/**
 * ResNet-50 exactly as torchvision.models.resnet50 builds it: bottleneck blocks [3, 4, 6, 3] (1×1
 * reduction, 3×3 with the stage's stride, 1×1 expansion to 4× the width), a projection shortcut in
 * each stage's first block. Node ids are torchvision's module paths (state_dict keys with `.` → `_`);
 * the block's one ReLU module, applied three times, is relu1/relu2/relu3.
 */
function resnet50(): Design {
  const design = torchvisionResnet(
    'ResNet-50',
    'He et al. (2015), as torchvision.models.resnet50 defines it: bottleneck blocks (1×1, 3×3, 1×1 convolutions) in stages of 3, 4, 6 and 3. 25,557,032 trainable parameters (PyTorch\'s count) plus 53,120 batch-norm running statistics.',
  );
  const bn = { momentum: 0.9, epsilon: 1e-5 };
  const add = nodeAdder(design);
  let channels = 64;
  // torchvision's V1.5 bottleneck: the stride sits on the 3×3 convolution.
  const previous = resnetStages([3, 4, 6, 3], (p, input, width, stride) => {
    let x = add(`${p}_conv1`, 'Conv2D', { filters: width, kernelSize: 1, useBias: false }, [input]);
    x = add(`${p}_relu1`, 'Activation', { fn: 'relu' }, [add(`${p}_bn1`, 'BatchNorm', bn, [x])]);
    x = add(`${p}_conv2`, 'Conv2D', { filters: width, kernelSize: 3, ...(stride !== 1 ? { strides: stride } : {}), padding: 1, useBias: false }, [x]);
    x = add(`${p}_relu2`, 'Activation', { fn: 'relu' }, [add(`${p}_bn2`, 'BatchNorm', bn, [x])]);
    x = add(`${p}_conv3`, 'Conv2D', { filters: width * 4, kernelSize: 1, useBias: false }, [x]);
    x = add(`${p}_bn3`, 'BatchNorm', bn, [x]);
    let shortcut = input;
    if (stride !== 1 || channels !== width * 4) {
      shortcut = add(`${p}_downsample_0`, 'Conv2D', { filters: width * 4, kernelSize: 1, ...(stride !== 1 ? { strides: stride } : {}), useBias: false }, [input]);
      shortcut = add(`${p}_downsample_1`, 'BatchNorm', bn, [shortcut]);
    }
    channels = width * 4;
    return add(`${p}_relu3`, 'Activation', { fn: 'relu' }, [add(`${p}_add`, 'Add', {}, [x, shortcut])]);
  });
  add('avgpool', 'GlobalAvgPool2D', {}, [previous]);
  add('fc', 'Dense', { units: 1000, activation: 'softmax' }, ['avgpool']);
  return design;
}

/**
 * EfficientNet-B0 exactly as torchvision.models.efficientnet_b0 builds it: MBConv blocks (1×1
 * expansion, depthwise k×k convolution, squeeze-and-excitation, 1×1 linear projection) with SiLU,
 * and stochastic depth on the residual branch whose rate grows linearly with the block's index to
 * 0.2. Node ids are torchvision's module paths; the excitation's product and the residual sum are
 * named after their block.
 */
function efficientNetB0(): Design {
  const design = torchvisionMobileNet(
    'EfficientNet-B0',
    'Tan & Le (2019), as torchvision.models.efficientnet_b0 defines it: MBConv blocks with depthwise convolutions, squeeze-and-excitation (a kept-dims global pool gating the channels) and stochastic depth, SiLU throughout. 5,288,548 trainable parameters (PyTorch\'s count) plus 42,016 batch-norm running statistics.',
    'silu',
    // The paper's RMSProp recipe scaled to batch 256 (learning rate 0.016), its 0.97 every 2.4 epochs as a per-epoch decay.
    { dataset: 'imagefolder', epochs: 350, batchSize: 256, optimizer: 'rmsprop', learningRate: 0.016, schedule: 'exponential', decayRate: 0.987, l2: 0.00001, seed: 42 },
  );
  // torchvision's EfficientNet (B0 to B7) keeps BatchNorm2d's defaults: ε 1e-5, momentum 0.1.
  const bn = { momentum: 0.9, epsilon: 1e-5 };
  const add = nodeAdder(design);
  const convBnSilu = convBnActivation(add, bn, 'silu');
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
  let previous = 'features_0_2';
  let channels = 32;
  let blockIndex = 0;
  settings.forEach(([t, k, s, c, n], stage) => {
    for (let i = 0; i < n; i++, blockIndex++) {
      const p = `features_${stage + 1}_${i}`;
      const stride = i === 0 ? s : 1;
      const hidden = channels * t;
      let x = previous;
      let step = 0;
      if (t !== 1) x = convBnSilu(`${p}_block_${step++}`, { filters: hidden, kernelSize: 1 }, x);
      x = convBnSilu(`${p}_block_${step++}`, { filters: hidden, kernelSize: k, ...(stride !== 1 ? { strides: stride } : {}), padding: (k - 1) / 2, groups: hidden }, x);
      // Squeeze-and-excitation: a quarter of the block's input channels, a sigmoid gate on every channel.
      const se = `${p}_block_${step++}`;
      let gate = add(`${se}_avgpool`, 'GlobalAvgPool2D', { keepDims: true }, [x]);
      gate = add(`${se}_fc1`, 'Conv2D', { filters: Math.max(1, Math.floor(channels / 4)), kernelSize: 1 }, [gate]);
      gate = add(`${se}_activation`, 'Activation', { fn: 'silu' }, [gate]);
      gate = add(`${se}_fc2`, 'Conv2D', { filters: hidden, kernelSize: 1 }, [gate]);
      gate = add(`${se}_scale_activation`, 'Activation', { fn: 'sigmoid' }, [gate]);
      x = add(`${se}_mul`, 'Multiply', {}, [gate, x]);
      x = add(`${p}_block_${step}_0`, 'Conv2D', { filters: c, kernelSize: 1, useBias: false }, [x]);
      x = add(`${p}_block_${step}_1`, 'BatchNorm', bn, [x]);
      if (stride === 1 && channels === c) {
        // torchvision's rate 0.2 · index / blocks, computed as index / (5 · blocks) so that it is the decimal (0.075, not 0.07500000000000001).
        x = add(`${p}_stochastic_depth`, 'DropPath', { rate: blockIndex / (5 * totalBlocks) }, [x]);
        x = add(`${p}_add`, 'Add', {}, [x, previous]);
      }
      previous = x;
      channels = c;
    }
  });
  previous = convBnSilu('features_8', { filters: 1280, kernelSize: 1 }, previous);
  add('avgpool', 'GlobalAvgPool2D', {}, [previous]);
  add('classifier_0', 'Dropout', { rate: 0.2 }, ['avgpool']);
  add('classifier_1', 'Dense', { units: 1000, activation: 'softmax' }, ['classifier_0']);
  return design;
}

/** The ImageNet ResNets' stem as torchvision builds it (7×7 convolution, batch norm, ReLU, 3×3 max pool) and the paper's training recipe. */
function torchvisionResnet(name: string, description: string): Design {
  return chain(
    name,
    description,
    [
      ['input', 'Input', { shape: [224, 224, 3] }],
      ['conv1', 'Conv2D', { filters: 64, kernelSize: 7, strides: 2, padding: 3, useBias: false }],
      ['bn1', 'BatchNorm', { momentum: 0.9, epsilon: 1e-5 }],
      ['relu', 'Activation', { fn: 'relu' }],
      ['maxpool', 'MaxPool2D', { poolSize: 3, strides: 2, padding: 1 }],
    ],
    { dataset: 'imagefolder', epochs: 90, batchSize: 256, optimizer: 'sgd', learningRate: 0.1, momentum: 0.9, schedule: 'step', decayRate: 0.1, decaySteps: 30, l2: 0.0001, seed: 42 },
  );
}

/**
 * Adds torchvision's ResNet stages after the stem's max pool: `blocks[s]` blocks in stage s, of width
 * 64·2^s, the first block of every stage but the first with stride 2. `block` adds one block, named
 * `p`, on `input` and returns its output; the last block's output is returned.
 */
function resnetStages(blocks: number[], block: (p: string, input: string, width: number, stride: number) => string): string {
  let previous = 'maxpool';
  blocks.forEach((count, stage) => {
    for (let b = 0; b < count; b++) previous = block(`layer${stage + 1}_${b}`, previous, 64 * 2 ** stage, stage > 0 && b === 0 ? 2 : 1);
  });
  return previous;
}

/** The stem of torchvision's MobileNetV2 and EfficientNet (3×3 stride-2 convolution to 32 channels, batch norm, `activation`). */
function torchvisionMobileNet(name: string, description: string, activation: string, training: TrainingSettings): Design {
  return chain(
    name,
    description,
    [
      ['input', 'Input', { shape: [224, 224, 3] }],
      ['features_0_0', 'Conv2D', { filters: 32, kernelSize: 3, strides: 2, padding: 1, useBias: false }],
      ['features_0_1', 'BatchNorm', { momentum: 0.9, epsilon: 1e-5 }],
      ['features_0_2', 'Activation', { fn: activation }],
    ],
    training,
  );
}

type NodeAdder = (id: string, type: string, params: Record<string, unknown>, inputs: string[]) => string;

/** A convolution without bias, its batch norm and `activation`, named `<p>_0`, `_1`, `_2` as torchvision's Conv2dNormActivation. */
function convBnActivation(add: NodeAdder, bn: Record<string, unknown>, activation: string): (p: string, params: Record<string, unknown>, input: string) => string {
  return (p, params, input) => {
    const x = add(`${p}_0`, 'Conv2D', { ...params, useBias: false }, [input]);
    return add(`${p}_2`, 'Activation', { fn: activation }, [add(`${p}_1`, 'BatchNorm', bn, [x])]);
  };
}

/** Appends a node and its input edges (in order) to a design; returns the node's id. */
function nodeAdder(design: Design): NodeAdder {
  return (id, type, params, inputs) => {
    design.nodes.push({ id, type, params });
    for (const source of inputs) design.edges.push({ source, target: id });
    return id;
  };
}

const dir = join(__dirname, '..', 'examples');
for (const [file, design] of Object.entries(templates)) writeFileSync(join(dir, `${file}.cnn.json`), serializeDesign(design));
console.log(`wrote ${Object.keys(templates).length} templates to ${dir}`);
