import type { EnginesView, PyTorchOptions } from '../../src/protocol/trainingPanelProtocol';
import { engineChoiceProblems, effectiveEngine, type EngineChoiceProblem } from '../../src/training/engine/engineChoiceProblems';
import { ENGINE_LABELS, engineRows } from '../../src/training/engine/engineRows';
import { MAX_PYTORCH_PROCESSES, TORCH_DEVICES, type TorchDevice } from '../../src/training/pytorch/torchDevices';
import { h } from './dom';

export interface EngineSectionActions {
  /** An engine was picked: it becomes the design's `backend` setting ('auto': the automatic choice). */
  chooseBackend(backend: string): void;
  /** The PyTorch device or GPU count was changed (machine settings, written by the host). */
  setPyTorchOptions(options: PyTorchOptions): void;
  /** Probe the engines again. */
  refresh(): void;
}

/**
 * The training panel's engine section: every engine with whether it trains here and why not, a
 * choice among them (the design's backend setting), PyTorch's device and GPU count, and what is
 * wrong with the choice before a run starts.
 */
export class EngineSection {
  readonly element: HTMLDetailsElement;
  private readonly body = h('div', { className: 'engines-body' });
  private view: EnginesView | undefined;
  private probing = false;
  private backend: string | undefined;
  private disabled = false;
  private note = '';

  constructor(private readonly actions: EngineSectionActions) {
    this.element = h('details', { className: 'settings-section engine-section', open: true, 'data-testid': 'engine-section' }, h('summary', {}, 'Training engine'), this.body);
    this.render();
  }

  /** A probe is under way (the list shown so far stays until its answer). */
  setProbing(): void {
    this.probing = true;
    this.note = '';
    this.render();
  }

  setView(view: EnginesView): void {
    this.view = view;
    this.probing = false;
    this.render();
  }

  /** The PyTorch options the host now holds, and why the panel's were not written, if they were not. */
  setPyTorchOptions(options: PyTorchOptions, reason?: string): void {
    if (this.view) this.view = { ...this.view, pytorch: options };
    this.note = reason ?? '';
    this.render();
  }

  /** The design's backend setting as the form holds it (undefined: auto). */
  setBackend(backend: string | undefined): void {
    if ((backend || undefined) === this.backend) return;
    this.backend = backend || undefined;
    this.render();
  }

  /** Called on every header refresh (several times a second while a run goes): redraws only on a change, so an open select stays open. */
  setDisabled(disabled: boolean): void {
    if (disabled === this.disabled) return;
    this.disabled = disabled;
    this.render();
  }

  /** What is wrong with the current choice on this machine (nothing before the list has come). */
  problems(): EngineChoiceProblem[] {
    const view = this.view;
    if (!view?.engines) return [];
    return engineChoiceProblems(view.engines, { backend: this.backend, forcedBackend: view.forcedBackend, ...view.pytorch });
  }

  private render(): void {
    const view = this.view;
    const status = this.probing
      ? 'Probing the engines (each one is started and given one training step)…'
      : view?.error
        ? `No engine list: ${view.error}`
        : view?.probedAt
          ? `Probed at ${new Date(view.probedAt).toLocaleTimeString()}.`
          : 'Probing the engines…';
    const refresh = h('button', { type: 'button', className: 'secondary', 'data-testid': 'engines-refresh', onclick: () => this.actions.refresh() }, 'Refresh');
    refresh.disabled = this.probing;
    const parts: HTMLElement[] = [h('div', { className: 'hint engine-status', 'data-testid': 'engines-status', role: 'status' }, status, ' ', refresh)];
    if (view?.forcedBackend) parts.push(h('div', { className: 'banner warning' }, `This machine's cnnDesigner.training.backend setting trains with ${view.forcedBackend}, whatever the design chooses.`));
    if (view?.engines) parts.push(this.table(view), this.pytorchOptions(view));
    const problems = this.problems();
    parts.push(
      h(
        'ul',
        { className: 'engine-problems', 'data-testid': 'engine-problems' },
        ...problems.map((p) => h('li', { className: p.severity === 'error' ? 'error-text' : 'warning-text', 'data-severity': p.severity }, p.message)),
      ),
    );
    if (this.note) parts.push(h('div', { className: 'error-text', 'data-testid': 'engine-note' }, this.note));
    this.body.replaceChildren(...parts);
  }

  private radio(value: string): HTMLInputElement {
    const radio = h('input', { type: 'radio', name: 'engine', value, 'data-testid': `engine-choice-${value}`, checked: (this.backend ?? 'auto') === value });
    radio.disabled = this.disabled;
    radio.addEventListener('change', () => radio.checked && this.actions.chooseBackend(value));
    return radio;
  }

  private table(view: EnginesView): HTMLElement {
    const rows = engineRows(view.engines ?? []);
    const automatic = rows.find((r) => r.automatic);
    const autoRow = h(
      'tr',
      { 'data-testid': 'engine-row-auto', 'data-available': String(automatic !== undefined) },
      h('td', {}, h('label', {}, this.radio('auto'), ' Automatic')),
      h('td', {}, automatic ? `uses ${automatic.label}` : 'none available'),
      h('td', {}, 'The first that works: PyTorch when it has a GPU, then tfjs-node-gpu, tfjs-node, WebGPU, WASM, CPU.'),
    );
    const engineRowsHtml = rows.map((row) =>
      h(
        'tr',
        { 'data-testid': `engine-row-${row.engine}`, 'data-available': String(row.available), className: row.available ? '' : 'unavailable' },
        h('td', {}, h('label', {}, this.radio(row.engine), ` ${row.label}`)),
        h('td', { className: row.available ? '' : 'hint' }, row.status),
        h('td', { className: 'engine-details' }, ...row.details.map((line) => h('div', {}, line))),
      ),
    );
    return h('table', { className: 'engines', 'data-testid': 'engine-list' }, h('thead', {}, h('tr', {}, h('th', {}, 'Engine'), h('th', {}, 'Here'), h('th', {}, 'Details'))), h('tbody', {}, autoRow, ...engineRowsHtml));
  }

  /** PyTorch's device, and its GPU count when PyTorch sees several CUDA GPUs (or more were asked for than it sees). */
  private pytorchOptions(view: EnginesView): HTMLElement {
    const torch = view.engines?.find((e) => e.engine === 'pytorch')?.pytorch;
    const options = view.pytorch;
    const device = h('select', { 'data-testid': 'engine-device' }, ...TORCH_DEVICES.map((d) => h('option', { value: d }, d)));
    device.value = options.device;
    device.disabled = this.disabled;
    device.addEventListener('change', () => this.actions.setPyTorchOptions({ ...options, device: device.value as TorchDevice }));
    const gpus = torch?.cudaDevices.length ?? 0;
    const fields: HTMLElement[] = [h('label', { className: 'field', title: 'auto: cuda when PyTorch sees a CUDA GPU, else mps, else the CPU' }, h('span', {}, 'PyTorch device'), device)];
    if (gpus > 1 || options.processes > 1) {
      const most = Math.min(MAX_PYTORCH_PROCESSES, Math.max(gpus, options.processes));
      const count = h('select', { 'data-testid': 'engine-gpus' }, ...Array.from({ length: most }, (_, i) => h('option', { value: i + 1 }, i + 1 > gpus ? `${i + 1} (PyTorch sees ${gpus})` : String(i + 1))));
      count.value = String(options.processes);
      count.disabled = this.disabled;
      count.addEventListener('change', () => this.actions.setPyTorchOptions({ ...options, processes: Number(count.value) }));
      fields.push(h('label', { className: 'field', title: 'Above 1, the run is launched with torchrun: one data-parallel process per GPU' }, h('span', {}, 'GPUs (data-parallel processes)'), count));
    }
    const engine = effectiveEngine(view.engines ?? [], { backend: this.backend, forcedBackend: view.forcedBackend });
    const applies = engine === 'pytorch' ? 'used by this run' : `used when PyTorch trains (this run: ${engine ? ENGINE_LABELS[engine] : 'no engine'})`;
    return h('div', { className: 'engine-options', 'data-testid': 'engine-pytorch-options' }, h('div', { className: 'fields' }, ...fields), h('div', { className: 'hint' }, `PyTorch options are this machine's settings, ${applies}.`));
  }
}
