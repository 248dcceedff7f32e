/**
 * The messages between the extension host and the training panel webview, both ways. The panel
 * starts with `ready`; the host answers with `init` (the design, its training settings, the run in
 * progress or last finished, the run history) and then streams what the training service reports.
 * The panel never talks to the training process: every request goes to the host, which asks the
 * training service. Requests that need a reply carry a `requestId` the reply repeats.
 */
import type { TrainingSettings } from '../core/design';
import type { EpochMetrics, TrainingProgress, TrainingResult } from '../training/trainer/trainingReport';

export type { EpochMetrics, TrainingProgress, TrainingResult, TrainingSettings };
export { showsTop5 } from '../training/trainer/trainingReport';

/** Where a run is: `starting` until the process reports its backend, then `running`, then one end state. */
export type RunPhase = 'starting' | 'running' | 'completed' | 'cancelled' | 'diverged' | 'failed';

export const FINISHED_PHASES: readonly RunPhase[] = ['completed', 'cancelled', 'diverged', 'failed'];

/** What went wrong, sorted so the panel can say what to do next. */
export type TrainingErrorKind = 'dataset' | 'nonFinite' | 'outOfMemory' | 'engine' | 'design' | 'crash' | 'other';

export interface TrainingErrorView {
  kind: TrainingErrorKind;
  /** One line: what happened. */
  title: string;
  /** The engine's own message. */
  detail: string;
  /** What the user can do about it. */
  advice: string;
}

/** A run as the panel shows it live; also what the panel receives on (re)opening mid-run. */
export interface LiveRun {
  runId: string;
  phase: RunPhase;
  /** ms since the epoch. */
  startedAt: number;
  /** sha256 of the design text the run trains (compared with the editor's current text). */
  designHash: string;
  settings: TrainingSettings;
  backend?: string;
  runFolder?: string;
  /** Batches per epoch the run was capped at (`--max-batches`), absent for a full run. */
  maxBatchesPerEpoch?: number;
  /** Per-batch points, oldest first (the host thins them out on long runs). */
  progress: TrainingProgress[];
  epochs: EpochMetrics[];
  result?: TrainingResult;
  error?: TrainingErrorView;
  log: string[];
}

/** One row of the run history: a run folder of the design, summarised. */
export interface RunSummary {
  /** The run folder's name (a UTC timestamp); the id the panel uses to refer to a run. */
  name: string;
  startedAt: string;
  /** `running`: the run training now; `unfinished`: one that stopped without finishing (crash, closed window). */
  status: 'running' | 'completed' | 'cancelled' | 'diverged' | 'unfinished';
  designName: string;
  /** Layers other than the input, and trainable + non-trainable parameters, from the design as trained. */
  layers: number;
  parameters: number;
  /** e.g. "Conv2D×2, MaxPool2D×2, Dense×2". */
  architecture: string;
  dataset: string;
  epochsPlanned: number;
  /** Batches per epoch the run was capped at (the CLI's `--max-batches`), absent for a full run. */
  maxBatchesPerEpoch?: number;
  batchSize: number;
  optimizer: string;
  learningRate: number;
  schedule: string;
  validationSplit: number;
  standardize: boolean;
  augmentation: string;
  trainAccuracy?: number;
  validationAccuracy?: number;
  testAccuracy?: number;
  testTop5?: number;
  seconds?: number;
  backend: string;
  /** The per-epoch curves, for overlaying two runs. */
  curves: Pick<EpochMetrics, 'epoch' | 'trainLoss' | 'trainAccuracy' | 'validationLoss' | 'validationAccuracy'>[];
}

/** The activations of one convolution layer for one image, each channel scaled to 0–255 on its own. */
export interface FeatureMapLayer {
  layerName: string;
  height: number;
  width: number;
  /** Channels in the layer (maps may hold fewer: only the first ones are sent). */
  channels: number;
  /** One height × width byte image per channel shown. */
  maps: number[][];
}

/** A test image (as in the dataset: uint8 pixels, height × width × channels) to run through a trained model. */
export interface PickedImage {
  pixels: number[];
  /** [height, width, channels]. */
  shape: number[];
  label?: number;
}

export type ExportFormat = 'markdown' | 'csv';

export type TrainingPanelToHostMessage =
  /** The panel has loaded and listens: send it `init`. */
  | { type: 'ready' }
  /** Start a run with these settings (written to the design's `training` block first if they differ). */
  | { type: 'start'; settings: TrainingSettings }
  /** Stop the run in progress; answered by the run ending as `cancelled`. */
  | { type: 'stop'; runId: string }
  /** Write these settings into the design's `training` block; answered with `settingsSaved`. */
  | { type: 'saveSettings'; requestId: number; settings: TrainingSettings }
  /** Read the run folders again; answered with `runs`. */
  | { type: 'refreshRuns' }
  /** Delete a run folder (the host asks the user to confirm). */
  | { type: 'deleteRun'; name: string }
  /** Show a run folder in the operating system's file manager. */
  | { type: 'revealRun'; name: string }
  /** Show a past run's results in the panel; answered with `runResult`. */
  | { type: 'openRun'; name: string }
  /** Export the design as the run trained it as a PyTorch module, with the run's trained weights, into the run folder. */
  | { type: 'exportRunForPyTorch'; name: string }
  /** Save the history table (these runs, or all) as Markdown or CSV where the user chooses. */
  | { type: 'exportRuns'; format: ExportFormat; names: string[] }
  /** Compute the feature maps of every convolution of a run's trained model for one image; answered with `featureMaps`. */
  | { type: 'featureMaps'; requestId: number; runName: string; image: PickedImage };

export type HostToTrainingPanelMessage =
  /** Everything the panel shows, sent after `ready`: reopening the panel mid-run continues where the run is. */
  | { type: 'init'; designName: string; designFile: string; designUri?: string; settings: TrainingSettings; datasets: string[]; backends: string[]; trusted: boolean; run?: LiveRun; designChanged: boolean; runs: RunSummary[] }
  /** A new run began (replaces the one shown). */
  | { type: 'runStarted'; run: LiveRun }
  /** The training process chose its backend / created the run folder. */
  | { type: 'runInfo'; runId: string; backend?: string; runFolder?: string }
  /** A batch-level progress point (at most a few per second). */
  | { type: 'progress'; runId: string; progress: TrainingProgress }
  /** One epoch finished. */
  | { type: 'epoch'; runId: string; epoch: EpochMetrics }
  /** A line from the trainer (dataset download, warnings). */
  | { type: 'log'; runId: string; message: string }
  /** The run ended with a result (completed, cancelled or diverged; a diverged run also carries what to do about it). */
  | { type: 'finished'; runId: string; result: TrainingResult; error?: TrainingErrorView }
  /** The run failed; the panel shows what happened and what to do next. */
  | { type: 'failed'; runId: string; error: TrainingErrorView }
  /** Whether the design's text differs from the text the shown run trains. */
  | { type: 'designChanged'; changed: boolean }
  /** The design's `training` block changed (typed in the text, or saved from the form). */
  | { type: 'settings'; settings: TrainingSettings }
  /** Reply to `saveSettings`. */
  | { type: 'settingsSaved'; requestId: number; applied: boolean; reason?: string }
  /** The design's run history, oldest first. */
  | { type: 'runs'; runs: RunSummary[] }
  /** Reply to `openRun`: a past run's results, as a finished run. */
  | { type: 'runResult'; run: LiveRun }
  /** Reply to `featureMaps`: the layers, or why there are none. */
  | { type: 'featureMaps'; requestId: number; layers?: FeatureMapLayer[]; error?: string };
