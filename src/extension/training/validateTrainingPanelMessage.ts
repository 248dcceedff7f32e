import type { TrainingSettings } from '../../core/design';
import type { ExportFormat, PickedImage, TrainingPanelToHostMessage } from '../../protocol/trainingPanelProtocol';

/** Thrown for a message from the training panel that does not follow the protocol; the host drops it and logs why. */
export class InvalidPanelMessageError extends Error {}

type Json = Record<string, unknown>;

const fail = (path: string, expected: string): never => {
  throw new InvalidPanelMessageError(`${path} must be ${expected}`);
};
const object = (v: unknown, path: string): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : fail(path, 'an object'));
const string = (v: unknown, path: string, max = 1000): string => (typeof v === 'string' && v.length <= max ? v : fail(path, `a string of at most ${max} characters`));
const finite = (v: unknown, path: string): number => (typeof v === 'number' && Number.isFinite(v) ? v : fail(path, 'a finite number'));
const integer = (v: unknown, path: string, min: number, max: number): number =>
  Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max ? (v as number) : fail(path, `an integer in [${min}, ${max}]`);
const boolean = (v: unknown, path: string): boolean => (typeof v === 'boolean' ? v : fail(path, 'true or false'));
const oneOf = <T extends string>(v: unknown, options: readonly T[], path: string): T =>
  typeof v === 'string' && (options as readonly string[]).includes(v) ? (v as T) : fail(path, `one of ${options.join(', ')}`);
/** A run folder's name: a timestamp-like single path segment, never a path. */
const runName = (v: unknown, path: string): string => {
  const name = string(v, path, 100);
  return /^[\w.-]+$/.test(name) && name !== '.' && name !== '..' ? name : fail(path, 'a run folder name');
};

/**
 * The settings form's fields. Values are only type-checked here; their ranges are the trainer's
 * business (it names the offending `training.<field>` when a run starts). Unknown keys are refused so
 * the panel cannot write arbitrary data into the design.
 */
function trainingSettings(v: unknown, path: string): TrainingSettings {
  const o = object(v, path);
  const out: TrainingSettings = {};
  for (const [key, value] of Object.entries(o)) {
    if (value === undefined) continue;
    const at = `${path}.${key}`;
    switch (key) {
      case 'dataset':
      case 'datasetPath':
      case 'backend':
        out[key] = string(value, at);
        break;
      case 'epochs':
      case 'batchSize':
      case 'decaySteps':
      case 'earlyStoppingPatience':
      case 'seed':
        out[key] = integer(value, at, 0, 1_000_000_000);
        break;
      case 'learningRate':
      case 'momentum':
      case 'decayRate':
      case 'l2':
      case 'validationSplit':
        out[key] = finite(value, at);
        break;
      case 'optimizer':
        out.optimizer = oneOf(value, ['sgd', 'adam', 'rmsprop'] as const, at);
        break;
      case 'schedule':
        out.schedule = oneOf(value, ['constant', 'exponential', 'step'] as const, at);
        break;
      case 'loss':
        out.loss = oneOf(value, ['crossEntropy', 'nll'] as const, at);
        break;
      case 'standardize':
        out.standardize = boolean(value, at);
        break;
      case 'augment': {
        const a = object(value, at);
        const augment: NonNullable<TrainingSettings['augment']> = {};
        for (const [k, av] of Object.entries(a)) {
          if (av === undefined) continue;
          if (k === 'horizontalFlip') augment.horizontalFlip = boolean(av, `${at}.${k}`);
          else if (k === 'translate') augment.translate = finite(av, `${at}.${k}`);
          else if (k === 'cropPadding') augment.cropPadding = integer(av, `${at}.${k}`, 0, 1000);
          else fail(`${at}.${k}`, 'absent (unknown augmentation)');
        }
        out.augment = augment;
        break;
      }
      default:
        fail(at, 'absent (unknown training setting)');
    }
  }
  return out;
}

const MAX_IMAGE_VALUES = 512 * 512 * 4;

function pickedImage(v: unknown, path: string): PickedImage {
  const o = object(v, path);
  const shape = Array.isArray(o.shape) && o.shape.length === 3 ? o.shape.map((d, i) => integer(d, `${path}.shape[${i}]`, 1, 4096)) : fail(`${path}.shape`, '[height, width, channels]');
  const size = shape[0] * shape[1] * shape[2];
  if (size > MAX_IMAGE_VALUES) fail(`${path}.shape`, `an image of at most ${MAX_IMAGE_VALUES} values`);
  if (!Array.isArray(o.pixels) || o.pixels.length !== size) fail(`${path}.pixels`, `${size} byte values (height × width × channels)`);
  const pixels = (o.pixels as unknown[]).map((p, i) => integer(p, `${path}.pixels[${i}]`, 0, 255));
  return { pixels, shape, ...(o.label === undefined ? {} : { label: integer(o.label, `${path}.label`, 0, 100_000) }) };
}

/** Checks a message from the training panel (untrusted input) and returns it typed, or throws InvalidPanelMessageError. */
export function validateTrainingPanelMessage(raw: unknown): TrainingPanelToHostMessage {
  const m = object(raw, 'message');
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'start':
      return { type: 'start', settings: trainingSettings(m.settings, 'settings') };
    case 'stop':
      return { type: 'stop', runId: string(m.runId, 'runId', 200) };
    case 'saveSettings':
      return { type: 'saveSettings', requestId: integer(m.requestId, 'requestId', 0, Number.MAX_SAFE_INTEGER), settings: trainingSettings(m.settings, 'settings') };
    case 'refreshRuns':
      return { type: 'refreshRuns' };
    case 'deleteRun':
    case 'revealRun':
    case 'openRun':
    case 'exportRunForPyTorch':
      return { type: m.type, name: runName(m.name, 'name') };
    case 'exportRuns': {
      const names = Array.isArray(m.names) && m.names.length <= 10_000 ? m.names.map((n, i) => runName(n, `names[${i}]`)) : fail('names', 'a list of run folder names');
      return { type: 'exportRuns', format: oneOf<ExportFormat>(m.format, ['markdown', 'csv'], 'format'), names };
    }
    case 'featureMaps':
      return {
        type: 'featureMaps',
        requestId: integer(m.requestId, 'requestId', 0, Number.MAX_SAFE_INTEGER),
        runName: runName(m.runName, 'runName'),
        image: pickedImage(m.image, 'image'),
      };
    default:
      return fail('type', 'a training panel message type');
  }
}
