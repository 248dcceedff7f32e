import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';

export interface CentralDifferenceOptions {
  /** The step each checked entry moves by, up and down. */
  step: number;
  /** Allowed difference, relative to the central difference (absolute below 1). 2e-2 unless set. */
  tolerance?: number;
  /** Which entries of each weight are checked: the first, a middle and the last one unless set. */
  entries?: 'first and last' | 'first, middle and last';
}

/**
 * Asserts that `gradients` (tf.variableGrads of `loss`) equal central differences of `loss` at a
 * few entries of every trainable weight of `model`, restoring each weight afterwards; returns how
 * many entries it checked.
 */
export function assertCentralDifferences(model: tf.LayersModel, loss: () => tf.Scalar, gradients: tf.NamedTensorMap, options: CentralDifferenceOptions): number {
  const { step, tolerance = 2e-2, entries = 'first, middle and last' } = options;
  let checked = 0;
  for (const variable of model.trainableWeights) {
    const v = variable.read() as tf.Variable;
    const values = v.dataSync().slice();
    const g = gradients[v.name]?.dataSync();
    assert.ok(g, `a gradient for ${variable.name}`);
    const last = values.length - 1;
    const indices = entries === 'first and last' ? [0, last] : [0, Math.floor(values.length / 2), last];
    for (const index of new Set(indices)) {
      const at = (delta: number): number => {
        const changed = values.slice();
        changed[index] += delta;
        variable.write(tf.tensor(changed, v.shape));
        return tf.tidy(() => loss().dataSync()[0]);
      };
      const numeric = (at(step) - at(-step)) / (2 * step);
      variable.write(tf.tensor(values, v.shape));
      assert.ok(Math.abs(numeric - g[index]) <= tolerance * Math.max(1, Math.abs(numeric)), `${variable.name}[${index}]: gradient ${g[index]}, central difference ${numeric}`);
      checked++;
    }
  }
  return checked;
}
