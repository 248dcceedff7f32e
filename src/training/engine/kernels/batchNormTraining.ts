/**
 * Batch normalization in training mode as one kernel with one gradient kernel, for the wasm backend.
 * TF.js composes it from `moments` (a mean, a squared difference, another mean) and
 * `FusedBatchNorm`, and differentiates every piece: about fifteen activation-sized passes and
 * temporaries per layer and step, a fifth of a MobileNetV2 training step. Here, over x viewed as
 * rows × channels (channels last):
 *
 *   forward   mean, var = per-channel mean and biased variance (one pass, sums in float64),
 *             y = x·a + b with a = γ/√(var+ε), b = β − mean·a                      (one pass)
 *   backward  Σdy and Σdy·x per channel                                              (one pass)
 *             dβ = Σdy,  dγ = (Σdy·x − mean·Σdy)/σ,
 *             dx = γ/σ·(dy − Σdy/n − x̂·dγ/n) = dy·k + x·p + q per channel           (one pass)
 *
 * which is the gradient through the statistics as well (the same maths as differentiating TF.js'
 * composition). The batch mean and variance are outputs, for the layer's moving averages; no
 * gradient flows into them (they only feed those averages). Checked against TF.js' composition
 * in test/training/batchNormTraining.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { getKernel, registerGradient, registerKernel, util, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import type { KernelArgs } from './kernelCalls';
import { heapFloats, uninitializedOutput } from './wasm/wasmTrainingKernels';

export const BATCH_NORM_TRAINING = 'CnnDesignerBatchNormTraining';
const BATCH_NORM_TRAINING_GRAD = 'CnnDesignerBatchNormTrainingGrad';

interface EpsilonAttrs {
  varianceEpsilon: number;
}

const epsilonOf = (attrs: NamedAttrMap | undefined): number => (attrs as unknown as EpsilonAttrs).varianceEpsilon;

/** Per-channel sums of x and x² over the rows, in float64 (the variance is their difference). */
function channelSums(values: Float32Array, other: Float32Array | undefined, rows: number, channels: number): [Float64Array, Float64Array] {
  const sum = new Float64Array(channels);
  const products = new Float64Array(channels);
  let i = 0;
  if (other) {
    // Σdy (values) and Σdy·x (other = x).
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < channels; c++, i++) {
        const v = values[i];
        sum[c] += v;
        products[c] += v * other[i];
      }
    }
  } else {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < channels; c++, i++) {
        const v = values[i];
        sum[c] += v;
        products[c] += v * v;
      }
    }
  }
  return [sum, products];
}

function forward({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { x, scale, offset } = inputs;
  const channels = x.shape[x.shape.length - 1];
  const size = util.sizeFromShape(x.shape);
  const rows = size / channels;
  const epsilon = epsilonOf(attrs);
  // Every output first: an allocation may grow the heap and detach earlier views.
  const y = uninitializedOutput(backend, x.shape);
  const mean = uninitializedOutput(backend, [channels]);
  const variance = uninitializedOutput(backend, [channels]);
  const xs = heapFloats(backend, x);
  const ys = heapFloats(backend, y);
  const gamma = heapFloats(backend, scale);
  const beta = heapFloats(backend, offset);
  const means = heapFloats(backend, mean);
  const variances = heapFloats(backend, variance);
  const [sum, squares] = channelSums(xs, undefined, rows, channels);
  const a = new Float32Array(channels);
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const m = sum[c] / rows;
    const v = Math.max(0, squares[c] / rows - m * m);
    means[c] = m;
    variances[c] = v;
    a[c] = gamma[c] / Math.sqrt(v + epsilon);
    b[c] = beta[c] - m * a[c];
  }
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++, i++) ys[i] = xs[i] * a[c] + b[c];
  }
  return [y, mean, variance];
}

function gradient({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { dy, x, scale, mean, variance } = inputs;
  const channels = x.shape[x.shape.length - 1];
  const rows = util.sizeFromShape(x.shape) / channels;
  const epsilon = epsilonOf(attrs);
  const dx = uninitializedOutput(backend, x.shape);
  const dScale = uninitializedOutput(backend, [channels]);
  const dOffset = uninitializedOutput(backend, [channels]);
  const dys = heapFloats(backend, dy);
  const xs = heapFloats(backend, x);
  const dxs = heapFloats(backend, dx);
  const gamma = heapFloats(backend, scale);
  const means = heapFloats(backend, mean);
  const variances = heapFloats(backend, variance);
  const dGamma = heapFloats(backend, dScale);
  const dBeta = heapFloats(backend, dOffset);
  const [sumDy, sumDyX] = channelSums(dys, xs, rows, channels);
  const k = new Float32Array(channels);
  const p = new Float32Array(channels);
  const q = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const inverse = 1 / Math.sqrt(variances[c] + epsilon);
    const sumDyXHat = (sumDyX[c] - means[c] * sumDy[c]) * inverse;
    dGamma[c] = sumDyXHat;
    dBeta[c] = sumDy[c];
    const kc = gamma[c] * inverse;
    const pc = (-kc * inverse * sumDyXHat) / rows;
    k[c] = kc;
    p[c] = pc;
    q[c] = (-kc * sumDy[c]) / rows - means[c] * pc;
  }
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++, i++) dxs[i] = dys[i] * k[c] + xs[i] * p[c] + q[c];
  }
  return [dx, dScale, dOffset];
}

let gradientRegistered = false;

/** Registers both kernels on the wasm backend, and the gradient (idempotent). */
export function registerBatchNormTraining(backendName: string): void {
  if (backendName !== 'wasm') return;
  if (!getKernel(BATCH_NORM_TRAINING, backendName)) {
    registerKernel({ kernelName: BATCH_NORM_TRAINING, backendName, kernelFunc: forward as unknown as KernelFunc });
    registerKernel({ kernelName: BATCH_NORM_TRAINING_GRAD, backendName, kernelFunc: gradient as unknown as KernelFunc });
  }
  if (gradientRegistered) return;
  registerGradient({
    kernelName: BATCH_NORM_TRAINING,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, true, true],
    gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
      const dy = Array.isArray(dys) ? dys[0] : dys;
      const [x, scale, mean, variance] = saved;
      const [dx, dScale, dOffset] = tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, { dy, x, scale, mean, variance }, attrs) as tf.Tensor[];
      return { x: () => dx, scale: () => dScale, offset: () => dOffset };
    },
  });
  gradientRegistered = true;
}

/** Whether the current backend has the fused kernel (the layer falls back to TF.js' composition otherwise). */
export const hasBatchNormTraining = (): boolean => getKernel(BATCH_NORM_TRAINING, tf.getBackend()) !== undefined;

/**
 * Normalizes `x` over every axis but the last with its batch statistics, scales by `scale` and
 * shifts by `offset`; returns the output, the batch mean and the biased batch variance.
 */
export function batchNormTraining(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, varianceEpsilon: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel(BATCH_NORM_TRAINING, { x, scale, offset }, { varianceEpsilon } as unknown as NamedAttrMap) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}
