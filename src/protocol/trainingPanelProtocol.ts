/**
 * The channel between the extension host and the training panel webview, carried by RpcEndpoint on
 * both sides. The panel asks (requests, each answered by one reply); the host tells (events). The
 * panel starts with the `ready` request; its reply is everything the panel shows (the design, its
 * training settings, the run in progress or last finished, the run history), and the host's events
 * (what the training service reports) flow only after it. The panel never talks to the training
 * process: every request goes to the host, which asks the training service.
 */
import type { TrainingSettings } from '../core/design';
import type { EngineAvailability } from '../training/engine/listEngines';
import type { TorchDevice } from '../training/pytorch/torchDevices';
import type { EpochMetrics, TrainingProgress, TrainingResult } from '../training/trainer/trainingReport';
import type { RpcSide } from './RpcEndpoint';

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
  /** Per-batch points, oldest first (thinned out on long runs by reduceRunEvent, the same way on both sides). */
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

/** The PyTorch engine's device and data-parallel process count (one per GPU): the machine's `cnnDesigner.pytorch.*` settings. */
export interface PyTorchOptions {
  device: TorchDevice;
  processes: number;
}

/** The training engines as the host probed them, and what the machine's settings choose. */
export interface EnginesView {
  /** Every engine in the automatic choice's order (absent when there is no list: see `error`). */
  engines?: EngineAvailability[];
  /** Why there is no list (an untrusted workspace, a probe that failed). */
  error?: string;
  /** When the list was probed, in ms since the epoch. */
  probedAt?: number;
  /** The engine the machine's `cnnDesigner.training.backend` setting forces over the design's backend. */
  forcedBackend?: string;
  pytorch: PyTorchOptions;
}

/** Whether the PyTorch options were written, and the options now in force. */
export interface PyTorchOptionsSaved {
  applied: boolean;
  reason?: string;
  options: PyTorchOptions;
}

/** Requests of the panel; each is answered by one reply (TrainingPanelReplies). */
export type TrainingPanelToHostMessage =
  /** The handshake: the panel has loaded and listens. Answered with everything it shows; events follow only after it. */
  | { type: 'ready' }
  /** Start a run with these settings (written to the design's `training` block first if they differ). */
  | { type: 'start'; settings: TrainingSettings }
  /** Stop the run in progress; its end then comes as the `finished` event (cancelled). */
  | { type: 'stop'; runId: string }
  /** Write these settings into the design's `training` block. */
  | { type: 'saveSettings'; settings: TrainingSettings }
  /** Read the run folders again. */
  | { type: 'refreshRuns' }
  /** Delete a run folder (the host asks the user to confirm). */
  | { type: 'deleteRun'; name: string }
  /** Show a run folder in the operating system's file manager. */
  | { type: 'revealRun'; name: string }
  /** A past run's results, as a finished run. */
  | { type: 'openRun'; name: string }
  /** Export the design as the run trained it as a PyTorch module, with the run's trained weights, into the run folder. */
  | { type: 'exportRunForPyTorch'; name: string }
  /** Save the history table (these runs, or all) as Markdown or CSV where the user chooses. */
  | { type: 'exportRuns'; format: ExportFormat; names: string[] }
  /** Compute the feature maps of every convolution of a run's trained model for one image. */
  | { type: 'featureMaps'; runName: string; image: PickedImage }
  /** The training engines with their availability: the host's cached probe, or a new one with `refresh`. */
  | { type: 'engines'; refresh: boolean }
  /** Set the PyTorch engine's device and process count (machine settings: every run on this machine uses them). */
  | { type: 'setPyTorchOptions'; options: PyTorchOptions };

/** Everything the panel shows: the reply to `ready`, and the `init` event when it must start over (workspace trust granted). */
export interface TrainingPanelInit {
  designName: string;
  designFile: string;
  designUri?: string;
  settings: TrainingSettings;
  datasets: string[];
  backends: string[];
  trusted: boolean;
  /** The run in progress or last finished: reopening the panel mid-run continues where the run is. */
  run?: LiveRun;
  designChanged: boolean;
  runs: RunSummary[];
}

/** Whether settings were written, and why not. */
export interface SettingsSaved {
  applied: boolean;
  reason?: string;
}

/** The feature maps of a picked image, or why there are none. */
export interface FeatureMapsReply {
  layers?: FeatureMapLayer[];
  error?: string;
}

/** The reply to each request of the panel. */
export interface TrainingPanelReplies {
  ready: TrainingPanelInit;
  start: void;
  stop: void;
  saveSettings: SettingsSaved;
  refreshRuns: RunSummary[];
  deleteRun: void;
  revealRun: void;
  openRun: LiveRun | undefined;
  exportRunForPyTorch: void;
  exportRuns: void;
  featureMaps: FeatureMapsReply;
  engines: EnginesView;
  setPyTorchOptions: PyTorchOptionsSaved;
}

/** What the host tells the panel unasked (events, after the `ready` handshake). */
export type HostToTrainingPanelMessage =
  /** Start over with this state (workspace trust was granted). */
  | ({ type: 'init' } & TrainingPanelInit)
  /** A new run began (replaces the one shown). */
  | { type: 'runStarted'; run: LiveRun }
  | RunEvent
  /** Whether the design's text differs from the text the shown run trains. */
  | { type: 'designChanged'; changed: boolean }
  /** The design's `training` block changed (typed in the text, or saved from the form). */
  | { type: 'settings'; settings: TrainingSettings }
  /** The design's run history changed (a run folder appeared, finished or was deleted), oldest first. */
  | { type: 'runs'; runs: RunSummary[] };

/** What happens to one run, in order; reduceRunEvent applies each to the run's view, on both sides. */
export type RunEvent =
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
  | { type: 'failed'; runId: string; error: TrainingErrorView };

/** The panel's side of the channel: it asks, the host answers. */
export interface TrainingPanelSide extends RpcSide {
  request: TrainingPanelToHostMessage;
  replies: TrainingPanelReplies;
  event: never;
}
/** The host's side: it answers and sends events. */
export interface TrainingHostSide extends RpcSide {
  request: never;
  replies: Record<never, never>;
  event: HostToTrainingPanelMessage;
}
