import { resolve } from 'node:path';
import { trainingSettingsFromCli, withTrainingOverrides } from '../core/training/trainingCliOptions';
import type { BackendAttemptInfo, ProcessMessage } from '../training/protocol/trainingProtocol';
import { TrainingService } from '../training/service/TrainingService';
import type { TrainingProgress, TrainingResult } from '../training/trainer/trainingReport';
import type { CliCommand, CliOutput } from './cliCommand';
import { CliError, readDesignFile } from './cliIo';
import { TRAIN_OPTIONS } from './trainOptions';

const percent = (v: number | undefined): string => (v === undefined ? '—' : `${(v * 100).toFixed(2)}%`);

function progressLine(p: TrainingProgress): string {
  const width = 24;
  const done = Math.round((p.batch / p.batches) * width);
  const eta = p.etaSeconds >= 60 ? `${Math.floor(p.etaSeconds / 60)}m${Math.round(p.etaSeconds % 60)}s` : `${Math.round(p.etaSeconds)}s`;
  return `epoch ${p.epoch}/${p.epochs} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)} acc ${percent(p.accuracy)} ${Math.round(p.samplesPerSecond)} samples/s ETA ${eta}`;
}

function backendLine(backend: string, attempts: BackendAttemptInfo[]): string {
  const skipped = attempts.filter((a) => !a.ok).map((a) => `${a.backend}: ${a.reason}`);
  return `Backend: ${backend}${skipped.length ? ` (not used: ${skipped.join('; ')})` : ''}\n`;
}

function summary(result: TrainingResult, out: CliOutput, firstBatchSeconds?: number): void {
  if (result.epochs.length === 0) out.stdout('No epoch completed.\n');
  else out.stdout('\nepoch  train loss  train acc  val loss  val acc   top-5 val  lr        seconds\n');
  for (const e of result.epochs) {
    out.stdout(
      `${String(e.epoch).padStart(5)}  ${e.trainLoss.toFixed(4).padStart(10)}  ${percent(e.trainAccuracy).padStart(9)}  ${(e.validationLoss?.toFixed(4) ?? '—').padStart(8)}  ${percent(e.validationAccuracy).padStart(7)}  ${percent(e.validationTop5).padStart(9)}  ${e.learningRate.toPrecision(3).padEnd(8)}  ${e.seconds.toFixed(1).padStart(7)}\n`,
    );
  }
  if (result.test) {
    const t = result.test;
    const total = t.confusion.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0);
    out.stdout(`\nTest accuracy: ${percent(t.accuracy)} (top-5 ${percent(t.top5)}, loss ${t.loss.toFixed(4)}) on ${total} images\n`);
    out.stdout(`Per-class accuracy: ${t.perClassAccuracy.map((a, k) => `${result.classNames[k]} ${percent(a)}`).join(', ')}\n`);
  }
  const speeds = result.epochs.map((e) => e.samplesPerSecond);
  const speed = speeds.length ? Math.round(speeds.reduce((a, b) => a + b, 0) / speeds.length) : 0;
  out.stdout(
    `Wall time: ${result.wallSeconds.toFixed(1)} s${speed ? `, ${speed} samples/s training` : ''}${firstBatchSeconds !== undefined ? `, first batch ${firstBatchSeconds.toFixed(1)} s after the start (process, backend, data and model included)` : ''}\n`,
  );
  if (result.stopReason) out.stdout(`${result.stopReason}\n`);
  if (result.runFolder) out.stdout(`Run folder: ${result.runFolder}\n`);
}

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Trains the design (flags override its training settings) into a run folder',
  description:
    'Each run writes <design>.runs/<UTC time>/ beside the design: run.json (design hash, hyperparameters, dataset, seed, backend and versions), design.cnn.json, metrics.json and model/ (TF.js model.json + weights.bin, saved after every epoch). Ctrl-C cancels and keeps the last completed epoch.',
  positionals: { usage: 'FILE', meaning: 'design file (.cnn.json)', min: 1, max: 1 },
  options: TRAIN_OPTIONS,
  async run(args, out) {
    const [file] = args.positionals;
    const { parsed, analysis, diagnostics, text } = readDesignFile(file);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (!parsed.design || !analysis || errors.length > 0) {
      for (const d of errors) out.stderr(`${file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}: error${d.nodeId ? ` [${d.nodeId}]` : ''}: ${d.message}\n`);
      throw new CliError(`${file} has errors; fix them before training`, 1);
    }
    const design = parsed.design;
    // Each setting flag is parsed and range-checked by the training settings specification; a relative --dataset-path is taken from here.
    const { settings: overrides, errors: optionErrors } = trainingSettingsFromCli((name) => args.string(name), (path) => resolve(path));
    if (optionErrors.length > 0) throw new CliError(optionErrors.join('\n'));
    const maxBatches = args.positiveInteger('max-batches');
    const replicas = args.string('replicas') === 'auto' ? 'auto' : args.positiveInteger('replicas');
    const runs = args.string('runs');

    const service = new TrainingService();
    const run = service.start({
      design,
      designText: text,
      designPath: resolve(file),
      runsFolder: runs ? resolve(runs) : undefined,
      settings: withTrainingOverrides(design.training, overrides),
      limits: maxBatches ? { maxBatchesPerEpoch: maxBatches } : undefined,
      replicas: replicas ?? 'auto',
    });
    const interactive = !!process.stderr.isTTY;
    let lastLine = 0;
    let barShown = false;
    let firstBatchSeconds: number | undefined;
    const clearBar = () => {
      if (barShown) out.stderr('\r\x1b[2K');
      barShown = false;
    };
    run.onMessage((message: ProcessMessage) => {
      switch (message.type) {
        case 'backend':
          out.stdout(backendLine(message.backend, message.attempts));
          break;
        case 'download':
          if (Date.now() - lastLine > 1000) {
            lastLine = Date.now();
            out.stderr(`downloading ${message.file} (${message.fileIndex + 1}/${message.fileCount}): ${(message.received / 1e6).toFixed(1)}${message.total ? `/${(message.total / 1e6).toFixed(1)}` : ''} MB\n`);
          }
          break;
        case 'progress':
          firstBatchSeconds ??= (Date.now() - run.startedAt) / 1000;
          if (interactive) {
            out.stderr(`\r\x1b[2K${progressLine(message.progress)}`);
            barShown = true;
          } else if (Date.now() - lastLine > 5000) {
            lastLine = Date.now();
            out.stderr(`${progressLine(message.progress)}\n`);
          }
          break;
        case 'epoch': {
          clearBar();
          const e = message.metrics;
          out.stdout(`epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)} acc ${percent(e.trainAccuracy)}, validation loss ${e.validationLoss?.toFixed(4) ?? '—'} acc ${percent(e.validationAccuracy)} (${e.seconds.toFixed(1)} s, ${Math.round(e.samplesPerSecond)} samples/s)\n`);
          break;
        }
        case 'log':
          clearBar();
          out.stderr(`${message.message}\n`);
          break;
        default:
          break;
      }
    });
    const onInterrupt = () => {
      out.stderr('\nCancelling…\n');
      void run.cancel();
    };
    process.once('SIGINT', onInterrupt);
    try {
      const outcome = await run.outcome;
      clearBar();
      switch (outcome.kind) {
        case 'completed':
          summary(outcome.result, out, firstBatchSeconds);
          return outcome.result.status === 'completed' ? 0 : 1;
        case 'cancelled':
          out.stdout('Training cancelled.\n');
          if (outcome.result) summary(outcome.result, out, firstBatchSeconds);
          return 130;
        case 'failed':
          throw new CliError(outcome.message, 1);
        case 'crashed':
          throw new CliError(outcome.message, 3);
      }
    } finally {
      process.removeListener('SIGINT', onInterrupt);
    }
  },
};
