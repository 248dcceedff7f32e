/**
 * `Identity` on wasm that shares the input's memory instead of copying it, as TF.js' cpu backend
 * and the wasm backend's own Reshape do: tensors are immutable, so a clone needs no copy. Gradients
 * pass through dozens of these per training step.
 */
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs';

export function shareIdentityKernel(builtIn: KernelConfig) {
  return (args: { inputs: Record<string, TensorInfo>; backend: KernelBackend }): TensorInfo => {
    const { x } = args.inputs;
    if (x.dtype === 'string') return builtIn.kernelFunc(args as never) as TensorInfo;
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
