import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../support/randomDesign';

/**
 * Makes these tests independent of whatever other suites in the same mocha process registered:
 * the training suites register the wasm backend at a higher priority, and it needs an async init.
 */
export async function usePlainCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
}

/** Evaluates an exported TF.js module in this process (its `require('@tensorflow/tfjs')` resolves here). */
export function loadTfjsExport(code: string): { buildModel: () => tf.LayersModel } {
  const module = { exports: {} as { buildModel: () => tf.LayersModel } };
  new Function('require', 'module', 'exports', code)(require, module, module.exports);
  return module.exports;
}

/**
 * Gives every weight seeded random values, batch-norm statistics included (fresh ones are 0 and 1,
 * which would hide a mix-up of mean, variance, scale and shift).
 */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const rnd = seededRandom(seed);
  for (const layer of model.layers) {
    const weights = layer.weights;
    if (!weights.length) continue;
    const values = weights.map((w) => {
      const shape = w.shape as number[];
      const size = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      const kind = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
      const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
      for (let i = 0; i < size; i++) {
        const u = rnd();
        data[i] =
          kind === 'moving_variance' || kind === 'gamma' ? 0.5 + u : kind === 'kernel' ? (2 * u - 1) * Math.sqrt(3 / fanIn) : 0.2 * (2 * u - 1);
      }
      return tf.tensor(data, shape);
    });
    layer.setWeights(values);
    values.forEach((v) => v.dispose());
  }
}

/** Seeded input batch in [-1, 1]. */
export function randomInput(shape: number[], seed: number): Float32Array {
  const rnd = seededRandom(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = 2 * rnd() - 1;
  return data;
}

/** Every weight of the model as "layer/weight" tensors, as `model.save()` names them. */
export function namedWeights(model: tf.LayersModel): { name: string; shape: number[]; data: Float32Array }[] {
  return model.weights.map((w) => ({ name: w.originalName, shape: [...(w.shape as number[])], data: w.read().dataSync() as Float32Array }));
}
