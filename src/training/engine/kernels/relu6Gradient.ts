/**
 * The gradient of Relu6 (MobileNetV2's activation) on wasm as one SIMD pass (trainingKernels.wat's
 * relu6Grad: dy where 0 < x ≤ 6, else 0). TF.js' own builds the mask from lessEqual, step, a
 * product and a cast, then multiplies: five full-size passes and four intermediates per layer, which
 * made elementwise kernels a fifth of a MobileNetV2 training step. Other backends keep TF.js' own.
 */
import * as tf from '@tensorflow/tfjs';
import { getGradient, registerGradient, registerKernel, getKernel, util, type GradConfig, type TensorInfo } from '@tensorflow/tfjs';
import type { KernelArgs } from './kernelCalls';
import { heapOffset, uninitializedOutput, wasmTrainingKernels } from './wasm/wasmTrainingKernels';

/** The wasm kernel's name: the project's own, so it never shadows one of TF.js'. */
export const RELU6_GRAD_KERNEL = 'CnnDesignerRelu6Grad';

function relu6GradKernel(args: KernelArgs): TensorInfo {
  const { x, dy } = args.inputs;
  const dx = uninitializedOutput(args.backend, x.shape);
  wasmTrainingKernels(args.backend).relu6Grad(heapOffset(args.backend, x), heapOffset(args.backend, dy), heapOffset(args.backend, dx), util.sizeFromShape(x.shape));
  return dx;
}

let registered = false;

/** Registers the wasm kernel and a Relu6 gradient that uses it where it is registered (idempotent). */
export function registerRelu6Gradient(): void {
  if (registered) return;
  const builtIn = getGradient('Relu6');
  if (!builtIn) return;
  if (!getKernel(RELU6_GRAD_KERNEL, 'wasm')) registerKernel({ kernelName: RELU6_GRAD_KERNEL, backendName: 'wasm', kernelFunc: relu6GradKernel as never });
  const gradient: GradConfig = {
    kernelName: 'Relu6',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const grad = dy as tf.Tensor;
      if (x.dtype !== 'float32' || grad.dtype !== 'float32' || !getKernel(RELU6_GRAD_KERNEL, tf.getBackend())) return builtIn.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU6_GRAD_KERNEL, { x, dy: grad }, {}) as tf.Tensor };
    },
  };
  registerGradient(gradient);
  registered = true;
}
