import * as tf from '@tensorflow/tfjs';

/** Where one thread's memory sits, in bytes: what the peak-memory benchmark breaks a run down into. */
export interface ThreadMemory {
  /** The wasm engine's heap (0 on other engines): it only grows, so it keeps the largest step's tensors resident. */
  wasmHeap: number;
  /** This thread's JavaScript heap in use. */
  jsHeap: number;
  /** ArrayBuffers this thread holds outside the JavaScript heap (shared ones counted in every thread that maps them). */
  arrayBuffers: number;
}

/** The calling thread's memory (its own isolate and TF.js engine). */
export function threadMemory(): ThreadMemory {
  const backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm?: { asm?: { memory?: WebAssembly.Memory } } }) : undefined;
  const usage = process.memoryUsage();
  return { wasmHeap: backend?.wasm?.asm?.memory?.buffer.byteLength ?? 0, jsHeap: usage.heapUsed, arrayBuffers: usage.arrayBuffers };
}
