/**
 * Per block of a float32 tensor read as [blocks, rows, cols], its [cols, rows] transpose, the
 * blocks in reverse order with `flip`, in one SIMD pass on wasm (4×4 tiles through registers).
 * TF.js' wasm Transpose goes value by value, 2–7 ns each: 14 ms for a 3×3 512→512 filter, which
 * the input gradient transposes at every step.
 */
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs';
import { heapOffset, uninitializedOutput, wasmTrainingKernels, wholeHeapFloats } from './wasm/wasmTrainingKernels';

export function transposedBlocks(backend: KernelBackend, x: TensorInfo, blocks: number, rows: number, cols: number, flip: boolean, outShape: number[]): TensorInfo {
  const out = uninitializedOutput(backend, outShape);
  wasmTrainingKernels(backend).transposeBlocks(heapOffset(backend, x), heapOffset(backend, out), blocks, rows, cols, flip ? 1 : 0);
  return out;
}

/** Runs shorter than this are copied value by value rather than by copyWithin. */
const SHORT_RUN = 32;

/**
 * A float32 tensor read as [rows, cols, run] with its first two axes swapped, [cols, rows, run]:
 * each run of `run` contiguous values moves with one copy within the heap, short ones value by value
 * (TF.js' Transpose moves every value through its index arithmetic).
 */
export function transposedRuns(backend: KernelBackend, x: TensorInfo, rows: number, cols: number, run: number, outShape: number[]): TensorInfo {
  if (run === 1) return transposedBlocks(backend, x, 1, rows, cols, false, outShape);
  const out = uninitializedOutput(backend, outShape);
  // The view is taken after the allocation, which may have grown (and moved) the heap.
  const heap = wholeHeapFloats(backend);
  const from = heapOffset(backend, x) / 4;
  const to = heapOffset(backend, out) / 4;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const source = from + (r * cols + c) * run;
      const target = to + (c * rows + r) * run;
      // A call costs about as much as copying a few dozen values one by one.
      if (run >= SHORT_RUN) heap.copyWithin(target, source, source + run);
      else for (let k = 0; k < run; k++) heap[target + k] = heap[source + k];
    }
  }
  return out;
}
