import { spawnSync } from 'node:child_process';

/**
 * The Python that has PyTorch: Debian's python3-torch installs into the system interpreter, which a
 * version manager's `python3` on PATH may hide. CNN_DESIGNER_PYTHON overrides it.
 */
export const PYTHON = process.env.CNN_DESIGNER_PYTHON ?? '/usr/bin/python3';

/** Runs Python with arguments; throws with its output when it exits non-zero. */
export function runPython(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): { stdout: string; stderr: string } {
  const result = spawnSync(PYTHON, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`python ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}
