/**
 * Picks the TF.js backend a training run uses, first that works of: the native CUDA engine
 * (`@tensorflow/tfjs-node-gpu`), the native CPU engine (`@tensorflow/tfjs-node`), WebGPU
 * (`@tensorflow/tfjs-backend-webgpu` on Dawn's `webgpu` package: Vulkan, Metal or D3D12 GPUs), wasm
 * with the project's convolution gradient kernel, and TF.js' pure-JS `cpu` with the same kernel. The
 * native and WebGPU engines are optional packages, loaded from the given folders (e.g. the
 * extension's storage, where the user installed them) or the normal module path, and skipped cleanly
 * when absent. A smoke test, one training step on a tiny batch, catches a backend that loads but
 * lacks a kernel.
 */
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import type { Design } from '../../core/design';
import { compileDesign } from '../compile/compileDesign';
import { chainDesign } from './chainDesign';
import { initWasmBackend } from './initWasmBackend';
import { installTrainingKernels } from './kernels/installTrainingKernels';

export const BACKEND_CHAIN = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_CHAIN)[number];

export interface BackendAttempt {
  backend: string;
  ok: boolean;
  /** Why it was not used (absent when it was). */
  reason?: string;
}

export interface BackendReport {
  backend: BackendName;
  /** Every backend tried, in order, the chosen one last. */
  attempts: BackendAttempt[];
}

export interface SelectBackendOptions {
  /** Forces one backend ('auto' or absent: the first of the chain that works). */
  preferred?: string;
  /** Train one step on a tiny batch before accepting a backend (default true). */
  smokeTest?: boolean;
  /** Also smoke-test this design (its own layers, its own shapes), so a missing kernel is found before the run. */
  smokeDesign?: Design;
  /** Folders holding an installed `node_modules/@tensorflow/tfjs-node(-gpu)` (or `webgpu` and `@tensorflow/tfjs-backend-webgpu`), searched before the normal module path. */
  nativeEngineFolders?: string[];
  /** Folders with the wasm binaries, searched before the default places. */
  wasmFolders?: string[];
}

const NATIVE_PACKAGES: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** Loads an optional package by name from the given folders, then from the normal module path; returns its exports. */
function loadNativeEngine(packageName: string, folders: string[]): unknown {
  const failures: string[] = [];
  // Resolved at run time (never by the bundler), since the package is usually not installed.
  const bases = [...folders.map((folder) => path.join(folder, 'index.js')), __filename];
  for (const base of bases) {
    try {
      return createRequire(base)(packageName);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Only the package itself missing means "not here"; a missing dependency of it is a broken install.
      const itselfMissing = code === 'MODULE_NOT_FOUND' && message(error).includes(`'${packageName}'`);
      if (!itselfMissing) throw new Error(`${packageName} is installed but failed to load: ${message(error)}`);
      failures.push(path.dirname(base));
    }
  }
  throw new Error(`${packageName} is not installed (looked in ${failures.join(', ')}).`);
}

/** Makes `name` the current backend, loading what it needs; throws with the reason when it cannot. */
async function activate(name: BackendName, options: SelectBackendOptions): Promise<void> {
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    const alreadyLoaded = tf.findBackendFactory('tensorflow') != null;
    if (!alreadyLoaded) loadNativeEngine(NATIVE_PACKAGES[name], options.nativeEngineFolders ?? []);
    if (!(await tf.setBackend('tensorflow'))) throw new Error('the native TensorFlow backend did not start.');
    const native = tf.backend() as tf.KernelBackend & { isUsingGpuDevice?: boolean };
    if (name === 'tensorflow-gpu' && native.isUsingGpuDevice === false) throw new Error('the CUDA engine loaded but found no usable GPU (driver or CUDA/cuDNN libraries missing).');
    return;
  }
  if (name === 'webgpu') return activateWebGpu(options.nativeEngineFolders ?? []);
  if (name === 'wasm') await initWasmBackend(options.wasmFolders);
  else if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start.');
  installTrainingKernels(name);
}

/** The parts of Dawn's `webgpu` package used here. */
interface DawnModule {
  create(options: string[]): { requestAdapter(options?: { powerPreference?: string }): Promise<unknown> };
  globals: Record<string, unknown>;
}

/**
 * WebGPU in Node: Dawn's `webgpu` package provides `navigator.gpu`, on which TF.js' WebGPU backend
 * registers itself when loaded. An adapter is asked for first, so a machine without a usable GPU
 * driver says so instead of failing inside TF.js.
 */
async function activateWebGpu(folders: string[]): Promise<void> {
  if (tf.findBackendFactory('webgpu') == null) {
    const dawn = loadNativeEngine('webgpu', folders) as DawnModule;
    if (typeof dawn?.create !== 'function') throw new Error('the webgpu package has no create() (an unsupported version).');
    const gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('WebGPU (Dawn) found no GPU adapter: no usable Vulkan, Metal or D3D12 driver.');
    Object.assign(globalThis, dawn.globals);
    const global = globalThis as { navigator?: { gpu?: unknown } };
    if (!global.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    else if (!global.navigator.gpu) Object.defineProperty(global.navigator, 'gpu', { value: gpu, configurable: true });
    loadNativeEngine('@tensorflow/tfjs-backend-webgpu', folders);
    if (tf.findBackendFactory('webgpu') == null) throw new Error('@tensorflow/tfjs-backend-webgpu loaded but did not register (a TF.js version other than the one this extension uses?).');
  }
  if (!(await tf.setBackend('webgpu'))) throw new Error('the WebGPU backend did not start.');
}

/** One optimizer step on a tiny random batch; throws (with TF.js' reason) when a kernel is missing or the loss is not finite. */
async function smokeTest(design: Design): Promise<void> {
  const model = compileDesign(design);
  try {
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const batch = 2;
    const xs = model.inputs.map((input) => tf.randomNormal([batch, ...(input.shape.slice(1) as number[])], 0, 1, 'float32', 1));
    const ys = model.outputs.map((output) => tf.zeros([batch, ...(output.shape.slice(1) as number[])]));
    try {
      const loss = await model.trainOnBatch(xs.length === 1 ? xs[0] : xs, ys.length === 1 ? ys[0] : ys);
      const values = Array.isArray(loss) ? loss : [loss];
      if (!values.every(Number.isFinite)) throw new Error(`a training step gave a non-finite loss (${values.join(', ')}).`);
    } finally {
      tf.dispose([...xs, ...ys]);
    }
  } finally {
    model.optimizer?.dispose();
    model.dispose();
  }
}

/** A tiny network with the layers whose gradients need dedicated kernels: strided, padded and 'same' convolutions, pooling, batch norm. */
const SMOKE_DESIGN = chainDesign([9, 9, 2], [
  ['Conv2D', { filters: 3, kernelSize: 3, strides: 2, padding: 1, activation: 'relu' }],
  ['BatchNorm', {}],
  ['MaxPool2D', { poolSize: 2, strides: 1, padding: 1 }],
  ['Conv2D', { filters: 2, kernelSize: [3, 2], padding: 'same' }],
  ['AvgPool2D', { poolSize: 2 }],
  ['Flatten', {}],
  ['Dense', { units: 3, activation: 'logSoftmax' }],
]);

/**
 * Makes the first working backend current and reports it with every attempt before it. With
 * `preferred` set (not 'auto'), only that backend is tried, and failing it is an error.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendReport> {
  const preferred = options.preferred && options.preferred !== 'auto' ? options.preferred : undefined;
  if (preferred && !(BACKEND_CHAIN as readonly string[]).includes(preferred)) {
    throw new Error(`Unknown backend "${preferred}": use one of auto, ${BACKEND_CHAIN.join(', ')}.`);
  }
  const chain: BackendName[] = preferred ? [preferred as BackendName] : [...BACKEND_CHAIN];
  const attempts: BackendAttempt[] = [];
  for (const name of chain) {
    try {
      await activate(name, options);
      if (options.smokeTest !== false) {
        await smokeTest(SMOKE_DESIGN);
        if (options.smokeDesign) await smokeTest(options.smokeDesign);
      }
      attempts.push({ backend: name, ok: true });
      return { backend: name, attempts };
    } catch (error) {
      attempts.push({ backend: name, ok: false, reason: message(error) });
    }
  }
  const reasons = attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ');
  throw Object.assign(new Error(preferred ? `The ${preferred} backend cannot train here: ${reasons}` : `No backend can train this model: ${reasons}`), { attempts });
}
