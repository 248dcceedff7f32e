import type { TrainingSettings } from '../../src/protocol/trainingPanelProtocol';
import { describeDefault, settingValue, settingValueProblem, TRAINING_SETTINGS, type TrainingSettingSpec } from '../../src/core/training/trainingSettingsSpec';
import { trainingSettingProblems } from '../../src/core/training/validateTrainingSettings';
import { h } from './dom';

const SETTINGS: readonly TrainingSettingSpec[] = TRAINING_SETTINGS;

/** The text a field shows for an absent value: the default, in words. */
const placeholderOf = (spec: TrainingSettingSpec): string => (spec.kind === 'path' ? 'none (optional)' : describeDefault(spec));

/**
 * The settings form: one field per setting of the training settings specification, showing the
 * design's `training` block and reading it back. An empty field (or a switch left at its default)
 * means the default, and is left out of the block. A value that does not parse or is out of range is
 * reported on its field and blocks saving and training; a setting the optimizer or schedule ignores
 * is pointed out on its field.
 */
export class SettingsForm {
  readonly element: HTMLFormElement;
  private readonly inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();

  constructor(onSubmit: (action: 'save' | 'train') => void) {
    this.element = h('form', { className: 'settings', 'data-testid': 'training-settings' });
    this.element.addEventListener('submit', (e) => {
      e.preventDefault();
      onSubmit('train');
    });
    this.onSave = () => onSubmit('save');
  }

  private readonly onSave: () => void;

  render(settings: TrainingSettings): void {
    this.inputs.clear();
    const rows = SETTINGS.map((spec) => {
      const value = settingValue(settings, spec.key);
      let input: HTMLInputElement | HTMLSelectElement;
      if (spec.kind === 'bool') {
        input = h('input', { type: 'checkbox', checked: typeof value === 'boolean' ? value : spec.default });
      } else if (spec.kind === 'enum') {
        input = h('select', {}, h('option', { value: '' }, `(default: ${describeDefault(spec)})`), ...spec.options.map((o) => h('option', { value: o }, o)));
        input.value = typeof value === 'string' && spec.options.includes(value) ? value : '';
      } else {
        input = h('input', { type: 'text', value: value === undefined ? '' : String(value), placeholder: placeholderOf(spec), spellcheck: 'false' });
      }
      input.name = spec.key;
      input.dataset.testid = `setting-${spec.key}`;
      this.inputs.set(spec.key, input);
      return h('label', { className: 'field', title: spec.doc }, h('span', {}, spec.label), input, h('span', { className: 'field-error' }));
    });
    const buttons = h(
      'div',
      { className: 'buttons' },
      h('button', { type: 'button', className: 'secondary', 'data-testid': 'settings-save', onclick: () => this.onSave() }, 'Save to design'),
      h('button', { type: 'submit', 'data-testid': 'training-start' }, 'Train'),
    );
    this.element.replaceChildren(h('div', { className: 'fields' }, ...rows), buttons);
  }

  private messageOf(key: string): HTMLElement | null | undefined {
    return this.inputs.get(key)?.parentElement?.querySelector<HTMLElement>('.field-error');
  }

  /** The settings as the form holds them, or undefined (with the faulty fields marked) when one does not parse or is out of range. */
  read(): TrainingSettings | undefined {
    const out: Record<string, unknown> = {};
    let ok = true;
    for (const spec of SETTINGS) {
      const input = this.inputs.get(spec.key);
      if (!input) continue;
      const error = this.messageOf(spec.key);
      if (error) error.textContent = '';
      let value: unknown;
      if (spec.kind === 'bool') {
        value = (input as HTMLInputElement).checked;
        if (value === spec.default) continue;
      } else {
        const text = input.value.trim();
        if (text === '') continue;
        if (spec.kind === 'int' || spec.kind === 'number') {
          const n = Number(text);
          if (!Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n))) {
            if (error) error.textContent = spec.kind === 'int' ? 'a whole number' : 'a number';
            ok = false;
            continue;
          }
          value = n;
        } else value = text;
      }
      const problem = settingValueProblem(spec, value);
      if (problem) {
        if (error) error.textContent = problem;
        ok = false;
        continue;
      }
      const [head, tail] = spec.key.split('.');
      if (tail === undefined) out[head] = value;
      else out[head] = { ...(out[head] as Record<string, unknown> | undefined), [tail]: value };
    }
    if (!ok) return undefined;
    // What the analysis would warn about (a setting the optimizer or schedule ignores) shows on its field.
    for (const p of trainingSettingProblems(out)) {
      const error = this.messageOf(p.path.join('.'));
      if (error) error.textContent = p.message.replace(/^training\.\S+ /, '');
    }
    return out as TrainingSettings;
  }

  /** A field's text (an enum's option, '' for its default). */
  value(key: string): string | undefined {
    return this.inputs.get(key)?.value;
  }

  /** Sets a field as if the user had (another control of the panel chose it). */
  setValue(key: string, value: string): void {
    const input = this.inputs.get(key);
    if (input) input.value = value;
  }

  setDisabled(disabled: boolean): void {
    for (const input of this.inputs.values()) input.disabled = disabled;
    const train = this.element.querySelector<HTMLButtonElement>('[data-testid="training-start"]');
    if (train) train.disabled = disabled;
  }
}
