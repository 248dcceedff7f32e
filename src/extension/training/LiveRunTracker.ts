import type { TrainingSettings } from '../../core/design';
import { FINISHED_PHASES, type HostToTrainingPanelMessage, type LiveRun, type TrainingErrorView } from '../../protocol/trainingPanelProtocol';
import type { ProcessMessage } from '../../training/protocol/trainingProtocol';
import type { RunOutcome } from '../../training/service/TrainingService';
import type { TrainingResult } from '../../training/trainer/trainingReport';
import { describeTrainingError } from './describeTrainingError';

/** Batch points kept per run; beyond it every other old point is dropped, so a long run stays cheap to resend. */
export const MAX_PROGRESS_POINTS = 2000;
const MAX_LOG_LINES = 200;

/**
 * The host's record of one run, fed by the training service's messages and outcome: what a
 * (re)opened panel is sent, and the panel messages each event becomes. Pure (no VS Code), so the
 * whole mapping from engine to panel is tested on its own.
 */
export class LiveRunTracker {
  readonly run: LiveRun;

  constructor(
    init: { runId: string; startedAt: number; designHash: string; settings: TrainingSettings },
    private readonly emit: (message: HostToTrainingPanelMessage) => void,
  ) {
    this.run = { ...init, phase: 'starting', progress: [], epochs: [], log: [] };
  }

  get finished(): boolean {
    return FINISHED_PHASES.includes(this.run.phase);
  }

  /** One message of the training process, as the service relays it. */
  onProcessMessage(message: ProcessMessage): void {
    const { run } = this;
    const runId = run.runId;
    switch (message.type) {
      case 'backend':
        run.backend = message.backend;
        run.phase = 'running';
        for (const a of message.attempts) if (!a.ok) this.log(`Backend ${a.backend} not used: ${a.reason ?? 'unavailable'}`);
        if (message.detail) this.log(message.detail);
        this.emit({ type: 'runInfo', runId, backend: message.backend });
        return;
      case 'runFolder':
        run.runFolder = message.folder;
        this.emit({ type: 'runInfo', runId, runFolder: message.folder });
        return;
      case 'download':
        // One line per file, not per chunk.
        if (message.received === 0 || message.received === message.total) this.log(`Downloading ${message.file} (${message.fileIndex + 1}/${message.fileCount})${message.received === message.total ? ': done' : '…'}`);
        return;
      case 'progress':
        run.phase = 'running';
        run.progress.push(message.progress);
        if (run.progress.length > MAX_PROGRESS_POINTS) {
          const half = Math.floor(run.progress.length / 2);
          run.progress = [...run.progress.slice(0, half).filter((_, i) => i % 2 === 0), ...run.progress.slice(half)];
        }
        this.emit({ type: 'progress', runId, progress: message.progress });
        return;
      case 'epoch':
        run.epochs.push(message.metrics);
        this.emit({ type: 'epoch', runId, epoch: message.metrics });
        return;
      case 'log':
        this.log(message.message);
        return;
      case 'ready':
      case 'result':
      case 'cancelled':
      case 'error':
        // The end of a run is taken from the service's outcome, which also covers a crash.
        return;
    }
  }

  /** How the run ended, as the service reports it (exactly once). */
  onOutcome(outcome: RunOutcome): void {
    const { run } = this;
    switch (outcome.kind) {
      case 'completed':
        return this.finish(outcome.result);
      case 'cancelled':
        return this.finish(outcome.result ?? { status: 'cancelled', stopReason: 'Cancelled before the first epoch completed.', epochs: run.epochs, classNames: [], imageShape: [], wallSeconds: (Date.now() - run.startedAt) / 1000, backend: run.backend ?? '' });
      case 'failed':
        return this.fail(describeTrainingError(outcome.message));
      case 'crashed':
        return this.fail(describeTrainingError(outcome.message, /out of memory/i.test(outcome.message) ? 'outOfMemory' : 'crash'));
    }
  }

  /** A failure before the service could start the process (invalid design, untrusted workspace, a run already going). */
  fail(error: TrainingErrorView): void {
    this.run.phase = 'failed';
    this.run.error = error;
    this.emit({ type: 'failed', runId: this.run.runId, error });
  }

  private finish(result: TrainingResult): void {
    const { run } = this;
    run.result = result;
    run.phase = result.status;
    run.epochs = result.epochs;
    if (result.runFolder) run.runFolder = result.runFolder;
    const error = result.status === 'diverged' ? describeTrainingError(result.stopReason ?? 'The loss became non-finite.', 'nonFinite') : undefined;
    run.error = error;
    this.emit({ type: 'finished', runId: run.runId, result, ...(error ? { error } : {}) });
  }

  private log(line: string): void {
    this.run.log.push(line);
    if (this.run.log.length > MAX_LOG_LINES) this.run.log.shift();
    this.emit({ type: 'log', runId: this.run.runId, message: line });
  }
}
