import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Design } from '../../../src/core/design';
import { parseDesign } from '../../../src/core/format/parseDesign';
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
  return [{ id: 'two-inputs-two-outputs', design }];
}
