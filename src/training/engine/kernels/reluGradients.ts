/**
 * The gradients of Relu and Relu6 (MobileNetV2's activation) on wasm as one SIMD pass each
 * (trainingKernels.wat's cappedReluGrad: dy where 0 < x ≤ cap, else 0). TF.js' own build a mask
 * first: for Relu6 from lessEqual, step, a product and a cast (five full-size passes and four
 * intermediates per layer, which made elementwise kernels a fifth of a MobileNetV2 training step),
 * for Relu from step and a cast (three passes). Other backends keep TF.js' own.
 */
import * as tf from '@tensorflow/tfjs';
import { getGradient, registerGradient, registerKernel, getKernel, util, type GradConfig, type TensorInfo } from '@tensorflow/tfjs';
import type { KernelArgs } from './kernelCalls';
import { heapOffset, uninitializedOutput, wasmTrainingKernels } from './wasm/wasmTrainingKernels';

/** The wasm kernel's name: the project's own, so it never shadows one of TF.js'. */
export const CAPPED_RELU_GRAD_KERNEL = 'CnnDesignerCappedReluGrad';

/** Each activation's cap: where its gradient stops passing dy. */
const CAPS: Record<'Relu' | 'Relu6', number> = { Relu: Infinity, Relu6: 6 };

function cappedReluGradKernel(args: KernelArgs): TensorInfo {
  const { x, dy } = args.inputs;
  const { cap } = args.attrs as unknown as { cap: number };
  const dx = uninitializedOutput(args.backend, x.shape);
  wasmTrainingKernels(args.backend).cappedReluGrad(heapOffset(args.backend, x), heapOffset(args.backend, dy), heapOffset(args.backend, dx), util.sizeFromShape(x.shape), cap);
  return dx;
}

let registered = false;

/** Registers the wasm kernel, and Relu and Relu6 gradients that use it where it is registered (idempotent). */
export function registerReluGradients(): void {
  if (registered) return;
  if (!getKernel(CAPPED_RELU_GRAD_KERNEL, 'wasm')) registerKernel({ kernelName: CAPPED_RELU_GRAD_KERNEL, backendName: 'wasm', kernelFunc: cappedReluGradKernel as never });
  for (const [kernelName, cap] of Object.entries(CAPS)) {
    const builtIn = getGradient(kernelName);
    if (!builtIn) continue;
    const gradient: GradConfig = {
      kernelName,
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        const [x] = saved;
        const grad = dy as tf.Tensor;
        if (x.dtype !== 'float32' || grad.dtype !== 'float32' || !getKernel(CAPPED_RELU_GRAD_KERNEL, tf.getBackend())) return builtIn.gradFunc(dy, saved, attrs);
        return { x: () => tf.engine().runKernel(CAPPED_RELU_GRAD_KERNEL, { x, dy: grad }, { cap }) as tf.Tensor };
      },
    };
    registerGradient(gradient);
  }
  registered = true;
}
