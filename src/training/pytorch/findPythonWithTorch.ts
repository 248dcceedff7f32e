/**
 * Finds a Python interpreter that can import PyTorch, trying candidates in order (the interpreter
 * selected in VS Code's Python extension, the `cnnDesigner.python.path` setting, `python3` on the
 * PATH) and saying for each one that fails why (not found, no torch, too slow to start).
 */
import { execFile } from 'node:child_process';

/** An interpreter to try, and where it came from (shown to the user). */
export interface PythonCandidate {
  path: string;
  source: string;
}

/** What PyTorch reports about an interpreter and its devices. */
export interface PythonTorchInfo extends PythonCandidate {
  python: string;
  torch: string;
  /** Names of the CUDA GPUs PyTorch sees (empty without CUDA). */
  cudaDevices: string[];
  cudaVersion?: string;
  /** Apple's Metal backend. */
  mps: boolean;
}

export interface PythonCandidateAttempt extends PythonCandidate {
  ok: boolean;
  reason?: string;
}

export interface PythonSearch {
  /** The first candidate with torch, if any. */
  found?: PythonTorchInfo;
  /** Every candidate tried, in order, the one found last. */
  attempts: PythonCandidateAttempt[];
}

/** The probe prints one JSON line; torch's import is what takes the time. */
const PROBE = [
  'import json, platform',
  'import torch',
  'mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())',
  'cuda = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []',
  'print(json.dumps({"python": platform.python_version(), "torch": torch.__version__, "cudaDevices": cuda, "cudaVersion": torch.version.cuda, "mps": mps}))',
].join('\n');

/** The candidates used without a VS Code host: `CNN_DESIGNER_PYTHON` when set, then the PATH's python3 (python on Windows). */
export function defaultPythonCandidates(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): PythonCandidate[] {
  const candidates: PythonCandidate[] = [];
  if (env.CNN_DESIGNER_PYTHON) candidates.push({ path: env.CNN_DESIGNER_PYTHON, source: 'the CNN_DESIGNER_PYTHON environment variable' });
  candidates.push({ path: platform === 'win32' ? 'python' : 'python3', source: `${platform === 'win32' ? 'python' : 'python3'} on the PATH` });
  return candidates;
}

function probe(candidate: PythonCandidate, timeoutMs: number): Promise<PythonTorchInfo> {
  return new Promise((resolve, reject) => {
    execFile(candidate.path, ['-c', PROBE], { timeout: timeoutMs, windowsHide: true, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return reject(new Error('not found'));
        if (error.killed) return reject(new Error(`importing torch took longer than ${Math.round(timeoutMs / 1000)} s`));
        const last = String(stderr).trim().split('\n').pop() ?? '';
        if (/No module named .?torch/.test(last)) return reject(new Error('has no torch (import torch: ModuleNotFoundError)'));
        return reject(new Error(`import torch failed: ${last || error.message}`));
      }
      try {
        const info = JSON.parse(String(stdout).trim().split('\n').pop() ?? '') as Omit<PythonTorchInfo, keyof PythonCandidate>;
        if (typeof info.torch !== 'string' || !Array.isArray(info.cudaDevices)) throw new Error('unexpected probe output');
        resolve({ ...candidate, python: info.python, torch: info.torch, cudaDevices: info.cudaDevices, cudaVersion: info.cudaVersion ?? undefined, mps: info.mps === true });
      } catch {
        reject(new Error(`its probe printed something unexpected: ${String(stdout).slice(0, 200)}`));
      }
    });
  });
}

/** Tries each candidate in turn (duplicates once) and returns the first with torch, with the reasons the others failed. */
export async function findPythonWithTorch(candidates: PythonCandidate[], timeoutMs = 60_000): Promise<PythonSearch> {
  const attempts: PythonCandidateAttempt[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (!candidate.path || seen.has(candidate.path)) continue;
    seen.add(candidate.path);
    try {
      const found = await probe(candidate, timeoutMs);
      attempts.push({ ...candidate, ok: true });
      return { found, attempts };
    } catch (error) {
      attempts.push({ ...candidate, ok: false, reason: (error as Error).message });
    }
  }
  return { attempts };
}

/** One line for logs and the panel: which interpreter, and why the others were not used. */
export function describePythonSearch(search: PythonSearch): string {
  const failed = search.attempts.filter((a) => !a.ok).map((a) => `${a.path} (${a.source}): ${a.reason}`);
  if (!search.found) return `No Python with PyTorch: ${failed.join('; ') || 'no interpreter to try'}.`;
  const f = search.found;
  const devices = f.cudaDevices.length ? `CUDA: ${f.cudaDevices.join(', ')}` : f.mps ? 'Apple GPU (mps)' : 'CPU only';
  return `PyTorch ${f.torch} (Python ${f.python}) at ${f.path}, from ${f.source}; ${devices}${failed.length ? `; not used: ${failed.join('; ')}` : ''}.`;
}
