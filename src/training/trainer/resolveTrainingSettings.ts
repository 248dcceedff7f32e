import type { OptimizerName, ScheduleName, TrainingSettings } from '../../core/design';
import type { Augmentation } from '../data/prepareData';

/** Training settings with every default filled in: what a run records as its hyperparameters. */
export interface ResolvedTrainingSettings {
  dataset: string;
  datasetPath?: string;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  momentum: number;
  schedule: ScheduleName;
  /** Multiplier per epoch (exponential) or per `decaySteps` epochs (step), as PyTorch's ExponentialLR / StepLR. */
  decayRate: number;
  decaySteps: number;
  loss: 'crossEntropy' | 'nll';
  /** PyTorch-style weight decay: adds l2/2·Σw² over all trainable weights to the loss. */
  l2: number;
  /** Epochs without a better validation loss before stopping; 0 = never stop early. */
  earlyStoppingPatience: number;
  validationSplit: number;
  standardize: boolean;
  augment: Augmentation;
  seed: number;
}

const OPTIMIZERS: OptimizerName[] = ['sgd', 'adam', 'rmsprop'];
const SCHEDULES: ScheduleName[] = ['constant', 'exponential', 'step'];

/** Fills defaults and checks values; an error names the offending `training.<field>`. */
export function resolveTrainingSettings(settings: TrainingSettings): ResolvedTrainingSettings {
  const fail = (field: string, message: string, value: unknown): never => {
    throw new Error(`training.${field}: ${message}, got ${JSON.stringify(value)}`);
  };
  const int = (field: keyof TrainingSettings & string, fallback: number, min: number): number => {
    const v = settings[field] ?? fallback;
    return typeof v === 'number' && Number.isInteger(v) && v >= min ? v : fail(field, `must be an integer ≥ ${min}`, v);
  };
  const num = (field: keyof TrainingSettings & string, fallback: number, ok: (v: number) => boolean, rule: string): number => {
    const v = settings[field] ?? fallback;
    return typeof v === 'number' && Number.isFinite(v) && ok(v) ? v : fail(field, rule, v);
  };
  const optimizer = settings.optimizer ?? 'adam';
  if (!OPTIMIZERS.includes(optimizer)) fail('optimizer', `must be one of ${OPTIMIZERS.join(', ')}`, optimizer);
  const schedule = settings.schedule ?? 'constant';
  if (!SCHEDULES.includes(schedule)) fail('schedule', `must be one of ${SCHEDULES.join(', ')}`, schedule);
  const loss = settings.loss ?? 'crossEntropy';
  if (loss !== 'crossEntropy' && loss !== 'nll') fail('loss', 'must be crossEntropy or nll', loss);
  const augment = settings.augment ?? {};
  if (typeof augment !== 'object' || augment === null) fail('augment', 'must be an object', augment);
  if (augment.translate !== undefined && !(augment.translate >= 0 && augment.translate < 0.5)) fail('augment.translate', 'must be a fraction in [0, 0.5)', augment.translate);
  if (augment.cropPadding !== undefined && !(Number.isInteger(augment.cropPadding) && augment.cropPadding >= 0)) fail('augment.cropPadding', 'must be an integer ≥ 0', augment.cropPadding);
  return {
    dataset: typeof settings.dataset === 'string' ? settings.dataset : 'mnist-sample',
    datasetPath: typeof settings.datasetPath === 'string' ? settings.datasetPath : undefined,
    epochs: int('epochs', 3, 1),
    batchSize: int('batchSize', 64, 1),
    optimizer,
    learningRate: num('learningRate', optimizer === 'sgd' ? 0.01 : 0.001, (v) => v > 0, 'must be a positive number'),
    momentum: num('momentum', optimizer === 'sgd' ? 0.9 : 0, (v) => v >= 0 && v < 1, 'must be in [0, 1)'),
    schedule,
    decayRate: num('decayRate', schedule === 'step' ? 0.1 : 0.95, (v) => v > 0 && v <= 1, 'must be in (0, 1]'),
    decaySteps: int('decaySteps', 1, 1),
    loss,
    l2: num('l2', 0, (v) => v >= 0, 'must be ≥ 0'),
    earlyStoppingPatience: int('earlyStoppingPatience', 0, 0),
    validationSplit: num('validationSplit', 0.1, (v) => v >= 0 && v < 1, 'must be in [0, 1)'),
    standardize: settings.standardize ?? true,
    augment: { ...augment },
    seed: int('seed', 42, 0),
  };
}

/** The learning rate of a 0-based epoch under the schedule. */
export function learningRateAt(settings: ResolvedTrainingSettings, epoch: number): number {
  switch (settings.schedule) {
    case 'constant':
      return settings.learningRate;
    case 'exponential':
      return settings.learningRate * settings.decayRate ** epoch;
    case 'step':
      return settings.learningRate * settings.decayRate ** Math.floor(epoch / settings.decaySteps);
  }
}
