import type { TrainingProgress } from '../../protocol/trainingPanelProtocol';

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) return '–';
  const s = Math.round(totalSeconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** The status-bar text of a running run: "epoch 2/5 · acc 91.3% · ETA run 0:42" (the time left for the whole run). */
export function formatRunStatus(progress: TrainingProgress | undefined, phase: 'starting' | 'running'): string {
  if (!progress || phase === 'starting') return 'starting…';
  const accuracy = Number.isFinite(progress.accuracy) ? ` · acc ${(progress.accuracy * 100).toFixed(1)}%` : '';
  return `epoch ${progress.epoch}/${progress.epochs}${accuracy} · ETA run ${formatDuration(progress.etaSeconds)}`;
}

/** Percent of the whole run done, for the progress notification. */
export function runFraction(progress: TrainingProgress): number {
  if (progress.epochs <= 0 || progress.batches <= 0) return 0;
  return Math.min(1, (progress.epoch - 1 + progress.batch / progress.batches) / progress.epochs);
}
