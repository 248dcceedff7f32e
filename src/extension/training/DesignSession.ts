import type * as vscode from 'vscode';
import type { LiveRunTracker } from '../../runs/LiveRunTracker';
import type { RunFolders } from '../../runs/RunFolders';
import type { TrainingRun } from '../../training/service/TrainingService';
import type { TrainingPanelHost } from './TrainingPanelHost';

/** One design's training: its panel (while open), its run folders and its last run (kept when the panel closes). */
export interface DesignSession {
  uri: vscode.Uri;
  /** The design's run folders; undefined for a design not on disk (it cannot train). */
  runFolders?: RunFolders;
  panel?: TrainingPanelHost;
  /** The view of the session's last run (live or finished). */
  tracker?: LiveRunTracker;
  /** The run's process while it goes. */
  run?: TrainingRun;
}

/** The folder of the session's run while it trains (listed in the history though it has no metrics yet). */
export const liveRunFolder = (session: DesignSession): string | undefined => (session.tracker && !session.tracker.finished ? session.tracker.run.runFolder : undefined);
