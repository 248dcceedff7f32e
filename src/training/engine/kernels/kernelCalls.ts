/**
 * What the project's kernels share: their argument type, calling another kernel of the same
 * backend (as the backends' own composite kernels do), viewing a tensor with another shape, and
 * freeing intermediates.
 */
import { getKernel, type KernelBackend, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';

export interface KernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: KernelBackend;
  attrs?: NamedAttrMap;
}

const backendNames = new WeakMap<KernelBackend, string>();

/** Tells the project's kernels which registry name a backend instance has (set when installing them). */
export function nameBackend(backend: KernelBackend, name: string): void {
  backendNames.set(backend, name);
}

export function backendNameOf(backend: KernelBackend): string {
  const name = backendNames.get(backend);
  if (!name) throw new Error("The project's training kernels were not installed for this backend.");
  return name;
}

/** Runs another kernel of the same backend, whatever is registered under that name now. */
export function runKernel(backend: KernelBackend, kernelName: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
  const backendName = backendNameOf(backend);
  const config = getKernel(kernelName, backendName);
  if (!config) throw new Error(`The ${backendName} backend has no ${kernelName} kernel.`);
  const result = config.kernelFunc({ inputs, backend, attrs: attrs as NamedAttrMap });
  return Array.isArray(result) ? result[0] : result;
}

/** A tensor's data seen with another shape of the same size (what Reshape does, without a kernel call). */
export const reshaped = (info: TensorInfo, shape: number[]): TensorInfo => ({ dataId: info.dataId, shape, dtype: info.dtype });

/** Frees intermediate results, never the kernel's own inputs. */
export function free(backend: KernelBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}
