import type { TrainingSettings } from '../core/design';
import type { LiveRun, RunEvent, TrainingErrorView } from '../protocol/trainingPanelProtocol';
import type { ProcessMessage } from '../training/protocol/trainingProtocol';
import type { RunOutcome } from '../training/service/TrainingService';
import type { TrainingResult } from '../training/trainer/trainingReport';
import { describeTrainingError } from './describeTrainingError';
import { isFinished, reduceRunEvent } from './reduceRunEvent';

export { MAX_PROGRESS_POINTS } from './reduceRunEvent';

/**
 * The host's view of one run: turns the training service's messages and outcome into run events,
 * applies each with reduceRunEvent (as the panel does with the same events) and passes it on. What
 * a (re)opened panel is sent is `run`. Pure (no VS Code), so the mapping from engine to panel is
 * tested on its own.
 */
export class LiveRunTracker {
  private view: LiveRun;

  constructor(
    init: { runId: string; startedAt: number; designHash: string; settings: TrainingSettings },
    private readonly emit: (event: RunEvent) => void,
  ) {
    this.view = { ...init, phase: 'starting', progress: [], epochs: [], log: [] };
  }

  /** The run as it stands. */
  get run(): LiveRun {
    return this.view;
  }

  get finished(): boolean {
    return isFinished(this.view);
  }

  /** One message of the training process, as the service relays it. */
  onProcessMessage(message: ProcessMessage): void {
    const runId = this.view.runId;
    switch (message.type) {
      case 'backend':
        for (const a of message.attempts) if (!a.ok) this.log(`Backend ${a.backend} not used: ${a.reason ?? 'unavailable'}`);
        if (message.detail) this.log(message.detail);
        return this.apply({ type: 'runInfo', runId, backend: message.backend });
      case 'runFolder':
        return this.apply({ type: 'runInfo', runId, runFolder: message.folder });
      case 'download':
        // One line per file, not per chunk.
        if (message.received === 0 || message.received === message.total) this.log(`Downloading ${message.file} (${message.fileIndex + 1}/${message.fileCount})${message.received === message.total ? ': done' : '…'}`);
        return;
      case 'progress':
        return this.apply({ type: 'progress', runId, progress: message.progress });
      case 'epoch':
        return this.apply({ type: 'epoch', runId, epoch: message.metrics });
      case 'log':
        return this.log(message.message);
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
    switch (outcome.kind) {
      case 'completed':
        return this.finish(outcome.result);
      case 'cancelled':
        return this.finish(outcome.result ?? { status: 'cancelled', stopReason: 'Cancelled before the first epoch completed.', epochs: this.view.epochs, classNames: [], imageShape: [], wallSeconds: (Date.now() - this.view.startedAt) / 1000, backend: this.view.backend ?? '' });
      case 'failed':
        return this.fail(describeTrainingError(outcome.message));
      case 'crashed':
        return this.fail(describeTrainingError(outcome.message, /out of memory/i.test(outcome.message) ? 'outOfMemory' : 'crash'));
    }
  }

  /** A failure before the service could start the process (invalid design, a run already going). */
  fail(error: TrainingErrorView): void {
    this.apply({ type: 'failed', runId: this.view.runId, error });
  }

  private finish(result: TrainingResult): void {
    const error = result.status === 'diverged' ? describeTrainingError(result.stopReason ?? 'The loss became non-finite.', 'nonFinite') : undefined;
    this.apply({ type: 'finished', runId: this.view.runId, result, ...(error ? { error } : {}) });
  }

  private log(line: string): void {
    this.apply({ type: 'log', runId: this.view.runId, message: line });
  }

  private apply(event: RunEvent): void {
    this.view = reduceRunEvent(this.view, event);
    this.emit(event);
  }
}
