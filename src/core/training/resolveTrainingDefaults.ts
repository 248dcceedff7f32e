import { settingDefault, settingValue, TRAINING_SETTINGS, type ResolvedTrainingSettings, type TrainingSettings } from './trainingSettingsSpec';

/**
 * A `training` block with every absent setting replaced by its default, from the specification (a
 * dependent default, like the learning rate, follows the setting it depends on). The block must be
 * valid (see trainingSettingProblems); paths are kept as written.
 */
export function resolveTrainingDefaults(training: TrainingSettings): ResolvedTrainingSettings {
  const out: Record<string, unknown> = {};
  for (const spec of TRAINING_SETTINGS) {
    const value = settingValue(training, spec.key) ?? settingDefault(spec, training);
    if (value === undefined) continue;
    const [head, tail] = spec.key.split('.');
    if (tail === undefined) out[head] = value;
    else out[head] = { ...(out[head] as Record<string, unknown> | undefined), [tail]: value };
  }
  return out as ResolvedTrainingSettings;
}
