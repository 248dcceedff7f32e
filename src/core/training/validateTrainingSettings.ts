import type { Diagnostic } from '../analysis/diagnostic';
import { closestName } from '../closestName';
import { describeDefault, settingDefault, settingValue, settingValueProblem, TRAINING_SETTING_GROUPS, TRAINING_SETTINGS, trainingSettingSpec, type TrainingSettingSpec } from './trainingSettingsSpec';

/** One problem of a `training` block, at a path inside the block (`["augment", "translate"]`). */
export interface TrainingSettingProblem {
  severity: 'error' | 'warning';
  code: 'invalid-training-setting' | 'unknown-training-setting' | 'ignored-training-setting';
  /** Path inside the `training` block. */
  path: string[];
  message: string;
  /** What to do about it, in words. */
  fixes: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: Record<string, unknown>, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);
const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

/** A value in range close to the one given, for a fix's title. */
function nearestAllowed(spec: TrainingSettingSpec, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (spec.kind === 'int') return String(Math.min(spec.max, Math.max(spec.min, Math.round(value))));
  if (spec.kind !== 'number') return undefined;
  if (spec.max !== undefined && value >= spec.max) return String(spec.maxExclusive ? Number((spec.max * 0.9).toPrecision(3)) : spec.max);
  if (value <= spec.min) return spec.minExclusive ? undefined : String(spec.min);
  return undefined;
}

/**
 * Every problem of a design's `training` block, checked against the training settings specification:
 * unknown keys, values of the wrong type or out of range (errors: no engine could honour them), and
 * settings the chosen optimizer or schedule ignores (warnings). Never throws, whatever the block holds.
 */
export function trainingSettingProblems(training: unknown): TrainingSettingProblem[] {
  const problems: TrainingSettingProblem[] = [];
  if (!isObject(training)) return problems; // The parser reports a block that is not an object.
  const groups: readonly string[] = TRAINING_SETTING_GROUPS;
  const check = (container: Record<string, unknown>, prefix: string): void => {
    const known = TRAINING_SETTINGS.filter((s) => (prefix ? s.key.startsWith(`${prefix}.`) : !s.key.includes('.'))).map((s) => (prefix ? s.key.slice(prefix.length + 1) : s.key));
    if (!prefix) known.push(...groups);
    for (const key of Object.keys(container)) {
      const path = prefix ? [prefix, key] : [key];
      const value = container[key];
      const name = path.join('.');
      if (!prefix && groups.includes(key)) {
        if (isObject(value)) check(value, key);
        else problems.push({ severity: 'error', code: 'invalid-training-setting', path, message: `training.${key} must be an object of settings, got ${shown(value)}.`, fixes: [`Remove training.${key}`] });
        continue;
      }
      const spec = trainingSettingSpec(name);
      if (!spec) {
        const guess = closestName(key, known);
        problems.push({
          severity: 'error',
          code: 'unknown-training-setting',
          path,
          message: `Unknown setting training.${name}${guess ? `: did you mean "${guess}"?` : '.'} Known: ${known.join(', ')}.`,
          fixes: guess ? [`Rename it to "${guess}"`, 'Remove it'] : ['Remove it'],
        });
        continue;
      }
      const problem = settingValueProblem(spec, value);
      if (problem) {
        const nearest = nearestAllowed(spec, value);
        problems.push({
          severity: 'error',
          code: 'invalid-training-setting',
          path,
          message: `training.${name} ${problem}, got ${shown(value)}.`,
          fixes: [...(nearest ? [`Use ${nearest}`] : []), `Remove it (the default is ${describeDefault(spec)})`],
        });
      }
    }
  };
  check(training, '');

  // Settings the chosen optimizer or schedule does not use: both engines ignore them, so say so.
  const chosen = (key: string): unknown => settingValue(training, key) ?? settingDefault(trainingSettingSpec(key)!, training);
  const ignored = (key: string, why: string): void => {
    if (settingValue(training, key) === undefined || problems.some((p) => p.path.join('.') === key)) return;
    problems.push({ severity: 'warning', code: 'ignored-training-setting', path: key.split('.'), message: `training.${key} is ignored: ${why}.`, fixes: ['Remove it'] });
  };
  if (chosen('optimizer') === 'adam' && settingValue(training, 'momentum') !== 0) ignored('momentum', 'Adam has no momentum setting (its betas are fixed at 0.9 and 0.999)');
  if (chosen('schedule') === 'constant') ignored('decayRate', 'the learning-rate schedule is constant');
  if (chosen('schedule') !== 'step') ignored('decaySteps', 'only the step schedule decays every N epochs');
  return problems;
}

/** The problems of a design's `training` block as located diagnostics of the analysis. */
export function validateTrainingSettings(training: unknown): Diagnostic[] {
  return trainingSettingProblems(training).map((p) => ({
    severity: p.severity,
    code: p.code,
    message: p.message,
    path: ['training', ...p.path],
    fixes: p.fixes.map((title) => ({ title })),
  }));
}
