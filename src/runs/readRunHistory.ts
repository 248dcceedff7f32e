import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { LiveRun, RunSummary } from '../protocol/trainingPanelProtocol';
import { RUN_FILES, runsFolderFor, type RunListing, type RunManifest } from '../training/trainer/runFolder';
import type { TrainingResult } from '../training/trainer/trainingReport';
import { summarizeRun } from './summarizeRun';

const readDesign = (folder: string): string | undefined => {
  const file = join(folder, RUN_FILES.design);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
};

/** The listings of a design's runs, oldest first; a folder with an unreadable run.json or metrics.json (a crash mid-write) is skipped, not fatal. */
function safeListRuns(designPath: string): RunListing[] {
  const runsFolder = runsFolderFor(designPath);
  if (!existsSync(runsFolder)) return [];
  return readdirSync(runsFolder)
    .sort()
    .flatMap((name): RunListing[] => {
      const folder = join(runsFolder, name);
      try {
        const manifest = JSON.parse(readFileSync(join(folder, RUN_FILES.manifest), 'utf8')) as RunManifest;
        const metricsFile = join(folder, RUN_FILES.metrics);
        const metrics = existsSync(metricsFile) ? (JSON.parse(readFileSync(metricsFile, 'utf8')) as TrainingResult) : undefined;
        return [{ folder, manifest, metrics }];
      } catch {
        return [];
      }
    });
}

/** The run history of the design at `designPath`, one summary per run folder; `liveFolder` is the run training now, if any. */
export function readRunHistory(designPath: string, liveFolder?: string): RunSummary[] {
  // A folder without metrics.json learnt nothing (stopped or crashed before its first epoch): listed only while it trains.
  const runs = safeListRuns(designPath).filter((run) => run.metrics !== undefined || run.folder === liveFolder);
  return runs.map((run) =>
    summarizeRun({ name: basename(run.folder), manifest: run.manifest, metrics: run.metrics, designText: readDesign(run.folder), live: liveFolder !== undefined && run.folder === liveFolder }),
  );
}

/** The folder of the design's run called `name`, or undefined when no such run exists (a name from the panel is never trusted as a path). */
export function runFolderNamed(designPath: string, name: string): string | undefined {
  const folder = safeListRuns(designPath).find((run) => basename(run.folder) === name)?.folder;
  return folder;
}

/** A past run as the panel shows a finished run, from its run folder. */
export function pastRunView(designPath: string, name: string): LiveRun | undefined {
  const run = safeListRuns(designPath).find((r) => basename(r.folder) === name);
  if (!run) return undefined;
  const design = readDesign(run.folder);
  // A metrics.json may say `running` (written after each epoch until the run ends): a past run still saying so was interrupted.
  const finished = run.metrics !== undefined && (run.metrics.status as string) !== 'running';
  return {
    runId: `history:${name}`,
    phase: finished ? run.metrics!.status : 'failed',
    startedAt: Date.parse(run.manifest.startedAt),
    designHash: run.manifest.designHash,
    settings: { ...run.manifest.hyperparameters } as LiveRun['settings'],
    backend: run.metrics?.backend ?? run.manifest.backend?.name,
    runFolder: run.folder,
    ...(run.manifest.limits?.maxBatchesPerEpoch ? { maxBatchesPerEpoch: run.manifest.limits.maxBatchesPerEpoch } : {}),
    progress: [],
    epochs: run.metrics?.epochs ?? [],
    result: run.metrics ? { ...run.metrics, runFolder: run.folder } : undefined,
    error: finished
      ? undefined
      : { kind: 'crash', title: 'This run did not finish', detail: `${name} ${run.metrics ? `stopped after ${run.metrics.epochs.length} epoch(s)` : 'has no metrics.json'}${design ? '' : ' and no design copy'}.`, advice: 'It was interrupted (the editor closed or the process crashed); train again.' },
    log: [],
  };
}
