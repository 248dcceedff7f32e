import type { EngineAvailability } from '../../training/engine/listEngines';
import type { ProbeEnginesOptions } from '../../training/engine/probeEngines';

export interface ProbedEngines {
  engines: EngineAvailability[];
  /** When the probe ran, in ms since the epoch. */
  probedAt: number;
}

/**
 * The engine list, probed once and kept: probing starts a training process, tries every TF.js
 * backend and imports torch (seconds), and a machine's engines rarely change. A new probe runs when
 * asked (the panel's Refresh), when the options differ (another interpreter setting), or after a
 * probe failed. Concurrent askers share one probe.
 */
export class EngineProbeCache {
  private cached: { key: string; probe: Promise<ProbedEngines> } | undefined;

  constructor(
    private readonly probe: (options: ProbeEnginesOptions) => Promise<EngineAvailability[]>,
    private readonly now: () => number = Date.now,
  ) {}

  get(options: ProbeEnginesOptions, refresh = false): Promise<ProbedEngines> {
    const key = JSON.stringify(options);
    if (!refresh && this.cached?.key === key) return this.cached.probe;
    const entry = { key, probe: this.probe(options).then((engines) => ({ engines, probedAt: this.now() })) };
    this.cached = entry;
    // A failed probe is not kept: the next ask tries again.
    entry.probe.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return entry.probe;
  }

}
