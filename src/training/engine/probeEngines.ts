/**
 * Probes every training engine on this machine (each TF.js backend started and smoke-tested on its
 * own, and the Python search for PyTorch) for the engine list. Runs in the training process, which
 * holds TF.js; the host asks for it with `--list-engines`.
 */
import * as tf from '@tensorflow/tfjs';
import { defaultPythonCandidates, findPythonWithTorch, type PythonCandidate } from '../pytorch/findPythonWithTorch';
import { listEngines, type EngineAvailability, type EngineProbes } from './listEngines';
import { BACKEND_CHAIN, selectBackend } from './selectBackend';

export interface ProbeEnginesOptions {
  pythonCandidates?: PythonCandidate[];
  nativeEngineFolders?: string[];
}

export async function probeEngines(options: ProbeEnginesOptions = {}): Promise<EngineAvailability[]> {
  const python = await findPythonWithTorch(options.pythonCandidates ?? defaultPythonCandidates());
  const tfjs: EngineProbes['tfjs'] = [];
  for (const backend of BACKEND_CHAIN) {
    try {
      const report = await selectBackend({ preferred: backend, nativeEngineFolders: options.nativeEngineFolders });
      const native = tf.backend() as tf.KernelBackend & { isUsingGpuDevice?: boolean };
      tfjs.push({ backend, ok: true, device: backend === 'webgpu' || native.isUsingGpuDevice ? 'gpu' : 'cpu', ...(report.attempts[0]?.reason ? { reason: report.attempts[0].reason } : {}) });
    } catch (error) {
      const attempts = (error as { attempts?: { reason?: string }[] }).attempts;
      tfjs.push({ backend, ok: false, reason: attempts?.[0]?.reason ?? (error as Error).message });
    }
  }
  return listEngines({ python, tfjs });
}
