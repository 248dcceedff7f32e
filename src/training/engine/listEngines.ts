/**
 * The training engines a machine offers, in the order the automatic choice tries them, each with
 * whether it can train here, on what, and why not. Pure: it turns what the probes found (the Python
 * search and one attempt per TF.js backend) into the list the CLI prints and the panel shows.
 */
import type { PythonCandidateAttempt, PythonSearch, PythonTorchInfo } from '../pytorch/findPythonWithTorch';

/** Every engine, in the automatic choice's order (PyTorch first only when it has a GPU). */
export const ENGINE_NAMES = ['pytorch', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** What each engine is, in a few words. */
export const ENGINE_DESCRIPTIONS: Record<EngineName, string> = {
  pytorch: 'PyTorch (CUDA, Apple mps or CPU) under a Python interpreter with torch',
  'tensorflow-gpu': 'TF.js on TensorFlow with CUDA (@tensorflow/tfjs-node-gpu)',
  tensorflow: "TF.js on TensorFlow's native CPU kernels (@tensorflow/tfjs-node)",
  webgpu: 'TF.js on WebGPU: Vulkan, Metal or D3D12 GPUs (webgpu + @tensorflow/tfjs-backend-webgpu)',
  wasm: "TF.js WebAssembly with the extension's training kernels (always available)",
  cpu: 'TF.js plain JavaScript (slowest; for checking results)',
};

export interface EngineAvailability {
  engine: EngineName;
  available: boolean;
  /** What it would train on: cuda, mps, gpu or cpu (absent when unavailable). */
  device?: string;
  /** Why not, when unavailable; what it found (interpreter, GPUs), when available. */
  detail: string;
  /** The engine `auto` picks. */
  automatic: boolean;
  /** PyTorch's entry only, when available: the interpreter, where it came from, torch's version and devices. */
  pytorch?: PythonTorchInfo;
  /** PyTorch's entry only: the interpreters tried and not used, each with its reason. */
  interpretersNotUsed?: PythonCandidateAttempt[];
}

export interface EngineProbes {
  python: PythonSearch;
  /** One attempt per TF.js backend, each tried on its own. */
  tfjs: { backend: string; ok: boolean; reason?: string; device?: string }[];
}

/** The engine list from the probes; `automatic` marks the first that `auto` would use. */
export function listEngines(probes: EngineProbes): EngineAvailability[] {
  const list: EngineAvailability[] = [];
  const found = probes.python.found;
  const notUsed = probes.python.attempts.filter((a) => !a.ok);
  const failed = notUsed.map((a) => `${a.path} (${a.source}): ${a.reason}`);
  if (found) {
    const device = found.cudaDevices.length > 0 ? 'cuda' : found.mps ? 'mps' : 'cpu';
    const gpus = found.cudaDevices.length > 0 ? `${found.cudaDevices.length} CUDA GPU(s): ${found.cudaDevices.join(', ')}` : found.mps ? 'Apple GPU (mps)' : 'no GPU: CPU only';
    list.push({ engine: 'pytorch', available: true, device, detail: `PyTorch ${found.torch} at ${found.path} (${found.source}); ${gpus}`, automatic: false, pytorch: found, interpretersNotUsed: notUsed });
  } else {
    list.push({ engine: 'pytorch', available: false, detail: `no Python with torch: ${failed.join('; ') || 'no interpreter to try'}`, automatic: false, interpretersNotUsed: notUsed });
  }
  for (const name of ENGINE_NAMES.slice(1)) {
    const attempt = probes.tfjs.find((a) => a.backend === name);
    if (!attempt) list.push({ engine: name, available: false, detail: 'not probed', automatic: false });
    else list.push({ engine: name, available: attempt.ok, device: attempt.ok ? (attempt.device ?? (name === 'tensorflow-gpu' || name === 'webgpu' ? 'gpu' : 'cpu')) : undefined, detail: attempt.ok ? ENGINE_DESCRIPTIONS[name] : (attempt.reason ?? 'unavailable'), automatic: false });
  }
  // PyTorch leads the automatic choice only on a GPU; on a CPU the TF.js engines come first.
  const automatic = list.find((e) => e.available && (e.engine !== 'pytorch' || e.device !== 'cpu'));
  if (automatic) automatic.automatic = true;
  return list;
}

/** The list as a plain-text table for the command line. */
export function formatEngineList(list: EngineAvailability[]): string {
  const width = Math.max(...list.map((e) => e.engine.length));
  const lines = list.map((e) => `${e.automatic ? '*' : ' '} ${e.engine.padEnd(width)}  ${e.available ? `yes (${e.device})`.padEnd(11) : 'no'.padEnd(11)}  ${e.detail}`);
  return `${['  ' + 'engine'.padEnd(width) + '  available    details', ...lines].join('\n')}\n* the engine --backend auto uses\n`;
}
