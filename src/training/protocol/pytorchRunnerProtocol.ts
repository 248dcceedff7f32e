/**
 * The messages the PyTorch engine's runner (python/cnn_designer_runner.py) writes on its stdout, one
 * JSON object per line. `progress`, `epoch` and `log` carry the training protocol's own records, so
 * the training process relays them unchanged; every line is checked before it is trusted.
 */
import type { EpochMetrics, TrainingProgress } from '../trainer/trainingReport';

export type RunnerMessage =
  /** PyTorch loaded and chose its device. */
  | { type: 'ready'; device: 'cuda' | 'mps' | 'cpu'; deviceName: string; worldSize: number; versions: Record<string, string> }
  | { type: 'progress'; progress: TrainingProgress }
  /** An epoch finished; its weights are in the checkpoint file. */
  | { type: 'epoch'; metrics: EpochMetrics }
  | { type: 'log'; message: string }
  /** The last message of a run that trained; test predictions are in the data folder when `test` is set. */
  | {
      type: 'finished';
      status: 'completed' | 'cancelled' | 'diverged';
      stopReason: string | null;
      secondsToFirstBatch: number | null;
      test: { loss: number; accuracy: number; top5: number } | null;
    }
  | { type: 'error'; message: string };

const PROGRESS_FIELDS = ['epoch', 'epochs', 'batch', 'batches', 'loss', 'accuracy', 'samplesPerSecond', 'etaSeconds', 'learningRate'] as const;
const EPOCH_FIELDS = ['epoch', 'trainLoss', 'trainAccuracy', 'trainTop5', 'learningRate', 'seconds', 'samplesPerSecond', 'tensors', 'residentMegabytes'] as const;
const OPTIONAL_EPOCH_FIELDS = ['validationLoss', 'validationAccuracy', 'validationTop5'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number';
const hasNumbers = (v: unknown, fields: readonly string[]): boolean => isRecord(v) && fields.every((f) => isNumber(v[f]));
const optionalNumbers = (v: Record<string, unknown>, fields: readonly string[]): boolean => fields.every((f) => v[f] === undefined || isNumber(v[f]));

/** Parses one stdout line of the runner; throws, saying what is wrong, for anything that is not a RunnerMessage. */
export function parseRunnerMessage(line: string): RunnerMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`the PyTorch runner wrote a line that is not JSON: ${line.slice(0, 200)}`);
  }
  const bad = (what: string): never => {
    throw new Error(`the PyTorch runner sent a malformed ${what} message: ${line.slice(0, 200)}`);
  };
  if (!isRecord(value) || typeof value.type !== 'string') return bad('(untyped)');
  switch (value.type) {
    case 'ready': {
      const versions = value.versions;
      if (
        !['cuda', 'mps', 'cpu'].includes(value.device as string) ||
        typeof value.deviceName !== 'string' ||
        !Number.isInteger(value.worldSize) ||
        !isRecord(versions) ||
        !Object.values(versions).every((v) => typeof v === 'string')
      )
        return bad('ready');
      return value as RunnerMessage;
    }
    case 'progress':
      return hasNumbers(value.progress, PROGRESS_FIELDS) ? (value as RunnerMessage) : bad('progress');
    case 'epoch':
      return hasNumbers(value.metrics, EPOCH_FIELDS) && optionalNumbers(value.metrics as Record<string, unknown>, OPTIONAL_EPOCH_FIELDS)
        ? (value as RunnerMessage)
        : bad('epoch');
    case 'log':
    case 'error':
      return typeof value.message === 'string' ? (value as RunnerMessage) : bad(value.type);
    case 'finished': {
      const statusOk = ['completed', 'cancelled', 'diverged'].includes(value.status as string);
      const testOk = value.test === null || hasNumbers(value.test, ['loss', 'accuracy', 'top5']);
      const reasonOk = value.stopReason === null || typeof value.stopReason === 'string';
      const firstOk = value.secondsToFirstBatch === null || isNumber(value.secondsToFirstBatch);
      return statusOk && testOk && reasonOk && firstOk ? (value as RunnerMessage) : bad('finished');
    }
    default:
      return bad(`"${String(value.type)}"`);
  }
}
