import { rmSync, writeFileSync } from 'node:fs';
import { computeFeatureMaps } from '../featureMaps/computeFeatureMaps';
import type { ExportFormat, FeatureMapLayer, LiveRun, PickedImage, RunSummary } from '../protocol/trainingPanelProtocol';
import { exportRunForPyTorch, type RunPyTorchExport } from '../training/trainer/exportRunForPyTorch';
import { runsFolderFor } from '../training/trainer/runFolder';
import { formatRunsTable } from './formatRunsTable';
import { pastRunView, readRunHistory, runFolderNamed } from './readRunHistory';

/** Thrown by every action on run folders in a workspace the user has not trusted. */
export class UntrustedWorkspaceError extends Error {}

/**
 * What the training panel may do with a design's run folders, each action checking workspace trust
 * itself before it reads or writes a file: run folders come with the repository, so in restricted
 * mode none of them is read, exported, deleted or shown. A run is always named by its folder's name
 * (never a path from the panel) and found among the design's own runs. No VS Code: the host adds
 * the dialogs.
 */
export class RunFolders {
  constructor(
    readonly designPath: string,
    private readonly isTrusted: () => boolean,
  ) {}

  /** The runs folder beside the design (`<design>.runs`). */
  get runsFolder(): string {
    return runsFolderFor(this.designPath);
  }

  /** The run history, oldest first; empty in an untrusted workspace. `liveFolder`: the run training now. */
  history(liveFolder?: string): RunSummary[] {
    return this.isTrusted() ? readRunHistory(this.designPath, liveFolder) : [];
  }

  /** The folder of the run called `name` (to show or delete it); undefined when the design has no such run. */
  folder(name: string, action: string): string | undefined {
    this.requireTrust(action);
    return runFolderNamed(this.designPath, name);
  }

  /** A past run's results as the panel shows a finished run. */
  open(name: string): LiveRun | undefined {
    this.requireTrust('Opening a run');
    return pastRunView(this.designPath, name);
  }

  /** Writes the design as the run trained it as a PyTorch module, with the run's weights, into `<run>/pytorch/`. */
  exportForPyTorch(name: string): RunPyTorchExport | undefined {
    const folder = this.folder(name, 'Exporting a run for PyTorch');
    return folder ? exportRunForPyTorch(folder) : undefined;
  }

  /** The feature maps of every convolution of the run's saved model for one image, computed in a short-lived process. */
  async featureMaps(name: string, image: PickedImage, script?: string): Promise<FeatureMapLayer[]> {
    const folder = this.folder(name, 'Computing feature maps');
    if (!folder) throw new Error(`No run folder ${name} beside the design (was it deleted?).`);
    return computeFeatureMaps(folder, image, script ? { script } : {});
  }

  /** Deletes a run folder for good (the host prefers the trash where it has one). */
  delete(name: string): boolean {
    const folder = this.folder(name, 'Deleting a run');
    if (!folder) return false;
    rmSync(folder, { recursive: true, force: true });
    return true;
  }

  /** Writes the history table (these runs, or all) to `target`; the number of runs written. */
  writeTable(target: string, format: ExportFormat, names: string[], liveFolder?: string): number {
    this.requireTrust('Exporting the runs table');
    const runs = this.history(liveFolder).filter((r) => names.length === 0 || names.includes(r.name));
    if (runs.length > 0) writeFileSync(target, formatRunsTable(runs, format));
    return runs.length;
  }

  private requireTrust(action: string): void {
    if (!this.isTrusted()) throw new UntrustedWorkspaceError(`${action} reads or writes files of the workspace, so it needs a trusted workspace.`);
  }
}
