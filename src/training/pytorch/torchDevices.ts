/**
 * The devices the PyTorch engine can be told to train on, and how `auto` resolves, kept apart from
 * the engine itself so the training panel (a webview) and the host can use them without loading it.
 */
import type { PythonTorchInfo } from './findPythonWithTorch';

/** `auto`: CUDA when PyTorch sees a CUDA GPU, else Apple's mps, else the CPU. */
export const TORCH_DEVICES = ['auto', 'cuda', 'mps', 'cpu'] as const;
export type TorchDevice = (typeof TORCH_DEVICES)[number];

/** The most data-parallel PyTorch processes a run may ask for (the `cnnDesigner.pytorch.processes` setting's maximum). */
export const MAX_PYTORCH_PROCESSES = 64;

/** The device a run will use when `auto`, from what the probe saw. */
export function resolveTorchDevice(python: Pick<PythonTorchInfo, 'cudaDevices' | 'mps'>, device: TorchDevice = 'auto'): Exclude<TorchDevice, 'auto'> {
  if (device !== 'auto') return device;
  return python.cudaDevices.length > 0 ? 'cuda' : python.mps ? 'mps' : 'cpu';
}
