import type { BackendAttemptInfo, ProcessMessage } from '../training/protocol/trainingProtocol';
import type { RunOutcome } from '../training/service/TrainingService';
import { showsTop5, type TrainingProgress, type TrainingResult } from '../training/trainer/trainingReport';
import type { CliOutput } from './cliCommand';

const percent = (v: number | undefined): string => (v === undefined ? '—' : `${(v * 100).toFixed(2)}%`);

/** 75 → "1m15s", 42 → "42s". */
const duration = (seconds: number): string => (seconds >= 60 ? `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s` : `${Math.round(seconds)}s`);

/** One progress line: where the run is, the running loss and accuracy, speed, and the time left for the whole run. */
export function progressLine(p: TrainingProgress): string {
  const width = 24;
  const done = Math.round((p.batch / p.batches) * width);
  return `epoch ${p.epoch}/${p.epochs} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)} acc ${percent(p.accuracy)} ${Math.round(p.samplesPerSecond)} samples/s ETA run ${duration(p.etaSeconds)}`;
}

function backendLine(backend: string, attempts: BackendAttemptInfo[]): string {
  const skipped = attempts.filter((a) => !a.ok).map((a) => `${a.backend}: ${a.reason}`);
  return `Backend: ${backend}${skipped.length ? ` (not used: ${skipped.join('; ')})` : ''}\n`;
}

/** Whole lines at most this often when the output is a log, not a terminal. */
const LOG_LINE_INTERVAL_MS = 5000;

/**
 * What `cnn-designer train` prints while a run goes and when it ends. On a terminal the progress
 * bar redraws one line (\r); in a log (a file, a pipe, CI) every progress report is a whole line,
 * a few seconds apart. Times are measured here, from the start of the run as the user saw it, so
 * "first batch" always falls inside the wall time.
 */
export class TrainingRunPrinter {
  private lastLine = 0;
  private barShown = false;
  private firstBatchSeconds?: number;
  private interrupted = false;

  constructor(
    private readonly out: CliOutput,
    /** The run's start (ms since the epoch), as the host started it. */
    private readonly startedAt: number,
    /** stderr is a terminal: the progress bar is redrawn in place. */
    private readonly terminal: boolean,
    /** Batches per epoch the run is capped at (--max-batches), said once at the start. */
    maxBatchesPerEpoch?: number,
  ) {
    if (maxBatchesPerEpoch) out.stdout(`Each epoch is capped at ${maxBatchesPerEpoch} batch(es) (--max-batches); run.json records it.\n`);
  }

  onMessage(message: ProcessMessage): void {
    const { out } = this;
    switch (message.type) {
      case 'backend':
        out.stdout(backendLine(message.backend, message.attempts));
        return;
      case 'download':
        if (Date.now() - this.lastLine > 1000) {
          this.lastLine = Date.now();
          out.stderr(`downloading ${message.file} (${message.fileIndex + 1}/${message.fileCount}): ${(message.received / 1e6).toFixed(1)}${message.total ? `/${(message.total / 1e6).toFixed(1)}` : ''} MB\n`);
        }
        return;
      case 'progress':
        this.firstBatchSeconds ??= (Date.now() - this.startedAt) / 1000;
        if (this.terminal) {
          out.stderr(`\r\x1b[2K${progressLine(message.progress)}`);
          this.barShown = true;
        } else if (Date.now() - this.lastLine > LOG_LINE_INTERVAL_MS || message.progress.batch === message.progress.batches) {
          this.lastLine = Date.now();
          out.stderr(`${progressLine(message.progress)}\n`);
        }
        return;
      case 'epoch': {
        this.clearBar();
        const e = message.metrics;
        out.stdout(`epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)} acc ${percent(e.trainAccuracy)}, validation loss ${e.validationLoss?.toFixed(4) ?? '—'} acc ${percent(e.validationAccuracy)} (${e.seconds.toFixed(1)} s, ${Math.round(e.samplesPerSecond)} samples/s)\n`);
        return;
      }
      case 'log':
        this.clearBar();
        out.stderr(`${message.message}\n`);
        return;
      default:
        return;
    }
  }

  /** Ctrl-C: said once; the run's end says what was kept. */
  onInterrupt(): void {
    if (this.interrupted) return;
    this.interrupted = true;
    this.clearBar();
    this.out.stderr(`${this.terminal ? '\n' : ''}Stopping after the current batch (the last completed epoch is kept)…\n`);
  }

  /** The end of the run: the per-epoch table, the test results and where the run folder is. */
  onOutcome(outcome: RunOutcome): void {
    this.clearBar();
    if (outcome.kind === 'completed') this.summary(outcome.result);
    else if (outcome.kind === 'cancelled') {
      if (outcome.result) this.summary(outcome.result);
      else this.out.stdout('Training stopped before the first epoch completed.\n');
    }
  }

  private clearBar(): void {
    if (this.barShown) this.out.stderr('\r\x1b[2K');
    this.barShown = false;
  }

  private summary(result: TrainingResult): void {
    const { out } = this;
    const top5 = showsTop5(result.classNames.length);
    if (result.epochs.length === 0) out.stdout('No epoch completed.\n');
    else out.stdout(`\nepoch  train loss  train acc  val loss  val acc  ${top5 ? ' top-5 val  ' : ''}lr        seconds\n`);
    for (const e of result.epochs) {
      out.stdout(
        `${String(e.epoch).padStart(5)}  ${e.trainLoss.toFixed(4).padStart(10)}  ${percent(e.trainAccuracy).padStart(9)}  ${(e.validationLoss?.toFixed(4) ?? '—').padStart(8)}  ${percent(e.validationAccuracy).padStart(7)}  ${top5 ? `${percent(e.validationTop5).padStart(9)}  ` : ''}${e.learningRate.toPrecision(3).padEnd(8)}  ${e.seconds.toFixed(1).padStart(7)}\n`,
      );
    }
    if (result.test) {
      const t = result.test;
      const total = t.confusion.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0);
      out.stdout(`\nTest accuracy: ${percent(t.accuracy)} (${top5 ? `top-5 ${percent(t.top5)}, ` : ''}loss ${t.loss.toFixed(4)}) on ${total} images\n`);
      out.stdout(`Per-class accuracy: ${t.perClassAccuracy.map((a, k) => `${result.classNames[k]} ${percent(a)}`).join(', ')}\n`);
    }
    const speeds = result.epochs.map((e) => e.samplesPerSecond);
    const speed = speeds.length ? Math.round(speeds.reduce((a, b) => a + b, 0) / speeds.length) : 0;
    const wallSeconds = (Date.now() - this.startedAt) / 1000;
    out.stdout(
      `Wall time: ${wallSeconds.toFixed(1)} s${speed ? `, ${speed} samples/s training` : ''}${this.firstBatchSeconds !== undefined ? `, first batch after ${this.firstBatchSeconds.toFixed(1)} s (process, backend, data and model included)` : ''}\n`,
    );
    if (result.stopReason) out.stdout(`${result.stopReason}\n`);
    if (result.runFolder) out.stdout(`Run folder: ${result.runFolder}\n`);
  }
}
