/**
 * `BatchMatMul` of two matrices (batch 1) as a 1×1 convolution on the wasm backend: its `Conv2D`
 * goes through XNNPACK's packed GEMM, several times faster than its own `BatchMatMul` on the small
 * matrices of dense layers and their gradients (measured in `npm run bench:train`). A transposed
 * operand is transposed first; batched products keep the built-in kernel.
 */
import type { KernelBackend, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { getKernel } from '@tensorflow/tfjs';

interface KernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: KernelBackend;
  attrs?: NamedAttrMap;
}

const as = (info: TensorInfo, shape: number[]): TensorInfo => ({ dataId: info.dataId, shape, dtype: info.dtype });

/** Builds the replacement, falling back to `builtIn` for batched or non-float products. */
export function matMulViaConvKernel(backendName: string, builtIn: KernelConfig) {
  return (args: KernelArgs): TensorInfo => {
    const { inputs, backend } = args;
    const { a, b } = inputs;
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const batch = (shape: number[]) => shape.slice(0, -2).reduce((p, q) => p * q, 1);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || batch(a.shape) !== 1 || batch(b.shape) !== 1) {
      return builtIn.kernelFunc(args) as TensorInfo;
    }
    const run = (name: string, kernelInputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): TensorInfo =>
      getKernel(name, backendName)!.kernelFunc({ inputs: kernelInputs, backend, attrs: attrs as NamedAttrMap }) as TensorInfo;
    const [ar, ac] = a.shape.slice(-2);
    const [br, bc] = b.shape.slice(-2);
    const rows = transposeA ? ac : ar;
    const inner = transposeA ? ar : ac;
    const cols = transposeB ? br : bc;
    const left = transposeA ? run('Transpose', { x: as(a, [ar, ac]) }, { perm: [1, 0] }) : a;
    const right = transposeB ? run('Transpose', { x: as(b, [br, bc]) }, { perm: [1, 0] }) : b;
    const out = run('Conv2D', { x: as(left, [1, 1, rows, inner]), filter: as(right, [1, 1, inner, cols]) }, { strides: 1, pad: 'valid', dilations: 1, dataFormat: 'NHWC' });
    if (left !== a) backend.disposeData(left.dataId);
    if (right !== b) backend.disposeData(right.dataId);
    const outShape = [...(a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2), rows, cols];
    return as(out, outShape);
  };
}
