/**
 * Host side of training: forks one training process per run and turns its messages into a run
 * handle with events. No VS Code import, so the extension, the CLI and the tests share it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isProcessMessage, type ProcessMessage, type TrainingRunRequest } from '../protocol/trainingProtocol';
import { RUN_FILES } from '../trainer/runFolder';
import type { TrainingResult } from '../trainer/trainingReport';

/** How a run ended. `crashed`: the process died without reporting (out of memory, killed). */
export type RunOutcome =
  | { kind: 'completed'; result: TrainingResult }
  | { kind: 'cancelled'; result?: TrainingResult }
  | { kind: 'failed'; message: string }
  | { kind: 'crashed'; message: string };

export interface TrainingServiceOptions {
  /** The bundled process script; found beside this code or in the package's dist/ by default. */
  processScript?: string;
  /** How long a cancel waits for the process to stop between batches before killing it. */
  cancelGraceMs?: number;
  /** Node options for the process (e.g. a memory limit). */
  execArgv?: string[];
}

/** Finds dist/trainingProcess.js from a bundle in dist/ or from the sources. */
export function defaultTrainingProcessScript(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    for (const candidate of [join(dir, 'trainingProcess.js'), join(dir, 'dist', 'trainingProcess.js')]) if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('The training process bundle (dist/trainingProcess.js) is missing: run the build (npm run build).');
}

type Listener = (message: ProcessMessage) => void;

/**
 * A process killed on cancel before its first epoch leaves a run folder with nothing learnt in it
 * (the trainer removes it itself when it stops in time): remove it too, so the run history only
 * lists runs that hold something.
 */
function withoutEmptyRunFolder(result: TrainingResult | undefined): TrainingResult | undefined {
  const folder = result?.runFolder;
  if (!result || !folder || result.epochs.length > 0 || existsSync(join(folder, RUN_FILES.metrics))) return result;
  rmSync(folder, { recursive: true, force: true });
  return { ...result, runFolder: undefined };
}

/** One training run in its own process. */
export class TrainingRun {
  private readonly listeners = new Set<Listener>();
  private readonly stderrTail: string[] = [];
  private settled = false;
  private cancelRequested = false;
  private lastResult?: TrainingResult;
  private resolveOutcome!: (outcome: RunOutcome) => void;
  /** Resolves once the run has ended, whichever way. */
  readonly outcome: Promise<RunOutcome>;
  /** Milliseconds since the epoch when start() was called (for time-to-first-batch). */
  readonly startedAt = Date.now();

  constructor(
    private readonly child: ChildProcess,
    request: TrainingRunRequest,
    private readonly cancelGraceMs: number,
  ) {
    this.outcome = new Promise((resolve) => (this.resolveOutcome = resolve));
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail.push(chunk.toString());
      while (this.stderrTail.length > 20) this.stderrTail.shift();
    });
    child.on('message', (raw: unknown) => {
      if (!isProcessMessage(raw)) return;
      const message = raw;
      if (message.type === 'ready') child.send({ type: 'start', request });
      if (message.type === 'epoch' || message.type === 'progress' || message.type === 'runFolder') this.noteProgress(message);
      for (const listener of this.listeners) listener(message);
      if (message.type === 'result') this.settle({ kind: 'completed', result: message.result });
      if (message.type === 'cancelled') this.settle({ kind: 'cancelled', result: message.result });
      if (message.type === 'error') this.settle({ kind: 'failed', message: message.message });
    });
    child.on('error', (err) => this.settle({ kind: 'crashed', message: `The training process could not run: ${err.message}` }));
    child.on('exit', (code, signal) => {
      if (this.cancelRequested) return this.settle({ kind: 'cancelled', result: withoutEmptyRunFolder(this.lastResult) });
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      const stderr = this.stderrTail.join('').trim().split('\n').slice(-5).join('\n');
      this.settle({
        kind: 'crashed',
        message: `The training process ${how} before finishing${signal === 'SIGKILL' || code === 134 ? '; running out of memory is the usual cause (try a smaller batch size or model)' : ''}.${stderr ? `\n${stderr}` : ''}`,
      });
    });
  }

  /** The process id (for diagnostics and tests). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Subscribes to every message of the run; returns the unsubscribe function. */
  onMessage(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stops the run: asks the process to stop between batches and, if it has not within the grace
   * period (a long batch), kills it. Either way the last completed epoch's checkpoint stays on disk.
   */
  cancel(): Promise<RunOutcome> {
    if (!this.settled && !this.cancelRequested) {
      this.cancelRequested = true;
      if (this.child.connected) this.child.send({ type: 'cancel' });
      const timer = setTimeout(() => {
        if (!this.settled) this.child.kill('SIGKILL');
      }, this.cancelGraceMs);
      void this.outcome.then(() => clearTimeout(timer));
    }
    return this.outcome;
  }

  private noteProgress(message: ProcessMessage): void {
    // Keeps what a killed-on-cancel process had reported, so its outcome still names the run folder and epochs.
    const result: TrainingResult = this.lastResult ?? { status: 'cancelled', epochs: [], classNames: [], imageShape: [], wallSeconds: 0, backend: '' };
    if (message.type === 'runFolder') result.runFolder = message.folder;
    if (message.type === 'epoch') result.epochs.push(message.metrics);
    result.wallSeconds = (Date.now() - this.startedAt) / 1000;
    this.lastResult = result;
  }

  private settle(outcome: RunOutcome): void {
    if (this.settled) return;
    this.settled = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      // A process that reported its end exits by itself; make sure one that hangs does not linger.
      setTimeout(() => this.child.exitCode === null && this.child.signalCode === null && this.child.kill('SIGKILL'), 5000).unref();
    }
    this.resolveOutcome(outcome);
  }
}

/** Starts training runs, one at a time, each in a fresh process. */
export class TrainingService {
  private current?: TrainingRun;
  private readonly options: Required<Omit<TrainingServiceOptions, 'processScript'>> & { processScript?: string };

  constructor(options: TrainingServiceOptions = {}) {
    this.options = { cancelGraceMs: 900, execArgv: [], ...options };
  }

  /** The run in progress, if any. */
  get activeRun(): TrainingRun | undefined {
    return this.current;
  }

  /** Forks a process and starts training; throws if a run is already in progress. */
  start(request: TrainingRunRequest): TrainingRun {
    if (this.current) throw new Error('A training run is already in progress: cancel it or wait for it to finish.');
    const script = this.options.processScript ?? defaultTrainingProcessScript();
    const child = fork(script, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: this.options.execArgv, serialization: 'advanced' });
    const run = new TrainingRun(child, request, this.options.cancelGraceMs);
    this.current = run;
    void run.outcome.then(() => {
      if (this.current === run) this.current = undefined;
    });
    return run;
  }

  /** Cancels the active run, if any. */
  async cancelActive(): Promise<void> {
    await this.current?.cancel();
  }
}
