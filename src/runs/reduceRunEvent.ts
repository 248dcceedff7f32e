import { FINISHED_PHASES, type LiveRun, type RunEvent } from '../protocol/trainingPanelProtocol';

/** Batch points a run's view keeps; beyond it every other point of the older half is dropped, so a long run stays cheap to draw and resend. */
export const MAX_PROGRESS_POINTS = 2000;
/** Trainer log lines a run's view keeps (the newest). */
export const MAX_LOG_LINES = 200;

export const isFinished = (run: LiveRun): boolean => FINISHED_PHASES.includes(run.phase);

/** Adds a point, thinning the older half once the cap is passed: the newest points stay dense, the curve's shape stays. */
function withPoint<T>(points: readonly T[], point: T): T[] {
  const next = [...points, point];
  if (next.length <= MAX_PROGRESS_POINTS) return next;
  const half = Math.floor(next.length / 2);
  return [...next.slice(0, half).filter((_, i) => i % 2 === 0), ...next.slice(half)];
}

/**
 * The one rule for what a run looks like after an event: the host's record of a run (LiveRunTracker)
 * and the training panel's both apply every event with it, so the two never disagree (same phases,
 * same thinned curves, same log). Pure: returns a new view; an event of another run leaves it as it is.
 */
export function reduceRunEvent(run: LiveRun, event: RunEvent): LiveRun {
  if (event.runId !== run.runId) return run;
  switch (event.type) {
    case 'runInfo':
      return {
        ...run,
        ...(event.backend ? { backend: event.backend, phase: isFinished(run) ? run.phase : 'running' } : {}),
        ...(event.runFolder ? { runFolder: event.runFolder } : {}),
      };
    case 'progress':
      return { ...run, phase: isFinished(run) ? run.phase : 'running', progress: withPoint(run.progress, event.progress) };
    case 'epoch':
      return { ...run, epochs: [...run.epochs, event.epoch] };
    case 'log':
      return { ...run, log: [...run.log, event.message].slice(-MAX_LOG_LINES) };
    case 'finished':
      return {
        ...run,
        result: event.result,
        phase: event.result.status,
        // The final epochs are the result's (an epoch event can be lost when the process ends).
        epochs: event.result.epochs,
        runFolder: event.result.runFolder ?? run.runFolder,
        error: event.error,
      };
    case 'failed':
      return { ...run, phase: 'failed', error: event.error };
  }
}
