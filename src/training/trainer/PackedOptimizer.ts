import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../../core/design';
import type { OptimizerKernels } from '../engine/kernels/wasm/optimizerKernels';

/** Packed weights and moment vectors, each one value per parameter. */
export interface PackedOptimizerState {
  weights: Float32Array;
  first?: Float32Array;
  second?: Float32Array;
  /**
   * The WebAssembly kernels of the memory the vectors lie in: an update whose gradients lie there
   * too runs in them (the same values, bit for bit, several times faster).
   */
  kernels?: OptimizerKernels;
}

export interface PackedOptimizerSettings {
  optimizer: OptimizerName;
  learningRate: number;
  momentum: number;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const RMS_ALPHA = 0.99;
const EPSILON = 1e-8;

/**
 * SGD (with momentum), Adam and RMSprop with PyTorch's update rules and defaults (Adam betas
 * 0.9/0.999, RMSprop alpha 0.99, eps 1e-8), over all trainable weights packed in one vector. The
 * update runs in plain JavaScript over that vector and writes each weight back once: a TF.js
 * optimizer spends about a dozen small kernel calls per weight per step, which on the
 * single-threaded engines cost more than the arithmetic. Every data-parallel replica runs the
 * same code on the same mean gradient, so their weights stay bit-for-bit equal.
 */
export class PackedOptimizer {
  learningRate: number;
  private readonly weights: Float32Array;
  private readonly first?: Float32Array;
  private readonly second?: Float32Array;
  private readonly kernels?: OptimizerKernels;
  private steps = 0;

  /**
   * `state`, when given, holds the packed weights and moments (in shared memory, for the
   * data-parallel copies, which then update one shard each instead of each holding all of it);
   * its weights must already hold the variables' values. Without it the optimizer allocates its own.
   */
  constructor(
    private readonly settings: PackedOptimizerSettings,
    private readonly variables: tf.Variable[],
    state?: PackedOptimizerState,
  ) {
    this.learningRate = settings.learningRate;
    const total = variables.reduce((n, v) => n + v.size, 0);
    const moments = PackedOptimizer.moments(settings);
    if (state) {
      if (state.weights.length !== total || (moments > 0 && state.first?.length !== total) || (moments > 1 && state.second?.length !== total)) throw new Error(`The shared optimizer state does not fit ${total} parameters.`);
      this.weights = state.weights;
      this.first = moments > 0 ? state.first : undefined;
      this.second = moments > 1 ? state.second : undefined;
      this.kernels = state.kernels;
      return;
    }
    this.weights = new Float32Array(total);
    let offset = 0;
    for (const v of variables) {
      this.weights.set(v.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    if (moments > 0) this.first = new Float32Array(total);
    if (moments > 1) this.second = new Float32Array(total);
  }

  /** How many moment vectors (beside the weights) an optimizer keeps: 0, 1 or 2. */
  static moments(settings: PackedOptimizerSettings): number {
    if (settings.optimizer === 'adam' || (settings.optimizer === 'rmsprop' && settings.momentum > 0)) return 2;
    return settings.optimizer === 'rmsprop' || settings.momentum > 0 ? 1 : 0;
  }

  /** Number of parameters the optimizer updates. */
  get size(): number {
    return this.weights.length;
  }

  /** One update with the (mean) gradient of every trainable weight, packed in variable order. */
  step(gradients: Float32Array): void {
    if (gradients.length !== this.weights.length) throw new Error(`Expected ${this.weights.length} gradient values, got ${gradients.length}.`);
    this.update(gradients, 0, this.weights.length);
    this.load();
  }

  /**
   * Updates the packed weights (not yet the variables) at [from, to) with `gradients` at the same
   * indices. Every call counts as a step, so a copy that owns one shard calls it once per step.
   */
  update(gradients: Float32Array, from: number, to: number): void {
    this.steps++;
    const w = this.weights;
    if (this.kernels && gradients.buffer === w.buffer) {
      this.updateInKernels(this.kernels, gradients, from, to);
      return;
    }
    const lr = this.learningRate;
    const n = to;
    switch (this.settings.optimizer) {
      case 'sgd': {
        const mu = this.settings.momentum;
        const buffer = this.first;
        if (!buffer) for (let i = from; i < n; i++) w[i] -= lr * gradients[i];
        else
          for (let i = from; i < n; i++) {
            // PyTorch: the first step's buffer is the gradient itself.
            const b = this.steps === 1 ? gradients[i] : mu * buffer[i] + gradients[i];
            buffer[i] = b;
            w[i] -= lr * b;
          }
        break;
      }
      case 'adam': {
        const m = this.first!;
        const v = this.second!;
        const { stepSize, root2 } = adamCorrections(lr, this.steps);
        for (let i = from; i < n; i++) {
          const g = gradients[i];
          const mi = BETA1 * m[i] + (1 - BETA1) * g;
          const vi = BETA2 * v[i] + (1 - BETA2) * g * g;
          m[i] = mi;
          v[i] = vi;
          w[i] -= (stepSize * mi) / (Math.sqrt(vi) / root2 + EPSILON);
        }
        break;
      }
      case 'rmsprop': {
        const square = this.first!;
        const buffer = this.second;
        const mu = this.settings.momentum;
        for (let i = from; i < n; i++) {
          const g = gradients[i];
          const s = RMS_ALPHA * square[i] + (1 - RMS_ALPHA) * g * g;
          square[i] = s;
          const scaled = g / (Math.sqrt(s) + EPSILON);
          if (buffer) {
            const b = mu * buffer[i] + scaled;
            buffer[i] = b;
            w[i] -= lr * b;
          } else w[i] -= lr * scaled;
        }
        break;
      }
    }
  }

  /** `update` in the WebAssembly kernels: the same arithmetic in the same order, on the vectors' byte offsets. */
  private updateInKernels(kernels: OptimizerKernels, gradients: Float32Array, from: number, to: number): void {
    const at = (vector?: Float32Array): number => vector?.byteOffset ?? 0;
    const lr = this.learningRate;
    const w = at(this.weights);
    const g = at(gradients);
    switch (this.settings.optimizer) {
      case 'sgd':
        kernels.sgd(w, at(this.first), g, from, to, lr, this.settings.momentum, this.steps === 1 ? 1 : 0);
        break;
      case 'adam': {
        const { stepSize, root2 } = adamCorrections(lr, this.steps);
        kernels.adam(w, at(this.first), at(this.second), g, from, to, BETA1, 1 - BETA1, BETA2, 1 - BETA2, stepSize, root2, EPSILON);
        break;
      }
      case 'rmsprop':
        kernels.rmsprop(w, at(this.first), at(this.second), g, from, to, lr, RMS_ALPHA, 1 - RMS_ALPHA, EPSILON, this.settings.momentum);
        break;
    }
  }

  /** Writes the packed weights into the variables. */
  load(): void {
    const w = this.weights;
    tf.tidy(() => {
      let offset = 0;
      for (const variable of this.variables) {
        variable.assign(tf.tensor(w.subarray(offset, offset + variable.size), variable.shape));
        offset += variable.size;
      }
    });
  }
}

/**
 * Adam's bias corrections at step `steps` (PyTorch's order): the step size lr / (1 - β1^t) and
 * √(1 - β2^t). One helper for the JavaScript and the kernel update, so that their stores stay equal
 * bit for bit.
 */
function adamCorrections(lr: number, steps: number): { stepSize: number; root2: number } {
  return { stepSize: lr / (1 - BETA1 ** steps), root2: Math.sqrt(1 - BETA2 ** steps) };
}
