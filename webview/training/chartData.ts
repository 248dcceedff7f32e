import type { EpochMetrics, RunSummary, TrainingProgress } from '../../src/protocol/trainingPanelProtocol';

/** uPlot's data layout: one x array, then one y array per series, `null` where a series has no point. */
export type AlignedData = [number[], ...(number | null)[][]];

/** Position of a batch on the run's time axis, in epochs: batch 50 of 100 in epoch 2 → 1.5. */
export const epochPosition = (p: Pick<TrainingProgress, 'epoch' | 'batch' | 'batches'>): number => p.epoch - 1 + p.batch / Math.max(p.batches, 1);

const finiteOrNull = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);

/**
 * Merges series sampled at different x (batch points, epoch ends) onto one sorted x axis; each series
 * holds null where it has no sample. Points at the same x are merged into one row.
 */
export function alignSeries(series: { x: number; y: number | undefined }[][]): AlignedData {
  const xs = [...new Set(series.flatMap((s) => s.map((p) => p.x)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const column: (number | null)[] = new Array(xs.length).fill(null);
    for (const p of s) column[index.get(p.x) as number] = finiteOrNull(p.y);
    return column;
  });
  return [xs, ...ys];
}

/** Loss chart: train loss per batch (running mean), train loss per epoch, validation loss per epoch. */
export function lossData(progress: TrainingProgress[], epochs: EpochMetrics[]): AlignedData {
  return alignSeries([
    progress.map((p) => ({ x: epochPosition(p), y: p.loss })),
    epochs.map((e) => ({ x: e.epoch, y: e.trainLoss })),
    epochs.map((e) => ({ x: e.epoch, y: e.validationLoss })),
  ]);
}

/** Accuracy chart, the same three series for accuracy. */
export function accuracyData(progress: TrainingProgress[], epochs: EpochMetrics[]): AlignedData {
  return alignSeries([
    progress.map((p) => ({ x: epochPosition(p), y: p.accuracy })),
    epochs.map((e) => ({ x: e.epoch, y: e.trainAccuracy })),
    epochs.map((e) => ({ x: e.epoch, y: e.validationAccuracy })),
  ]);
}

/** Learning rate per batch (what the schedule set), and samples per second. */
export function learningRateData(progress: TrainingProgress[], epochs: EpochMetrics[]): AlignedData {
  const batchPoints = progress.map((p) => ({ x: epochPosition(p), y: p.learningRate }));
  const epochPoints = epochs.map((e) => ({ x: e.epoch, y: e.learningRate }));
  return alignSeries([batchPoints.length ? batchPoints : epochPoints]);
}

/** Two runs' curves on one axis (epochs): train and validation accuracy and loss of each. */
export function overlayData(a: RunSummary, b: RunSummary, metric: 'accuracy' | 'loss'): AlignedData {
  const pick = (run: RunSummary, which: 'train' | 'validation') =>
    run.curves.map((c) => ({ x: c.epoch, y: metric === 'accuracy' ? (which === 'train' ? c.trainAccuracy : c.validationAccuracy) : which === 'train' ? c.trainLoss : c.validationLoss }));
  return alignSeries([pick(a, 'train'), pick(a, 'validation'), pick(b, 'train'), pick(b, 'validation')]);
}
