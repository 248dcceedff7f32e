/**
 * The optimizer's WebAssembly kernels (optimizerKernels.wat), over the data-parallel copies' shared
 * memory: every pointer is a byte offset of a float32 vector in it, [from, to) element indices.
 */
import { OPTIMIZER_KERNELS_WASM_BASE64 } from './optimizerKernelsBinary';

export interface OptimizerKernels {
  /** p[i] = s·p[i]. */
  scale(p: number, from: number, to: number, s: number): void;
  /** p[i] = p[i] + s·q[i]. */
  addScaled(p: number, q: number, from: number, to: number, s: number): void;
  /** SGD; with momentum where the buffer `b` is not 0 (`first`: 1 on the first step). */
  sgd(w: number, b: number, g: number, from: number, to: number, lr: number, mu: number, first: number): void;
  adam(w: number, m: number, v: number, g: number, from: number, to: number, b1: number, c1: number, b2: number, c2: number, stepSize: number, root2: number, eps: number): void;
  /** RMSprop; with momentum where the buffer `b` is not 0. */
  rmsprop(w: number, s: number, b: number, g: number, from: number, to: number, lr: number, alpha: number, c: number, eps: number, mu: number): void;
}

const PAGE = 65536;
/** What a wasm32 memory can address. */
const MAX_PAGES = 65536;

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<WebAssembly.Memory, OptimizerKernels>();

/** The kernels bound to `memory` (one instance per memory, per thread). */
export function optimizerKernels(memory: WebAssembly.Memory): OptimizerKernels {
  const existing = instances.get(memory);
  if (existing) return existing;
  compiled ??= new WebAssembly.Module(Buffer.from(OPTIMIZER_KERNELS_WASM_BASE64, 'base64'));
  const kernels = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as OptimizerKernels;
  instances.set(memory, kernels);
  return kernels;
}

/**
 * A shared memory of at least `bytes` for the kernels, or undefined where none that large can be
 * made (past wasm32's 4 GiB, or refused): the caller then keeps its vectors in JavaScript.
 */
export function sharedKernelMemory(bytes: number): WebAssembly.Memory | undefined {
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  if (pages > MAX_PAGES) return undefined;
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return undefined;
  }
}
