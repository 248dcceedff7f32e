/**
 * Registers the project's training kernels on a TF.js backend: the convolution gradients (see
 * convGradientKernels.ts for the maths), a faster max-pool gradient, and the Conv2D and depthwise
 * gradients that handle dilations, a batch-norm gradient with fewer full-size passes; on wasm also
 * the depthwise convolution gradients it lacks (depthwiseGradientKernels.ts), matrix products
 * through XNNPACK, leading-axis sums, bias adds, an Identity that shares memory, batch norm with
 * fixed statistics four channels at a time, forward convolutions over few input channels that
 * XNNPACK's tiles fit badly (directConvForward.ts), and 'same' padding handed to TF.js' own
 * convolutions explicitly, as they get it wrong where a window is smaller than its stride
 * (explicitSamePadding.ts). This reaches into TF.js' kernel registry, whose contract is internal:
 * the patch was checked against exactly TESTED_TFJS_VERSION, and a test fails when the installed
 * TF.js differs, so an upgrade re-runs the kernel checks before it ships.
 */
import * as tf from '@tensorflow/tfjs';
import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs';
import { registerBatchNormGradient } from './batchNormGradient';
import { registerConv2dGradient } from './conv2dGradient';
import { registerDepthwiseConv2dGradient } from './depthwiseConv2dGradient';
import { registerReluGradients } from './reluGradients';
import { registerBatchNormTraining } from './batchNormTraining';
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from './depthwiseGradientKernels';
import { matMulViaConvKernel } from './matMulViaConv';
import { maxPoolGradKernel } from './maxPoolGradKernel';
import { shareIdentityKernel } from './shareIdentityKernel';
import { sumLeadingAxesKernel } from './sumLeadingAxesKernel';
import { biasAddKernel } from './biasAddKernel';
import { sliceRowsKernel } from './sliceRowsKernel';
import { padRowsKernel } from './padRowsKernel';
import { batchNormInferenceKernel } from './batchNormInferenceKernel';
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel } from './convGradientKernels';
import { nameBackend } from './kernelCalls';
import { croppedConv2dKernel } from './convTapCrop';
import { directConv2dKernel } from './directConvForward';
import { explicitSamePaddingKernel, SAME_PADDING_KERNELS } from './explicitSamePadding';

import { TESTED_TFJS_VERSION } from '../testedTfjsVersion';

export { TESTED_TFJS_VERSION };

export interface TrainingKernelOptions {
  /**
   * Also replace `Conv2DBackpropInput` by the project's (a matrix product and col2im, or the
   * flipped-filter convolution). Default: on wasm only, where it measured twice as fast as the
   * built-in kernel (MNIST CNN training, one copy: 6,258 vs 2,937 samples/s; `npm run bench:train`
   * re-measures it); on cpu the built-in one is as fast.
   */
  replaceInputGradient?: boolean;
}

/** What TF.js had registered under each kernel this module replaced (undefined: nothing). */
const replaced = new Map<string, KernelConfig | undefined>();

function replaceKernel(kernelName: string, backendName: string, kernelFunc: KernelFunc): void {
  const existing = getKernel(kernelName, backendName);
  const key = `${backendName}/${kernelName}`;
  if (!replaced.has(key)) replaced.set(key, existing);
  if (existing) unregisterKernel(kernelName, backendName);
  registerKernel({ kernelName, backendName, kernelFunc });
}

/**
 * The kernel TF.js itself registered for `kernelName` on `backendName`, even after this module
 * replaced it (undefined when TF.js has none): what the checks compare against.
 */
export function builtInKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  const key = `${backendName}/${kernelName}`;
  return replaced.has(key) ? replaced.get(key) : getKernel(kernelName, backendName);
}

/** Puts back exactly what TF.js registered, or nothing where it had nothing (for comparisons and benchmarks). */
export function restoreBuiltInKernel(kernelName: string, backendName: string): void {
  const key = `${backendName}/${kernelName}`;
  if (!replaced.has(key)) return;
  const original = replaced.get(key);
  if (getKernel(kernelName, backendName)) unregisterKernel(kernelName, backendName);
  if (original) registerKernel(original);
  replaced.delete(key);
}

/**
 * Installs the kernels (the input gradient by default on wasm only) on a backend that is already
 * registered and initialised (`await tf.setBackend(name)` first). Idempotent.
 */
export function installTrainingKernels(backendName: string, options: TrainingKernelOptions = {}): void {
  const backend = tf.engine().registryFactory[backendName] ? tf.findBackend(backendName) : null;
  if (!backend) throw new Error(`Cannot install convolution gradients: the ${backendName} backend is not initialised.`);
  nameBackend(backend, backendName);
  registerConv2dGradient();
  registerDepthwiseConv2dGradient();
  registerBatchNormGradient();
  registerReluGradients();
  registerBatchNormTraining();
  if (backendName === 'wasm') {
    replaceKernel('DepthwiseConv2dNativeBackpropInput', backendName, depthwiseBackpropInputKernel as unknown as KernelFunc);
    replaceKernel('DepthwiseConv2dNativeBackpropFilter', backendName, depthwiseBackpropFilterKernel as unknown as KernelFunc);
  }
  replaceKernel('Conv2DBackpropFilter', backendName, conv2dBackpropFilterKernel as unknown as KernelFunc);
  replaceKernel('MaxPoolGrad', backendName, maxPoolGradKernel(backendName) as unknown as KernelFunc);
  if (options.replaceInputGradient ?? backendName === 'wasm') replaceKernel('Conv2DBackpropInput', backendName, conv2dBackpropInputKernel as unknown as KernelFunc);
  else restoreBuiltInKernel('Conv2DBackpropInput', backendName);
  const builtInMatMul = builtInKernel('BatchMatMul', backendName);
  if (backendName === 'wasm' && builtInMatMul) replaceKernel('BatchMatMul', backendName, matMulViaConvKernel(builtInMatMul) as unknown as KernelFunc);
  const builtInSum = builtInKernel('Sum', backendName);
  if (backendName === 'wasm' && builtInSum) replaceKernel('Sum', backendName, sumLeadingAxesKernel(builtInSum) as unknown as KernelFunc);
  const builtInAdd = builtInKernel('Add', backendName);
  if (backendName === 'wasm' && builtInAdd) replaceKernel('Add', backendName, biasAddKernel(builtInAdd) as unknown as KernelFunc);
  const builtInIdentity = builtInKernel('Identity', backendName);
  if (backendName === 'wasm' && builtInIdentity) replaceKernel('Identity', backendName, shareIdentityKernel(builtInIdentity) as unknown as KernelFunc);
  const builtInSlice = builtInKernel('Slice', backendName);
  if (backendName === 'wasm' && builtInSlice) replaceKernel('Slice', backendName, sliceRowsKernel(builtInSlice) as unknown as KernelFunc);
  const builtInBatchNorm = builtInKernel('FusedBatchNorm', backendName);
  if (backendName === 'wasm' && builtInBatchNorm) replaceKernel('FusedBatchNorm', backendName, batchNormInferenceKernel(builtInBatchNorm) as unknown as KernelFunc);
  const builtInPad = builtInKernel('PadV2', backendName);
  if (backendName === 'wasm' && builtInPad) replaceKernel('PadV2', backendName, padRowsKernel(builtInPad) as unknown as KernelFunc);
  for (const kernelName of SAME_PADDING_KERNELS) {
    const builtInConv = builtInKernel(kernelName, backendName);
    if (backendName !== 'wasm' || !builtInConv) continue;
    const samePadded: KernelConfig = { ...builtInConv, kernelFunc: explicitSamePaddingKernel(builtInConv) };
    const depthwise = kernelName === 'DepthwiseConv2dNative' || kernelName === 'FusedDepthwiseConv2D';
    replaceKernel(kernelName, backendName, depthwise ? samePadded.kernelFunc : directConv2dKernel(croppedConv2dKernel(samePadded)));
  }
}
