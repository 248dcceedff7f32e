import type { TrainingSettings } from '../../core/design';
import { settingValueProblem, TRAINING_SETTING_GROUPS, trainingSettingSpec } from '../../core/training/trainingSettingsSpec';
import type { ExportFormat, PickedImage, PyTorchOptions, TrainingPanelToHostMessage } from '../../protocol/trainingPanelProtocol';
import { MAX_PYTORCH_PROCESSES, TORCH_DEVICES } from '../../training/pytorch/torchDevices';

/** Thrown for a message from the training panel that does not follow the protocol; the host drops it and logs why. */
export class InvalidPanelMessageError extends Error {}

type Json = Record<string, unknown>;

const fail = (path: string, expected: string): never => {
  throw new InvalidPanelMessageError(`${path} must be ${expected}`);
};
const object = (v: unknown, path: string): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : fail(path, 'an object'));
const string = (v: unknown, path: string, max = 1000): string => (typeof v === 'string' && v.length <= max ? v : fail(path, `a string of at most ${max} characters`));
const integer = (v: unknown, path: string, min: number, max: number): number =>
  Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max ? (v as number) : fail(path, `an integer in [${min}, ${max}]`);
const oneOf = <T extends string>(v: unknown, options: readonly T[], path: string): T =>
  typeof v === 'string' && (options as readonly string[]).includes(v) ? (v as T) : fail(path, `one of ${options.join(', ')}`);
/** A run folder's name: a timestamp-like single path segment, never a path. */
const runName = (v: unknown, path: string): string => {
  const name = string(v, path, 100);
  return /^[\w.-]+$/.test(name) && name !== '.' && name !== '..' ? name : fail(path, 'a run folder name');
};

/**
 * The settings form's fields, checked against the training settings specification: every value of
 * the right type and in range (the form checks the same before it sends), nothing else. Unknown keys
 * are refused so the panel cannot write arbitrary data into the design.
 */
function trainingSettings(v: unknown, path: string): TrainingSettings {
  const check = (container: Json, prefix: string): Json => {
    const out: Json = {};
    for (const [key, value] of Object.entries(container)) {
      if (value === undefined) continue;
      const name = prefix ? `${prefix}.${key}` : key;
      const at = `${path}.${name}`;
      if (!prefix && (TRAINING_SETTING_GROUPS as readonly string[]).includes(key)) {
        out[key] = check(object(value, at), key);
        continue;
      }
      const spec = trainingSettingSpec(name);
      if (!spec) fail(at, `absent (unknown ${prefix ? `${prefix} setting` : 'training setting'})`);
      const problem = settingValueProblem(spec!, value);
      if (problem) fail(at, problem.replace(/^must be /, ''));
      out[key] = value;
    }
    return out;
  };
  return check(object(v, path), '') as TrainingSettings;
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

/** The panel's PyTorch choice: a known device and a whole number of processes in the setting's range, nothing else. */
function pytorchOptions(v: unknown, path: string): PyTorchOptions {
  const o = object(v, path);
  for (const key of Object.keys(o)) if (key !== 'device' && key !== 'processes') fail(`${path}.${key}`, 'absent (unknown field)');
  return { device: oneOf(o.device, TORCH_DEVICES, `${path}.device`), processes: integer(o.processes, `${path}.processes`, 1, MAX_PYTORCH_PROCESSES) };
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
      return { type: 'saveSettings', settings: trainingSettings(m.settings, 'settings') };
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
        runName: runName(m.runName, 'runName'),
        image: pickedImage(m.image, 'image'),
      };
    case 'engines':
      return { type: 'engines', refresh: typeof m.refresh === 'boolean' ? m.refresh : fail('refresh', 'true or false') };
    case 'setPyTorchOptions':
      return { type: 'setPyTorchOptions', options: pytorchOptions(m.options, 'options') };
    default:
      return fail('type', 'a training panel message type');
  }
}
