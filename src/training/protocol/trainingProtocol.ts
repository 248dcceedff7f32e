/**
 * The messages between the host (extension or CLI) and a training process, sent over Node's IPC
 * channel as structured-cloned plain data. Both directions are discriminated unions on `type`.
 */
import type { PythonCandidate } from '../pytorch/findPythonWithTorch';
import type { TorchDevice } from '../pytorch/trainWithPyTorch';
import type { TrainDesignRequest } from '../trainer/trainDesign';
import type { EpochMetrics, TrainingProgress, TrainingResult } from '../trainer/trainingReport';

/** What a run trains and where it writes; the body of the `start` message. */
export interface TrainingRunRequest extends Omit<TrainDesignRequest, 'backendAttempts'> {
  /** Folders where the user installed the native engines. */
  nativeEngineFolders?: string[];
  /** The PyTorch engine: interpreters to try in order (default: CNN_DESIGNER_PYTHON, then python3 on the PATH), device, and processes (one per GPU, under torchrun). */
  pytorch?: { pythonCandidates?: PythonCandidate[]; device?: TorchDevice; processes?: number };
}

/** Host → process. */
export type HostMessage =
  /** Starts the run; sent once, after `ready`. */
  | { type: 'start'; request: TrainingRunRequest }
  /** Stops the run between batches, keeping the last completed epoch's checkpoint. */
  | { type: 'cancel' };

/** A backend tried before training, and why it was not used. */
export interface BackendAttemptInfo {
  backend: string;
  ok: boolean;
  reason?: string;
}

/** Process → host. */
export type ProcessMessage =
  /** The process has loaded and waits for `start`. */
  | { type: 'ready'; pid: number }
  /** The backend chosen, with every backend tried before it. */
  | { type: 'backend'; backend: string; attempts: BackendAttemptInfo[]; tfjsVersion: string; detail?: string }
  /** The run folder was created. */
  | { type: 'runFolder'; folder: string }
  /** Dataset download progress (bytes of one file). */
  | { type: 'download'; file: string; fileIndex: number; fileCount: number; received: number; total?: number }
  /** Batch progress, at least every half second while training. */
  | { type: 'progress'; progress: TrainingProgress }
  /** An epoch finished (its checkpoint is saved). */
  | { type: 'epoch'; metrics: EpochMetrics }
  /** Something the user should read (fallbacks, warnings, early stopping). */
  | { type: 'log'; level: 'info' | 'warning'; message: string }
  /** The run finished (completed or diverged); the last message of the run. */
  | { type: 'result'; result: TrainingResult }
  /** The run was cancelled; carries what completed. The last message of the run. */
  | { type: 'cancelled'; result: TrainingResult }
  /** The run failed before or during training; the last message of the run. */
  | { type: 'error'; message: string };

/** Whether a value received over IPC is a ProcessMessage (the host trusts nothing it has not checked). */
export function isProcessMessage(value: unknown): value is ProcessMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && ['ready', 'backend', 'runFolder', 'download', 'progress', 'epoch', 'log', 'result', 'cancelled', 'error'].includes(type);
}

/** Whether a value received over IPC is a HostMessage. */
export function isHostMessage(value: unknown): value is HostMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return (type === 'start' && typeof (value as { request?: unknown }).request === 'object') || type === 'cancel';
}
