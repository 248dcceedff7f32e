/**
 * Batch normalisation in training mode (per-channel statistics of a channels-last batch) as one
 * wasm kernel and its gradient as another. TF.js' layer computes moments (mean, squared difference,
 * mean), then FusedBatchNorm, and differentiates through all of them: about twenty full-size passes
 * per layer and step, a quarter of a MobileNetV2 training step. Here the forward pass reads the
 * activations three times (Σx, Σ(x − mean)², normalise-scale-shift) and the gradient three times
 * (Σdy, Σdy·(x − mean), dx). The maths, with N values per channel, σ = √(var + ε), x̂ = (x − mean)/σ:
 *   y = γ·x̂ + β,  dβ = Σdy,  dγ = Σdy·x̂,  dx = γ/(Nσ)·(N·dy − dβ − x̂·dγ)
 * and the variance is the biased one, as tf.moments gives TF.js' layer (its moving variance too).
 * The other outputs (batch and moving statistics) feed only the moving averages, outside the loss:
 * their gradients are zero and left out.
 */
import * as tf from '@tensorflow/tfjs';
import { getKernel, registerGradient, registerKernel, util, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import { free, type KernelArgs } from './kernelCalls';
import { heapOffset, heapFloats, uninitializedOutput, wasmTrainingKernels } from './wasm/wasmTrainingKernels';

export const BATCH_NORM_TRAINING_KERNEL = 'CnnDesignerBatchNormTraining';
const BATCH_NORM_TRAINING_GRAD_KERNEL = 'CnnDesignerBatchNormTrainingGrad';

interface Attrs { epsilon: number; momentum: number }

/** Three per-channel coefficient vectors [a, b, k] in one tensor, filled by `fill(c)`. */
function coefficients(args: KernelArgs, channels: number, fill: (values: Float32Array, c: number) => void): TensorInfo {
  const info = uninitializedOutput(args.backend, [3 * channels]);
  const values = heapFloats(args.backend, info);
  for (let c = 0; c < channels; c++) fill(values, c);
  return info;
}

function batchNormTrainingKernel(args: KernelArgs): TensorInfo[] {
  const { x, scale, offset, movingMean, movingVariance } = args.inputs;
  const { epsilon, momentum } = args.attrs as unknown as Attrs;
  const { backend } = args;
  const kernels = wasmTrainingKernels(backend);
  const channels = x.shape[x.shape.length - 1];
  const rows = util.sizeFromShape(x.shape) / channels;
  const mean = uninitializedOutput(backend, [channels]);
  const variance = uninitializedOutput(backend, [channels]);
  const y = uninitializedOutput(backend, x.shape);
  const newMovingMean = uninitializedOutput(backend, [channels]);
  const newMovingVariance = uninitializedOutput(backend, [channels]);
  kernels.sumRows(heapOffset(backend, x), heapOffset(backend, mean), rows, channels);
  const meanValues = heapFloats(backend, mean);
  for (let c = 0; c < channels; c++) meanValues[c] /= rows;
  kernels.sumCenteredProducts(heapOffset(backend, x), heapOffset(backend, mean), heapOffset(backend, x), heapOffset(backend, variance), rows, channels, 1);
  const coefs = coefficients(args, channels, () => undefined);
  const [m, v, gamma, beta, k, oldMean, oldVariance, newMean, newVariance] = [mean, variance, scale, offset, coefs, movingMean, movingVariance, newMovingMean, newMovingVariance].map((t) => heapFloats(backend, t));
  // TF.js' layer's update, old − (old − batch)·(1 − momentum), each step rounded to float32 as its ops
  // round them, so the moving statistics match it to the bit without five kernel calls per layer.
  const decay = Math.fround(1 - momentum);
  const f = Math.fround;
  for (let c = 0; c < channels; c++) {
    v[c] /= rows;
    newMean[c] = f(oldMean[c] - f(f(oldMean[c] - m[c]) * decay));
    newVariance[c] = f(oldVariance[c] - f(f(oldVariance[c] - v[c]) * decay));
    const a = gamma[c] / Math.sqrt(v[c] + epsilon);
    k[c] = a;
    k[channels + c] = 0;
    k[2 * channels + c] = beta[c] - m[c] * a;
  }
  const at = heapOffset(backend, coefs);
  kernels.channelAffine2(heapOffset(backend, x), heapOffset(backend, x), at, at + 4 * channels, at + 8 * channels, heapOffset(backend, y), rows, channels);
  free(backend, coefs);
  return [y, mean, variance, newMovingMean, newMovingVariance];
}

function batchNormTrainingGradKernel(args: KernelArgs): TensorInfo[] {
  const { dy, x, scale, mean, variance } = args.inputs;
  const { epsilon } = args.attrs as unknown as Attrs;
  const { backend } = args;
  const kernels = wasmTrainingKernels(backend);
  const channels = x.shape[x.shape.length - 1];
  const rows = util.sizeFromShape(x.shape) / channels;
  const dOffset = uninitializedOutput(backend, [channels]);
  const dScale = uninitializedOutput(backend, [channels]);
  const dx = uninitializedOutput(backend, x.shape);
  const coefs = uninitializedOutput(backend, [3 * channels]);
  kernels.sumRows(heapOffset(backend, dy), heapOffset(backend, dOffset), rows, channels);
  kernels.sumCenteredProducts(heapOffset(backend, x), heapOffset(backend, mean), heapOffset(backend, dy), heapOffset(backend, dScale), rows, channels, 0);
  const [m, v, gamma, sumDy, dGamma, k] = [mean, variance, scale, dOffset, dScale, coefs].map((t) => heapFloats(backend, t));
  for (let c = 0; c < channels; c++) {
    const inverse = 1 / Math.sqrt(v[c] + epsilon);
    const sumDyCentered = dGamma[c];
    const a = gamma[c] * inverse;
    const b = (-a * inverse * inverse * sumDyCentered) / rows;
    k[c] = a;
    k[channels + c] = b;
    k[2 * channels + c] = (-a * sumDy[c]) / rows - m[c] * b;
    dGamma[c] = sumDyCentered * inverse;
  }
  const at = heapOffset(backend, coefs);
  kernels.channelAffine2(heapOffset(backend, dy), heapOffset(backend, x), at, at + 4 * channels, at + 8 * channels, heapOffset(backend, dx), rows, channels);
  free(backend, coefs);
  return [dx, dScale, dOffset];
}

let registered = false;
/** Gradients the last backward step computed and the tape did not ask for. */
let unclaimed: tf.Tensor[] = [];

/** Registers both kernels on wasm and the forward kernel's gradient (idempotent). */
export function registerBatchNormTraining(): void {
  if (registered) return;
  if (!getKernel(BATCH_NORM_TRAINING_KERNEL, 'wasm')) registerKernel({ kernelName: BATCH_NORM_TRAINING_KERNEL, backendName: 'wasm', kernelFunc: batchNormTrainingKernel as never });
  if (!getKernel(BATCH_NORM_TRAINING_GRAD_KERNEL, 'wasm')) registerKernel({ kernelName: BATCH_NORM_TRAINING_GRAD_KERNEL, backendName: 'wasm', kernelFunc: batchNormTrainingGradKernel as never });
  registerGradient({
    kernelName: BATCH_NORM_TRAINING_KERNEL,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, true, true, false, false],
    gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
      const [x, scale, mean, variance] = saved;
      const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor;
      // One kernel gives all three gradients, but the tape asks only for those of inputs on the path
      // to the loss (x's is not wanted after an input layer), right after this call: what it did
      // not take by the next call is unreachable and freed then.
      tf.dispose(unclaimed);
      const [dx, dScale, dOffset] = tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD_KERNEL, { dy, x, scale, mean, variance }, attrs) as tf.Tensor[];
      unclaimed = [dx, dScale, dOffset];
      const claim = (t: tf.Tensor) => () => {
        unclaimed = unclaimed.filter((u) => u !== t);
        return t;
      };
      return { x: claim(dx), scale: claim(dScale), offset: claim(dOffset) };
    },
  });
  registered = true;
}

/** Whether the current backend runs the fused kernel (wasm with the kernels installed). */
export function batchNormTrainingAvailable(): boolean {
  return registered && getKernel(BATCH_NORM_TRAINING_KERNEL, tf.getBackend()) !== undefined;
}

/**
 * y, the batch mean and (biased) variance of channels-last x, and the moving mean and variance
 * updated with them (as TF.js' layer does, with its momentum); differentiable in x, scale and offset.
 */
export function batchNormTraining(
  x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, movingMean: tf.Tensor, movingVariance: tf.Tensor, epsilon: number, momentum: number,
): [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor] {
  const attrs = { epsilon, momentum } as unknown as NamedAttrMap;
  return tf.engine().runKernel(BATCH_NORM_TRAINING_KERNEL, { x, scale, offset, movingMean, movingVariance }, attrs) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
}
