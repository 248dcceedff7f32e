import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Design } from '../../../src/core/design';
import { parseDesign } from '../../../src/core/format/parseDesign';
import { ACTIVATIONS } from '../../../src/core/layers/layerType';
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
    format: 'cnn-designer',
    version: 1,
    name: '2 inputs, 2 outputs',
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
    training: {},
  };
  return [{ id: 'two-inputs-two-outputs', design }, everyActivationCase()];
}

/**
 * Every activation, fused into a convolution and as an Activation layer (leaky ReLU and ELU also
 * with their own α), side by side and concatenated: each export computes each of them.
 */
function everyActivationCase(): ExportCase {
  const fns = ACTIVATIONS.filter((fn) => fn !== 'linear');
  const design: Design = {
    format: 'cnn-designer',
    version: 1,
    name: 'every activation',
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
    training: {},
  };
  for (const node of design.nodes.slice(2, -1)) design.edges.push({ source: 'wide', target: node.id }, { source: node.id, target: 'all' });
  return { id: 'every-activation', design };
}
