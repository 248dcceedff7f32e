/**
 * The one specification of every training setting of a design's `training` block. The design
 * types, the JSON schema, the serializer's key order, the analysis' diagnostics, the training
 * panel's form and message validation, the trainer's defaults, the CLI's `train` flags and the
 * exported `train.py`'s flags are all derived from this list: adding a setting is one entry here
 * (plus the code of the engines that honour it), and `test/core/trainingSettingsSpec.test.ts` walks
 * the list through every consumer.
 */

/**
 * Who trains: `tfjs` is CNN Designer's own trainer (the CLI's `train`, the editor's Train button);
 * `pytorch` is the `train.py` the PyTorch export writes.
 */
export type TrainingEngine = 'tfjs' | 'pytorch';
export const TRAINING_ENGINES: readonly TrainingEngine[] = ['tfjs', 'pytorch'];

/** The dataset names a design's `training.dataset` (and `--dataset`) may use, in both engines. */
export const TRAINING_DATASETS = ['mnist-sample', 'mnist', 'fashion-mnist', 'cifar10', 'imagefolder'] as const;
export type TrainingDatasetName = (typeof TRAINING_DATASETS)[number];

/**
 * The engines CNN Designer's trainer can be told to use ('auto': the first that works): its PyTorch
 * engine (the exported module run by the trainer under a Python with torch) and the TF.js backends.
 */
export const TRAINING_BACKENDS = ['auto', 'pytorch', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type TrainingBackendName = (typeof TRAINING_BACKENDS)[number];

export const OPTIMIZERS = ['sgd', 'adam', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const SCHEDULES = ['constant', 'exponential', 'step'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];
export const LOSSES = ['crossEntropy', 'nll'] as const;
export type LossName = (typeof LOSSES)[number];

/** A default that depends on another setting's value (e.g. the learning rate on the optimizer). */
export interface DependentDefault<T> {
  dependsOn: string;
  cases: Record<string, T>;
  otherwise: T;
}

interface SettingBase {
  /** Where it sits in the `training` block: `epochs`, or `augment.translate` for a nested one. */
  key: string;
  /** Short label, as the training panel's form shows it. */
  label: string;
  /** One line saying what it does, for the schema, the form, `--help` and the docs. */
  doc: string;
  /** The engines that honour it; the others ignore it. */
  engines: readonly TrainingEngine[];
  /** The command-line flag of `cnn-designer train` and of `train.py`, without the dashes. */
  flag: string;
}

export interface IntSetting extends SettingBase {
  kind: 'int';
  min: number;
  max: number;
  default: number | DependentDefault<number>;
}

export interface NumberSetting extends SettingBase {
  kind: 'number';
  min: number;
  /** True when `min` itself is not allowed. */
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
  default: number | DependentDefault<number>;
}

export interface BoolSetting extends SettingBase {
  kind: 'bool';
  default: boolean;
}

export interface EnumSetting extends SettingBase {
  kind: 'enum';
  options: readonly string[];
  default: string;
}

/** A file or folder; relative paths are taken from the design file's folder. No default. */
export interface PathSetting extends SettingBase {
  kind: 'path';
  maxLength: number;
  default?: undefined;
}

export type TrainingSettingSpec = IntSetting | NumberSetting | BoolSetting | EnumSetting | PathSetting;

const BOTH = ['tfjs', 'pytorch'] as const satisfies readonly TrainingEngine[];
const MAX_COUNT = 1_000_000_000;

export const TRAINING_SETTINGS = [
  {
    key: 'dataset',
    label: 'Dataset',
    kind: 'enum',
    options: TRAINING_DATASETS,
    default: 'mnist-sample',
    doc: 'mnist-sample (built in; train.py uses the full MNIST), mnist, fashion-mnist, cifar10 (downloaded once or read from the dataset path) or imagefolder (one subfolder per class)',
    engines: BOTH,
    flag: 'dataset',
  },
  {
    key: 'datasetPath',
    label: 'Dataset path',
    kind: 'path',
    maxLength: 4096,
    doc: "local dataset files or image folder; a relative path is taken from the design file's folder",
    engines: BOTH,
    flag: 'dataset-path',
  },
  { key: 'epochs', label: 'Epochs', kind: 'int', min: 1, max: MAX_COUNT, default: 3, doc: 'passes over the training data', engines: BOTH, flag: 'epochs' },
  { key: 'batchSize', label: 'Batch size', kind: 'int', min: 1, max: MAX_COUNT, default: 64, doc: 'samples per training step', engines: BOTH, flag: 'batch-size' },
  { key: 'optimizer', label: 'Optimizer', kind: 'enum', options: OPTIMIZERS, default: 'adam', doc: "sgd, adam or rmsprop, with PyTorch's update rules", engines: BOTH, flag: 'optimizer' },
  {
    key: 'learningRate',
    label: 'Learning rate',
    kind: 'number',
    min: 0,
    minExclusive: true,
    default: { dependsOn: 'optimizer', cases: { sgd: 0.01 }, otherwise: 0.001 },
    doc: 'step size of the optimizer at the first epoch',
    engines: BOTH,
    flag: 'learning-rate',
  },
  {
    key: 'momentum',
    label: 'Momentum',
    kind: 'number',
    min: 0,
    max: 1,
    maxExclusive: true,
    default: { dependsOn: 'optimizer', cases: { sgd: 0.9 }, otherwise: 0 },
    doc: 'momentum of sgd and rmsprop (adam ignores it)',
    engines: BOTH,
    flag: 'momentum',
  },
  {
    key: 'schedule',
    label: 'LR schedule',
    kind: 'enum',
    options: SCHEDULES,
    default: 'constant',
    doc: 'learning rate per epoch: constant, exponential (× decay rate every epoch) or step (× decay rate every decay-steps epochs)',
    engines: BOTH,
    flag: 'schedule',
  },
  {
    key: 'decayRate',
    label: 'Decay rate',
    kind: 'number',
    min: 0,
    minExclusive: true,
    max: 1,
    default: { dependsOn: 'schedule', cases: { step: 0.1 }, otherwise: 0.95 },
    doc: 'factor the exponential or step schedule multiplies the learning rate by',
    engines: BOTH,
    flag: 'decay-rate',
  },
  { key: 'decaySteps', label: 'Decay every (epochs)', kind: 'int', min: 1, max: MAX_COUNT, default: 1, doc: 'epochs between two decays of the step schedule', engines: BOTH, flag: 'decay-steps' },
  {
    key: 'loss',
    label: 'Loss',
    kind: 'enum',
    options: LOSSES,
    default: 'crossEntropy',
    doc: 'crossEntropy, or nll for a log-softmax output (the loss always matches what the output layer computes)',
    engines: BOTH,
    flag: 'loss',
  },
  { key: 'l2', label: 'L2 (weight decay)', kind: 'number', min: 0, default: 0, doc: "PyTorch's weight decay: adds l2 · w to every weight's gradient", engines: BOTH, flag: 'l2' },
  {
    key: 'earlyStoppingPatience',
    label: 'Early stopping patience',
    kind: 'int',
    min: 0,
    max: MAX_COUNT,
    default: 0,
    doc: 'stop after this many epochs without a better validation loss (training loss without a validation split); 0 never stops early',
    engines: BOTH,
    flag: 'early-stopping-patience',
  },
  {
    key: 'validationSplit',
    label: 'Validation split',
    kind: 'number',
    min: 0,
    max: 1,
    maxExclusive: true,
    default: 0.1,
    doc: 'fraction of the training data held out to validate each epoch',
    engines: BOTH,
    flag: 'validation-split',
  },
  { key: 'standardize', label: 'Standardize inputs', kind: 'bool', default: true, doc: 'scale inputs to zero mean and unit variance per channel', engines: BOTH, flag: 'standardize' },
  { key: 'augment.horizontalFlip', label: 'Augment: horizontal flip', kind: 'bool', default: false, doc: 'flip training images left-right at random', engines: BOTH, flag: 'horizontal-flip' },
  {
    key: 'augment.translate',
    label: 'Augment: translate (fraction)',
    kind: 'number',
    min: 0,
    max: 0.5,
    maxExclusive: true,
    default: 0,
    doc: 'largest random shift of training images, as a fraction of their size',
    engines: BOTH,
    flag: 'translate',
  },
  { key: 'augment.cropPadding', label: 'Augment: crop padding (px)', kind: 'int', min: 0, max: 1000, default: 0, doc: 'zero padding before a random crop back to the image size', engines: BOTH, flag: 'crop-padding' },
  { key: 'seed', label: 'Seed', kind: 'int', min: 0, max: 4_294_967_295, default: 42, doc: 'seed of the weight initialization, split, shuffling and augmentation', engines: BOTH, flag: 'seed' },
  {
    key: 'backend',
    label: 'Backend',
    kind: 'enum',
    options: TRAINING_BACKENDS,
    default: 'auto',
    doc: "CNN Designer's trainer: auto (PyTorch on a GPU, native GPU, native CPU, WebGPU, WASM, then JS, first that works) or one of them",
    engines: ['tfjs'],
    flag: 'backend',
  },
] as const satisfies readonly TrainingSettingSpec[];

type SpecEntry = (typeof TRAINING_SETTINGS)[number];
// An enum is typed as its options or any string: the block comes from a file, and the analysis (not the type) says which values are allowed.
type ValueOf<S> = S extends { kind: 'int' | 'number' } ? number : S extends { kind: 'bool' } ? boolean : S extends { kind: 'enum'; options: readonly (infer O)[] } ? O | (string & {}) : string;
type TopLevel = { -readonly [S in SpecEntry as S['key'] extends `${string}.${string}` ? never : S['key']]?: ValueOf<S> };
type Group<G extends string> = { -readonly [S in SpecEntry as S['key'] extends `${G}.${infer K}` ? K : never]?: ValueOf<S> };

/**
 * A design's `training` block, typed from the specification. Every setting is optional (its default
 * applies); keys the specification does not know are kept on round trip and reported by the analysis.
 */
export type TrainingSettings = TopLevel & { augment?: Group<'augment'> } & { [key: string]: unknown };

type ResolvedValueOf<S> = S extends { kind: 'int' | 'number' } ? number : S extends { kind: 'bool' } ? boolean : S extends { kind: 'enum'; options: readonly (infer O)[] } ? O : string;
type ResolvedTopLevel = { -readonly [S in SpecEntry as S['key'] extends `${string}.${string}` ? never : S extends { kind: 'path' } ? never : S['key']]-?: ResolvedValueOf<S> };
type ResolvedPaths = { -readonly [S in SpecEntry as S extends { kind: 'path' } ? S['key'] : never]?: string };
type ResolvedGroup<G extends string> = { -readonly [S in SpecEntry as S['key'] extends `${G}.${infer K}` ? K : never]-?: ResolvedValueOf<S> };

/** A valid `training` block with every default filled in: what a run trains with and records as its hyperparameters. */
export type ResolvedTrainingSettings = ResolvedTopLevel & ResolvedPaths & { augment: ResolvedGroup<'augment'> };

/** A key of the block or of a group: `epochs`, `augment.translate`. */
export type TrainingSettingKey = SpecEntry['key'];

/** Groups of nested settings (`augment`), in the order they appear. */
export const TRAINING_SETTING_GROUPS = ['augment'] as const;

/** The key order of the `training` block as the serializer writes it. */
export const TRAINING_KEY_ORDER: readonly string[] = [...new Set(TRAINING_SETTINGS.map((s) => s.key.split('.')[0]))];

export const trainingSettingSpec = (key: string): TrainingSettingSpec | undefined => (TRAINING_SETTINGS as readonly TrainingSettingSpec[]).find((s) => s.key === key);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value a `training` block holds for a setting (nested keys included), or undefined. */
export function settingValue(training: unknown, key: string): unknown {
  let value: unknown = training;
  for (const part of key.split('.')) {
    if (!isObject(value) || !Object.prototype.hasOwnProperty.call(value, part)) return undefined;
    value = value[part];
  }
  return value;
}

/** The setting's default given the block's other values (a dependent default reads the value it depends on, or that one's default). */
export function settingDefault(spec: TrainingSettingSpec, training: unknown): number | boolean | string | undefined {
  const d = spec.default;
  if (typeof d !== 'object' || d === null) return d;
  const other = trainingSettingSpec(d.dependsOn);
  const chosen = settingValue(training, d.dependsOn) ?? (other ? settingDefault(other, training) : undefined);
  return typeof chosen === 'string' && Object.prototype.hasOwnProperty.call(d.cases, chosen) ? d.cases[chosen] : d.otherwise;
}

/** The default in words, for placeholders and `--help`: "0.01 for sgd, else 0.001". */
export function describeDefault(spec: TrainingSettingSpec): string {
  const d = spec.default;
  if (d === undefined) return 'none';
  if (typeof d !== 'object') return String(d);
  return `${Object.entries(d.cases)
    .map(([when, v]) => `${v} for ${when}`)
    .join(', ')}, else ${d.otherwise}`;
}

/** The allowed values in words: "an integer in [1, 1000000000]", "a number in [0, 0.5)". */
export function describeRange(spec: TrainingSettingSpec): string {
  switch (spec.kind) {
    case 'int':
      return `an integer in [${spec.min}, ${spec.max}]`;
    case 'number':
      return spec.max === undefined
        ? `a number ${spec.minExclusive ? '>' : '≥'} ${spec.min}`
        : `a number in ${spec.minExclusive ? '(' : '['}${spec.min}, ${spec.max}${spec.maxExclusive ? ')' : ']'}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${spec.options.join(', ')}`;
    case 'path':
      return `a path of 1 to ${spec.maxLength} characters, without NUL`;
  }
}

/** Why `value` is not allowed for the setting, or undefined when it is. */
export function settingValueProblem(spec: TrainingSettingSpec, value: unknown): string | undefined {
  const ok = ((): boolean => {
    switch (spec.kind) {
      case 'int':
        return typeof value === 'number' && Number.isSafeInteger(value) && value >= spec.min && value <= spec.max;
      case 'number':
        return (
          typeof value === 'number' &&
          Number.isFinite(value) &&
          (spec.minExclusive ? value > spec.min : value >= spec.min) &&
          (spec.max === undefined || (spec.maxExclusive ? value < spec.max : value <= spec.max))
        );
      case 'bool':
        return typeof value === 'boolean';
      case 'enum':
        return typeof value === 'string' && spec.options.includes(value);
      case 'path':
        return typeof value === 'string' && value.length > 0 && value.length <= spec.maxLength && !value.includes('\0');
    }
  })();
  return ok ? undefined : `must be ${describeRange(spec)}`;
}
