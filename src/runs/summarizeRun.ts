import { analyzeDocument } from '../core/analysis/analyzeDocument';
import type { RunSummary } from '../protocol/trainingPanelProtocol';
import type { RunManifest } from '../training/trainer/runFolder';
import { showsTop5, type TrainingResult } from '../training/trainer/trainingReport';

/** What a run folder holds, read by the caller: run.json, metrics.json (absent while running or after a crash) and the design as trained. */
export interface RunFolderContents {
  name: string;
  manifest: RunManifest;
  metrics?: TrainingResult;
  designText?: string;
  /** The run is training now (its metrics.json says `running` while epochs complete). */
  live?: boolean;
}

/** "Conv2D×2, MaxPool2D×2, Dense" in the order the layer types first appear (the input is left out). */
export function architectureOf(types: string[]): string {
  const counts = new Map<string, number>();
  for (const t of types) if (t !== 'Input') counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].map(([t, n]) => (n > 1 ? `${t}×${n}` : t)).join(', ');
}

function augmentationOf(augment: RunManifest['hyperparameters']['augment'] | undefined): string {
  if (!augment) return 'none';
  const parts: string[] = [];
  if (augment.horizontalFlip) parts.push('flip');
  if (augment.translate) parts.push(`translate ${augment.translate}`);
  if (augment.cropPadding) parts.push(`crop pad ${augment.cropPadding}`);
  return parts.length ? parts.join(', ') : 'none';
}

/** One row of the run history, from the files of a run folder. Pure: the caller reads the files. */
export function summarizeRun(run: RunFolderContents): RunSummary {
  const { manifest, metrics } = run;
  const h = manifest.hyperparameters;
  const analysis = run.designText === undefined ? undefined : analyzeDocument(run.designText);
  const design = analysis?.parsed.design;
  const last = metrics?.epochs[metrics.epochs.length - 1];
  return {
    name: run.name,
    startedAt: manifest.startedAt,
    status: metrics === undefined || (metrics.status as string) === 'running' ? (run.live ? 'running' : 'unfinished') : metrics.status,
    designName: manifest.designName,
    layers: design ? design.nodes.filter((n) => n.type !== 'Input').length : 0,
    parameters: analysis?.analysis?.totals.params ?? 0,
    architecture: design ? architectureOf(design.nodes.map((n) => n.type)) : '',
    dataset: h.dataset,
    epochsPlanned: h.epochs,
    ...(manifest.limits?.maxBatchesPerEpoch ? { maxBatchesPerEpoch: manifest.limits.maxBatchesPerEpoch } : {}),
    batchSize: h.batchSize,
    optimizer: h.optimizer,
    learningRate: h.learningRate,
    schedule: h.schedule,
    validationSplit: h.validationSplit,
    standardize: h.standardize,
    augmentation: augmentationOf(h.augment),
    trainAccuracy: last?.trainAccuracy,
    validationAccuracy: last?.validationAccuracy,
    testAccuracy: metrics?.test?.accuracy,
    testTop5: metrics?.test && showsTop5(metrics.classNames.length) ? metrics.test.top5 : undefined,
    seconds: metrics?.wallSeconds,
    backend: metrics?.backend ?? manifest.backend?.name ?? '',
    curves: (metrics?.epochs ?? []).map((e) => ({
      epoch: e.epoch,
      trainLoss: e.trainLoss,
      trainAccuracy: e.trainAccuracy,
      validationLoss: e.validationLoss,
      validationAccuracy: e.validationAccuracy,
    })),
  };
}
