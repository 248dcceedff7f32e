import { isAbsolute, resolve } from 'node:path';
import type { TrainingSettings } from '../../core/design';
import { resolveTrainingDefaults } from '../../core/training/resolveTrainingDefaults';
import type { ResolvedTrainingSettings } from '../../core/training/trainingSettingsSpec';
import { trainingSettingProblems } from '../../core/training/validateTrainingSettings';

export type { ResolvedTrainingSettings };

/**
 * The settings a run trains with: the design's `training` block (with any CLI overrides) with every
 * default filled in from the training settings specification, and a relative `datasetPath` taken
 * from the design file's folder (`designFolder`; the current directory when there is no file).
 * The analysis reports invalid settings before a run starts; this check is the last line of defence
 * for callers that skip it, and names the offending `training.<field>`.
 */
export function resolveTrainingSettings(settings: TrainingSettings, designFolder?: string): ResolvedTrainingSettings {
  const errors = trainingSettingProblems(settings).filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((p) => p.message).join(' '));
  const resolved = resolveTrainingDefaults(settings);
  if (resolved.datasetPath !== undefined && !isAbsolute(resolved.datasetPath)) resolved.datasetPath = resolve(designFolder ?? '.', resolved.datasetPath);
  return resolved;
}

/** The learning rate of a 0-based epoch under the schedule (PyTorch's ExponentialLR and StepLR). */
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
