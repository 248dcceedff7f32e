/**
 * Whole training runs of the course's MNIST CNN on the embedded MNIST sample, one per engine, each
 * in its own training process exactly as `cnn-designer train` runs them: the figures the engines
 * are compared by (training samples/s of the last epoch, test accuracy, time to the first batch).
 * Used by `npm run bench:train` (its PyTorch-engine row) and `npm run check:gpu`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Design, TrainingSettings } from '../src/core/design';
import type { TrainDesignRequest } from '../src/training/trainer/trainDesign';
import { parseDesign } from '../src/core/format/parseDesign';
import type { PythonCandidate } from '../src/training/pytorch/findPythonWithTorch';
import { TrainingService } from '../src/training/service/TrainingService';

export interface EngineRunFigures {
  engine: string;
  /** What the run reported as its engine and device (from run.json). */
  device?: string;
  samplesPerSecond?: number;
  testAccuracy?: number;
  secondsToFirstBatch?: number;
  wallSeconds?: number;
  error?: string;
}

export interface EngineRunOptions {
  root: string;
  epochs: number;
  batchSize?: number;
  maxBatchesPerEpoch?: number;
  pythonCandidates?: PythonCandidate[];
  /** The PyTorch device (auto by default). */
  device?: 'auto' | 'cuda' | 'mps' | 'cpu';
  processScript?: string;
}

/** Starts the demo design (the course's MNIST CNN on the embedded sample) on one engine, its runs in a temporary folder. */
function startDemoRun(engine: string, options: EngineRunOptions, settings: TrainingSettings, limits?: TrainDesignRequest['limits']) {
  const designPath = join(options.root, 'examples/mnist-cnn.cnn.json');
  const designText = readFileSync(designPath, 'utf8');
  const design = parseDesign(designText).design as Design;
  const runs = mkdtempSync(join(tmpdir(), 'cnn-engine-run-'));
  const service = new TrainingService(options.processScript ? { processScript: options.processScript } : {});
  const run = service.start({
    design,
    designText,
    designPath,
    runsFolder: runs,
    settings: { ...design.training, dataset: 'mnist-sample', backend: engine, ...settings },
    limits,
    pytorch: { pythonCandidates: options.pythonCandidates, device: options.device },
  });
  return { run, runs };
}

export async function runEngine(engine: string, options: EngineRunOptions): Promise<EngineRunFigures> {
  const { run, runs } = startDemoRun(
    engine,
    options,
    { epochs: options.epochs, ...(options.batchSize ? { batchSize: options.batchSize } : {}) },
    options.maxBatchesPerEpoch ? { maxBatchesPerEpoch: options.maxBatchesPerEpoch } : undefined,
  );
  try {
    const outcome = await run.outcome;
    if (outcome.kind !== 'completed') return { engine, error: 'message' in outcome ? outcome.message.split('\n')[0] : 'cancelled' };
    const result = outcome.result;
    const manifest = JSON.parse(readFileSync(join(result.runFolder!, 'run.json'), 'utf8')) as { engine?: { device?: string; deviceName?: string } };
    return {
      engine,
      device: [manifest.engine?.device, manifest.engine?.deviceName].filter(Boolean).join(' '),
      samplesPerSecond: result.epochs[result.epochs.length - 1]?.samplesPerSecond,
      testAccuracy: result.test?.accuracy,
      secondsToFirstBatch: result.secondsToFirstBatch,
      wallSeconds: result.wallSeconds,
    };
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
}

/** Milliseconds from Stop (asked at the run's third progress report) to the run's end, as the panel's Stop button sees it. */
export async function stopLatency(engine: string, options: EngineRunOptions): Promise<number | string> {
  const { run, runs } = startDemoRun(engine, options, { epochs: 2 });
  try {
    let reports = 0;
    let requestedAt = 0;
    run.onMessage((m) => {
      if (m.type === 'progress' && ++reports === 3) {
        requestedAt = Date.now();
        void run.cancel();
      }
    });
    const outcome = await run.outcome;
    if (outcome.kind !== 'cancelled') return `the run ended ${outcome.kind} before Stop`;
    return Date.now() - requestedAt;
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
}

/** A table of the runs, each engine's speed also as a multiple of `baseline`'s. */
export function formatEngineRuns(figures: EngineRunFigures[], baseline = 'wasm'): string {
  const base = figures.find((f) => f.engine === baseline)?.samplesPerSecond;
  const rows = figures.map((f) => {
    if (f.error) return `  ${f.engine.padEnd(15)} failed: ${f.error}`;
    const speed = f.samplesPerSecond ?? 0;
    const ratio = base && f.engine !== baseline ? `  ×${(speed / base).toFixed(2)} ${baseline}` : '';
    return `  ${f.engine.padEnd(15)} ${String(Math.round(speed)).padStart(7)} samples/s${ratio}  test ${((f.testAccuracy ?? 0) * 100).toFixed(2)}%  first batch ${(f.secondsToFirstBatch ?? 0).toFixed(1)} s  run ${(f.wallSeconds ?? 0).toFixed(1)} s  (${f.device})`;
  });
  return `${['  engine          training speed (last epoch)', ...rows].join('\n')}\n`;
}
