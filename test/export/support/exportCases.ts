import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyDesign, type Design } from '../../../src/core/design';
import { parseDesign } from '../../../src/core/format/parseDesign';
import { ACTIVATIONS } from '../../../src/core/layers/layerType';
import { chainDesign, type ChainLayer } from '../../support/designBuilder';
import { randomValidDesign } from '../../support/randomDesign';

export interface ExportCase {
  id: string;
  design: Design;
}

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

/** Every template in examples/, by file name. */
export function templateCases(): ExportCase[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.cnn.json'))
    .sort()
    .map((f) => ({ id: f.replace(/\.cnn\.json$/, ''), design: parseDesign(readFileSync(join(EXAMPLES, f), 'utf8')).design! }));
}

/**
 * How many random designs the wide sweep checks: EXPORT_SWEEP, 200 unless set (the floor).
 */
export const SWEEP_SIZE = Number(process.env.EXPORT_SWEEP ?? 200);

/** Random valid designs (chains and branches, every layer type, Dense on spatial tensors too). */
export function randomCases(count = SWEEP_SIZE): ExportCase[] {
  return Array.from({ length: count }, (_, i) => {
    const seed = 1000 + i;
    return { id: `random-${seed}`, design: randomValidDesign(seed, { maxLayers: 10, maxSpatial: 14, denseOnSpatial: i % 3 === 0 }) };
  });
}

/**
 * Shapes the generator does not make: two inputs merged by Concat, two outputs, a name that is not
 * an identifier and ids that clash with Python and JavaScript words.
 */
export function handmadeCases(): ExportCase[] {
  const design: Design = {
    ...emptyDesign('2 inputs, 2 outputs'),
    nodes: [
      { id: 'image', type: 'Input', params: { shape: [9, 9, 3] } },
      { id: 'mask', type: 'Input', params: { shape: [9, 9, 1] } },
      { id: 'class', type: 'Conv2D', params: { filters: 4, kernelSize: [2, 3], strides: 2, padding: 'same', activation: 'leakyRelu' } },
      { id: 'self', type: 'Concat', params: {} },
      { id: 'x', type: 'MaxPool2D', params: { poolSize: 3, strides: 2, padding: 'same' } },
      { id: 'mask-pool', type: 'AvgPool2D', params: { poolSize: 2, padding: 'same' } },
      { id: 'lambda', type: 'GlobalAvgPool2D', params: {} },
      { id: 'head.1', type: 'Dense', params: { units: 3, activation: 'softmax' } },
      { id: 'head2', type: 'Dense', params: { units: 2, activation: 'logSoftmax' } },
    ],
    edges: [
      { source: 'image', target: 'class' },
      { source: 'mask', target: 'mask-pool' },
      { source: 'class', target: 'self' },
      { source: 'mask-pool', target: 'self' },
      { source: 'self', target: 'x' },
      { source: 'x', target: 'lambda' },
      { source: 'lambda', target: 'head.1' },
      { source: 'x', target: 'head2' },
    ],
  };
  return [{ id: 'two-inputs-two-outputs', design }, everyActivationCase(), ...upsamplingCases()];
}

/** The cases whose id matches EXPORT_ONLY (a regular expression), all when it is unset: to run a few while working on them. */
export function onlyCases(cases: ExportCase[]): ExportCase[] {
  const only = process.env.EXPORT_ONLY;
  return only ? cases.filter((c) => new RegExp(only).test(c.id)) : cases;
}

/** A chain of `layers` after an input of `shape`, node ids l1, l2, …. */
function chainCase(id: string, shape: number[], layers: ChainLayer[]): ExportCase {
  return { id, design: { ...chainDesign(shape, layers), name: id } };
}

/**
 * Transposed convolutions, padding, cropping and PyTorch's pooling modes at odd sizes, with
 * uneven strides, output padding past the full output, dilation and groups; and a small U-Net
 * whose skip is center-cropped to the up-convolution's size.
 */
function upsamplingCases(): ExportCase[] {
  const image = chainCase('transposed-2d-padding-pooling', [5, 7, 4], [
    ['Conv2DTranspose', { filters: 4, kernelSize: 3, strides: 2, padding: 1, outputPadding: 1 }],
    ['Conv2DTranspose', { filters: 3, kernelSize: [2, 3], strides: [3, 2], padding: 0, outputPadding: [2, 0], activation: 'tanh' }],
    ['Conv2DTranspose', { filters: 4, kernelSize: 3, strides: 2, padding: 'same', dilationRate: 2, useBias: false }],
    ['Conv2DTranspose', { filters: 6, kernelSize: 2, strides: 1, padding: 1, dilationRate: [2, 1], outputPadding: [1, 0], groups: 2, activation: 'leakyRelu' }],
    ['Padding2D', { padding: [1, 2, 0, 3], mode: 'reflect' }],
    ['Padding2D', { padding: [2, 1], mode: 'replicate' }],
    ['Padding2D', { padding: 1, mode: 'circular' }],
    ['Padding2D', { padding: [0, 1, 2, 0], value: 0.5 }],
    ['Padding2D', { padding: [1, 0] }],
    ['Cropping2D', { cropping: [1, 0, 2, 1] }],
    ['MaxPool2D', { poolSize: 3, strides: 2, padding: 1, ceilMode: true }],
    ['AvgPool2D', { poolSize: 3, strides: 2, padding: 1, ceilMode: true, countIncludePad: false }],
    ['AvgPool2D', { poolSize: 2, strides: 2, padding: 1, ceilMode: true }],
    ['AvgPool2D', { poolSize: [2, 3], strides: 1, padding: 1, countIncludePad: false }],
  ]);
  const sequence = chainCase('transposed-1d-pooling', [9, 2], [
    ['Conv1DTranspose', { filters: 3, kernelSize: 4, strides: 3, padding: 2, outputPadding: 1 }],
    ['Conv1DTranspose', { filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }],
    ['Conv1DTranspose', { filters: 4, kernelSize: 3, dilationRate: 2, groups: 2, padding: 1 }],
    ['MaxPool1D', { poolSize: 3, strides: 2, padding: 1, ceilMode: true }],
    ['AvgPool1D', { poolSize: 3, strides: 2, padding: 1, ceilMode: true, countIncludePad: false }],
    ['GlobalMaxPool1D', {}],
    ['Dense', { units: 3 }],
  ]);
  const pooled = chainCase('global-average-1d', [11, 3], [
    ['Conv1D', { filters: 4, kernelSize: 3, strides: 2 }],
    ['GlobalAvgPool1D', {}],
  ]);
  const unet: Design = {
    ...emptyDesign('mini U-Net'),
    nodes: [
      { id: 'input', type: 'Input', params: { shape: [21, 20, 1] } },
      { id: 'down', type: 'Conv2D', params: { filters: 4, kernelSize: 3, activation: 'relu' } },
      { id: 'pool', type: 'MaxPool2D', params: { poolSize: 2, padding: 'same' } },
      { id: 'bottom', type: 'Conv2D', params: { filters: 8, kernelSize: 3, activation: 'relu' } },
      { id: 'up', type: 'Conv2DTranspose', params: { filters: 4, kernelSize: 2, strides: 2 } },
      { id: 'crop', type: 'Cropping2D', params: {} },
      { id: 'merge', type: 'Concat', params: {} },
      { id: 'head', type: 'Conv2D', params: { filters: 2, kernelSize: 1 } },
    ],
    edges: [
      { source: 'input', target: 'down' },
      { source: 'down', target: 'pool' },
      { source: 'pool', target: 'bottom' },
      { source: 'bottom', target: 'up' },
      { source: 'down', target: 'crop' },
      { source: 'up', target: 'crop' },
      { source: 'crop', target: 'merge' },
      { source: 'up', target: 'merge' },
      { source: 'merge', target: 'head' },
    ],
  };
  return [image, sequence, pooled, { id: 'mini-unet', design: unet }];
}

/**
 * Every activation, fused into a convolution and as an Activation layer (leaky ReLU and ELU also
 * with their own α), side by side and concatenated: each export computes each of them.
 */
function everyActivationCase(): ExportCase {
  const fns = ACTIVATIONS.filter((fn) => fn !== 'linear');
  const design: Design = {
    ...emptyDesign('every activation'),
    nodes: [
      { id: 'input', type: 'Input', params: { shape: [5, 6, 2] } },
      // A wide range of values: the interesting parts of hardsigmoid and relu6 lie at ±3 and 6.
      { id: 'wide', type: 'Conv2D', params: { filters: 3, kernelSize: 1, useBias: false } },
      ...fns.map((fn) => ({ id: `conv_${fn}`, type: 'Conv2D', params: { filters: 2, kernelSize: 3, padding: 'same', activation: fn } })),
      ...fns.map((fn) => ({ id: `act_${fn}`, type: 'Activation', params: { fn } })),
      { id: 'act_leakyRelu_alpha', type: 'Activation', params: { fn: 'leakyRelu', alpha: 0.2 } },
      { id: 'act_elu_alpha', type: 'Activation', params: { fn: 'elu', alpha: 0.5 } },
      { id: 'all', type: 'Concat', params: {} },
    ],
    edges: [{ source: 'input', target: 'wide' }],
  };
  for (const node of design.nodes.slice(2, -1)) design.edges.push({ source: 'wide', target: node.id }, { source: node.id, target: 'all' });
  return { id: 'every-activation', design };
}
