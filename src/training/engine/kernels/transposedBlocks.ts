/**
 * Per block of a float32 tensor read as [blocks, rows, cols], its [cols, rows] transpose, the
 * blocks in reverse order with `flip`, in one SIMD pass on wasm (4×4 tiles through registers).
 * TF.js' wasm Transpose goes value by value, 2–7 ns each: 14 ms for a 3×3 512→512 filter, which
 * the input gradient transposes at every step.
 */
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs';
import { heapOffset, uninitializedOutput, wasmTrainingKernels } from './wasm/wasmTrainingKernels';

export function transposedBlocks(backend: KernelBackend, x: TensorInfo, blocks: number, rows: number, cols: number, flip: boolean, outShape: number[]): TensorInfo {
  const out = uninitializedOutput(backend, outShape);
  wasmTrainingKernels(backend).transposeBlocks(heapOffset(backend, x), heapOffset(backend, out), blocks, rows, cols, flip ? 1 : 0);
  return out;
}
