import { describeDefault, settingValueProblem, TRAINING_SETTINGS, type TrainingSettings, type TrainingSettingSpec } from './trainingSettingsSpec';

/**
 * A command-line option of `cnn-designer train` that overrides one training setting of the design:
 * the shape the CLI's option tables use (long name, type, value name, choices, meaning), plus the
 * setting it sets. Every setting CNN Designer's trainer honours has one, with the same name as the
 * exported `train.py`'s flag.
 */
export interface TrainingCliOption {
  /** The long name without dashes: `batch-size` is `--batch-size`. */
  name: string;
  /** Every setting takes a value (`--standardize false`), parsed by `trainingSettingsFromCli`. */
  type: 'string';
  valueName: string;
  choices?: readonly string[];
  meaning: string;
  /** The setting it overrides: `batchSize`, `augment.translate`. */
  setting: string;
}

const SETTINGS: readonly TrainingSettingSpec[] = TRAINING_SETTINGS;

const valueNameOf = (spec: TrainingSettingSpec): string => {
  switch (spec.kind) {
    case 'int':
      return 'N';
    case 'number':
      return 'X';
    case 'bool':
      return 'true|false';
    case 'enum':
      return 'NAME';
    case 'path':
      return 'PATH';
  }
};

const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** The `train` options that override training settings, in the specification's order. */
export const TRAINING_CLI_OPTIONS: readonly TrainingCliOption[] = SETTINGS.filter((s) => s.engines.includes('tfjs')).map((spec) => ({
  name: spec.flag,
  type: 'string',
  valueName: valueNameOf(spec),
  ...(spec.kind === 'enum' ? { choices: spec.options } : {}),
  meaning:
    spec.kind === 'path'
      ? `${capitalized(spec.doc)}; given here, from the current directory (overrides training.${spec.key}).`
      : `${capitalized(spec.doc)} (overrides training.${spec.key}; default ${describeDefault(spec)}).`,
  setting: spec.key,
}));

/** The value an option's text stands for, or the reason it cannot be one. */
function parseOptionText(spec: TrainingSettingSpec, text: string): { value: unknown } | { error: string } {
  switch (spec.kind) {
    case 'int':
      return /^\s*[+-]?\d+\s*$/.test(text) ? { value: Number(text) } : { error: `must be ${spec.min >= 0 ? 'a whole number' : 'an integer'}` };
    case 'number':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? { value: Number(text) } : { error: 'must be a number' };
    case 'bool': {
      const lower = text.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) return { value: true };
      if (['false', '0', 'no', 'off'].includes(lower)) return { value: false };
      return { error: 'must be true or false' };
    }
    case 'enum':
    case 'path':
      return { value: text };
  }
}

/**
 * The training settings that `train`'s options give, checked against the specification, with an error
 * per bad value (`--translate must be a number in [0, 0.5), got "0.9"`). `values` maps an option's
 * name to its text, as the CLI's parser reads it; `resolvePath` makes a path given on the command
 * line absolute (from the current directory).
 */
export function trainingSettingsFromCli(values: (name: string) => string | undefined, resolvePath: (path: string) => string = (p) => p): { settings: TrainingSettings; errors: string[] } {
  const settings: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const option of TRAINING_CLI_OPTIONS) {
    const text = values(option.name);
    if (text === undefined) continue;
    const spec = SETTINGS.find((s) => s.key === option.setting)!;
    const parsed = parseOptionText(spec, text);
    const problem = 'error' in parsed ? parsed.error : settingValueProblem(spec, parsed.value);
    if (problem || 'error' in parsed) {
      errors.push(`--${option.name} ${problem}, got ${JSON.stringify(text)}`);
      continue;
    }
    const value = spec.kind === 'path' ? resolvePath(parsed.value as string) : parsed.value;
    const [head, tail] = spec.key.split('.');
    if (tail === undefined) settings[head] = value;
    else settings[head] = { ...(settings[head] as Record<string, unknown> | undefined), [tail]: value };
  }
  return { settings: settings as TrainingSettings, errors };
}

/** The design's training block with the command line's overrides on top (groups such as `augment` merged key by key). */
export function withTrainingOverrides(training: TrainingSettings, overrides: TrainingSettings): TrainingSettings {
  const merged: Record<string, unknown> = { ...training };
  for (const [key, value] of Object.entries(overrides)) {
    const before = merged[key];
    merged[key] =
      typeof value === 'object' && value !== null && typeof before === 'object' && before !== null && !Array.isArray(before) ? { ...(before as Record<string, unknown>), ...(value as Record<string, unknown>) } : value;
  }
  return merged as TrainingSettings;
}
