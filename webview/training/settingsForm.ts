import type { TrainingSettings } from '../../src/protocol/trainingPanelProtocol';
import { h } from './dom';

type FieldKind = 'int' | 'float' | 'text' | 'bool';

interface Field {
  key: string;
  label: string;
  kind: FieldKind;
  /** Choices for a select ('' = the trainer's default). */
  options?: string[];
  placeholder?: string;
  hint?: string;
}

const FIELDS = (datasets: string[], backends: string[]): Field[] => [
  { key: 'dataset', label: 'Dataset', kind: 'text', options: datasets, hint: 'mnist-sample is built in; the others are downloaded once or read from the dataset path' },
  { key: 'datasetPath', label: 'Dataset path', kind: 'text', placeholder: 'local files (optional)' },
  { key: 'epochs', label: 'Epochs', kind: 'int', placeholder: '3' },
  { key: 'batchSize', label: 'Batch size', kind: 'int', placeholder: '64' },
  { key: 'optimizer', label: 'Optimizer', kind: 'text', options: ['sgd', 'adam', 'rmsprop'] },
  { key: 'learningRate', label: 'Learning rate', kind: 'float', placeholder: '0.001 (adam) / 0.01 (sgd)' },
  { key: 'momentum', label: 'Momentum', kind: 'float', placeholder: '0.9 (sgd)' },
  { key: 'schedule', label: 'LR schedule', kind: 'text', options: ['constant', 'exponential', 'step'] },
  { key: 'decayRate', label: 'Decay rate', kind: 'float', placeholder: '0.95 / 0.1 (step)' },
  { key: 'decaySteps', label: 'Decay every (epochs)', kind: 'int', placeholder: '1' },
  { key: 'validationSplit', label: 'Validation split', kind: 'float', placeholder: '0.1' },
  { key: 'standardize', label: 'Standardize inputs', kind: 'bool' },
  { key: 'augment.horizontalFlip', label: 'Augment: horizontal flip', kind: 'bool' },
  { key: 'augment.translate', label: 'Augment: translate (fraction)', kind: 'float', placeholder: '0' },
  { key: 'augment.cropPadding', label: 'Augment: crop padding (px)', kind: 'int', placeholder: '0' },
  { key: 'backend', label: 'Backend', kind: 'text', options: backends, hint: 'auto: native GPU, native CPU, WASM, then JS, first that works' },
  { key: 'seed', label: 'Seed', kind: 'int', placeholder: '42' },
];

const read = (settings: TrainingSettings, key: string): unknown => {
  if (!key.startsWith('augment.')) return settings[key];
  return (settings.augment as Record<string, unknown> | undefined)?.[key.slice('augment.'.length)];
};

/**
 * The settings form: shows the design's `training` block and reads it back. An empty field means the
 * trainer's default, and is left out of the block; a value that does not parse is reported on the field.
 */
export class SettingsForm {
  readonly element: HTMLFormElement;
  private readonly inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  private fields: Field[] = [];

  constructor(onSubmit: (action: 'save' | 'train') => void) {
    this.element = h('form', { className: 'settings', 'data-testid': 'training-settings' });
    this.element.addEventListener('submit', (e) => {
      e.preventDefault();
      onSubmit('train');
    });
    this.onSave = () => onSubmit('save');
  }

  private readonly onSave: () => void;

  render(settings: TrainingSettings, datasets: string[], backends: string[]): void {
    this.fields = FIELDS(datasets, backends);
    this.inputs.clear();
    const rows = this.fields.map((f) => {
      const value = read(settings, f.key);
      let input: HTMLInputElement | HTMLSelectElement;
      if (f.kind === 'bool') {
        // Standardization defaults on; the other switches off.
        input = h('input', { type: 'checkbox', checked: value === undefined ? f.key === 'standardize' : value === true });
      } else if (f.options) {
        input = h('select', {}, h('option', { value: '' }, '(default)'), ...f.options.map((o) => h('option', { value: o }, o)));
        input.value = typeof value === 'string' && f.options.includes(value) ? value : '';
      } else {
        input = h('input', { type: 'text', value: value === undefined ? '' : String(value), placeholder: f.placeholder ?? '', spellcheck: 'false' });
      }
      input.name = f.key;
      input.dataset.testid = `setting-${f.key}`;
      this.inputs.set(f.key, input);
      return h('label', { className: 'field', title: f.hint }, h('span', {}, f.label), input, h('span', { className: 'field-error' }));
    });
    const buttons = h(
      'div',
      { className: 'buttons' },
      h('button', { type: 'button', className: 'secondary', 'data-testid': 'settings-save', onclick: () => this.onSave() }, 'Save to design'),
      h('button', { type: 'submit', 'data-testid': 'training-start' }, 'Train'),
    );
    this.element.replaceChildren(h('div', { className: 'fields' }, ...rows), buttons);
  }

  /** The settings as the form holds them, or undefined (with the faulty fields marked) when one does not parse. */
  read(): TrainingSettings | undefined {
    const out: TrainingSettings = {};
    const augment: Record<string, unknown> = {};
    let ok = true;
    for (const f of this.fields) {
      const input = this.inputs.get(f.key);
      if (!input) continue;
      const error = input.parentElement?.querySelector('.field-error');
      if (error) error.textContent = '';
      let value: unknown;
      if (f.kind === 'bool') value = (input as HTMLInputElement).checked;
      else {
        const text = input.value.trim();
        if (text === '') continue;
        if (f.kind === 'text') value = text;
        else {
          const n = Number(text);
          if (!Number.isFinite(n) || (f.kind === 'int' && !Number.isInteger(n))) {
            if (error) error.textContent = f.kind === 'int' ? 'a whole number' : 'a number';
            ok = false;
            continue;
          }
          value = n;
        }
      }
      if (f.key.startsWith('augment.')) {
        if (value !== false && value !== 0) augment[f.key.slice('augment.'.length)] = value;
      } else if (!(f.key === 'standardize' && value === true)) out[f.key] = value;
    }
    if (Object.keys(augment).length) out.augment = augment as TrainingSettings['augment'];
    return ok ? out : undefined;
  }

  setDisabled(disabled: boolean): void {
    for (const input of this.inputs.values()) input.disabled = disabled;
    const train = this.element.querySelector<HTMLButtonElement>('[data-testid="training-start"]');
    if (train) train.disabled = disabled;
  }
}
