/**
 * The engine list, probed in a training process (which holds TF.js and the optional engines) so the
 * extension host and the CLI load neither: forks it with `--list-engines` and checks what it sends.
 */
import { fork } from 'node:child_process';
import { ENGINE_NAMES, type EngineAvailability } from '../engine/listEngines';
import type { ProbeEnginesOptions } from '../engine/probeEngines';
import { defaultTrainingProcessScript } from './TrainingService';

function isEngineList(value: unknown): value is EngineAvailability[] {
  return (
    Array.isArray(value) &&
    value.every((e: Partial<EngineAvailability> | null) => {
      if (typeof e !== 'object' || e === null) return false;
      return (ENGINE_NAMES as readonly string[]).includes(e.engine as string) && typeof e.available === 'boolean' && typeof e.detail === 'string' && typeof e.automatic === 'boolean' && (e.device === undefined || typeof e.device === 'string');
    })
  );
}

export function probeEnginesInProcess(options: ProbeEnginesOptions = {}, processScript = defaultTrainingProcessScript(), timeoutMs = 180_000): Promise<EngineAvailability[]> {
  return new Promise((resolve, reject) => {
    const child = fork(processScript, ['--list-engines', JSON.stringify(options)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    let stderr = '';
    let settled = false;
    const finish = (error?: Error, engines?: EngineAvailability[]) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill();
      if (error) reject(error);
      else resolve(engines!);
    };
    const timer = setTimeout(() => finish(new Error(`Probing the training engines took longer than ${Math.round(timeoutMs / 1000)} s.`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on('message', (message: unknown) => {
      const engines = (message as { type?: unknown; engines?: unknown } | null)?.engines;
      if ((message as { type?: unknown } | null)?.type === 'engines' && isEngineList(engines)) finish(undefined, engines);
      else finish(new Error('The engine probe sent an unexpected message.'));
    });
    child.on('error', (error) => finish(new Error(`The engine probe could not run: ${error.message}`)));
    child.on('exit', (code) => finish(new Error(`The engine probe exited with code ${code} without a list.${stderr.trim() ? `\n${stderr.trim().split('\n').slice(-3).join('\n')}` : ''}`)));
  });
}
