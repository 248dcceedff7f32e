import { describeDefault, describeRange, TRAINING_SETTINGS, type TrainingSettingSpec } from '../training/trainingSettingsSpec';

const ENGINE_NAMES = { tfjs: 'trainer', pytorch: '`train.py`' } as const;

/** The training settings table of docs/format.md, generated from the specification so it cannot drift. */
export function trainingSettingsMarkdown(): string {
  const settings: readonly TrainingSettingSpec[] = TRAINING_SETTINGS;
  const lines = ['| setting | value | default | flag | used by | meaning |', '|---|---|---|---|---|---|'];
  for (const s of settings) {
    const value = describeRange(s).replace(/^(a|an|one of) /, '');
    lines.push(`| \`${s.key}\` | ${value} | ${s.default === undefined ? '' : describeDefault(s)} | \`--${s.flag}\` | ${s.engines.map((e) => ENGINE_NAMES[e]).join(', ')} | ${s.doc.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}
