/**
 * `BatchMatMul` of two matrices (batch 1) as a 1×1 convolution on the wasm backend: its `Conv2D`
 * goes through XNNPACK's packed GEMM, several times faster than its own `BatchMatMul` on the small
 * matrices of dense layers and their gradients (measured in `npm run bench:train`). A transposed
 * operand is transposed first (one SIMD pass); batched products keep the built-in kernel.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { free, reshaped, runKernel, type KernelArgs } from './kernelCalls';
import { transposedBlocks } from './transposedBlocks';

/** Builds the replacement, falling back to `builtIn` for batched or non-float products. */
export function matMulViaConvKernel(builtIn: KernelConfig) {
  return (args: KernelArgs): TensorInfo => {
    const { inputs, backend } = args;
    const { a, b } = inputs;
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const batch = (shape: number[]) => shape.slice(0, -2).reduce((p, q) => p * q, 1);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || batch(a.shape) !== 1 || batch(b.shape) !== 1) {
      return builtIn.kernelFunc(args) as TensorInfo;
    }
    const [ar, ac] = a.shape.slice(-2);
    const [br, bc] = b.shape.slice(-2);
    const rows = transposeA ? ac : ar;
    const inner = transposeA ? ar : ac;
    const cols = transposeB ? br : bc;
    const left = transposeA ? transposedBlocks(backend, a, 1, ar, ac, false, [ac, ar]) : a;
    const right = transposeB ? transposedBlocks(backend, b, 1, br, bc, false, [bc, br]) : b;
    const out = runKernel(backend, 'Conv2D', { x: reshaped(left, [1, 1, rows, inner]), filter: reshaped(right, [1, 1, inner, cols]) }, { strides: 1, pad: 'valid', dilations: 1, dataFormat: 'NHWC' });
    if (left !== a) free(backend, left);
    if (right !== b) free(backend, right);
    const outShape = [...(a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2), rows, cols];
    return reshaped(out, outShape);
  };
}
