import type { RunSummary, TrainingPanelToHostMessage } from '../../src/protocol/trainingPanelProtocol';
import { overlayData } from './chartData';
import { h, percent } from './dom';
import { LineChart } from './lineChart';

const seconds = (v: number | undefined): string => (v === undefined ? '–' : v < 60 ? `${v.toFixed(1)} s` : `${Math.floor(v / 60)} min ${Math.round(v % 60)} s`);

/**
 * The design's run history: one row per run folder, two selected runs' curves overlaid, and the
 * table exported as Markdown or CSV for a report.
 */
export class HistoryView {
  readonly element = h('div', { className: 'history', 'data-testid': 'runs-history' });
  private runs: RunSummary[] = [];
  private selected: string[] = [];
  private readonly accuracyOverlay = new LineChart('Accuracy: two runs', [
    { label: 'A train', color: '--vscode-charts-blue', points: true },
    { label: 'A validation', color: '--vscode-charts-blue', dash: [6, 4], points: true },
    { label: 'B train', color: '--vscode-charts-orange', points: true },
    { label: 'B validation', color: '--vscode-charts-orange', dash: [6, 4], points: true },
  ], 'runs-overlay-accuracy', { yRange: [0, 1], wholeX: true });
  private readonly lossOverlay = new LineChart('Loss: two runs', [
    { label: 'A train', color: '--vscode-charts-blue', points: true },
    { label: 'A validation', color: '--vscode-charts-blue', dash: [6, 4], points: true },
    { label: 'B train', color: '--vscode-charts-orange', points: true },
    { label: 'B validation', color: '--vscode-charts-orange', dash: [6, 4], points: true },
  ], 'runs-overlay-loss', { wholeX: true });
  private readonly overlay = h('div', { className: 'overlay', 'data-testid': 'runs-overlay' });

  constructor(private readonly post: (message: TrainingPanelToHostMessage) => void) {}

  setRuns(runs: RunSummary[]): void {
    this.runs = runs;
    this.selected = this.selected.filter((name) => runs.some((r) => r.name === name));
    this.render();
  }

  private toggle(name: string, on: boolean): void {
    this.selected = this.selected.filter((n) => n !== name);
    if (on) this.selected.push(name);
    // Two runs are compared: selecting a third drops the oldest selection.
    if (this.selected.length > 2) this.selected.shift();
    this.render();
  }

  private render(): void {
    const rows = [...this.runs].reverse().map((r) =>
      h(
        'tr',
        { 'data-run': r.name, className: this.selected.includes(r.name) ? 'selected' : '' },
        h('td', {}, h('input', { type: 'checkbox', checked: this.selected.includes(r.name), 'aria-label': `compare ${r.name}`, 'data-testid': 'run-select', onchange: (e) => this.toggle(r.name, (e.target as HTMLInputElement).checked) })),
        h('td', { title: r.startedAt }, r.name),
        h('td', { title: r.architecture }, `${r.layers} layers, ${r.parameters.toLocaleString('en-US')} params`),
        h('td', {}, `${r.dataset}, ${r.curves.length}/${r.epochsPlanned} ep${r.maxBatchesPerEpoch ? ` (max ${r.maxBatchesPerEpoch} batches)` : ''}, bs ${r.batchSize}, ${r.optimizer} ${r.learningRate}${r.schedule === 'constant' ? '' : ` ${r.schedule}`}${r.augmentation === 'none' ? '' : `, ${r.augmentation}`}`),
        h('td', { className: 'num', 'data-testid': 'run-train-accuracy' }, percent(r.trainAccuracy)),
        h('td', { className: 'num' }, percent(r.validationAccuracy)),
        h('td', { className: 'num', 'data-testid': 'run-test-accuracy' }, percent(r.testAccuracy)),
        h('td', { className: 'num' }, seconds(r.seconds)),
        h('td', {}, r.backend),
        h('td', {}, r.status),
        h(
          'td',
          { className: 'actions' },
          h('button', { type: 'button', className: 'link', title: 'Show this run\'s results', onclick: () => this.post({ type: 'openRun', name: r.name }) }, 'Results'),
          h('button', { type: 'button', className: 'link', title: 'Open the run folder', onclick: () => this.post({ type: 'revealRun', name: r.name }) }, 'Folder'),
          h(
            'button',
            { type: 'button', className: 'link', title: 'Export the design as this run trained it as a PyTorch module, with the trained weights (into the run folder)', 'data-testid': 'run-export-pytorch', onclick: () => this.post({ type: 'exportRunForPyTorch', name: r.name }) },
            'PyTorch',
          ),
          h('button', { type: 'button', className: 'link danger', title: 'Delete the run folder', 'data-testid': 'run-delete', onclick: () => this.post({ type: 'deleteRun', name: r.name }) }, 'Delete'),
        ),
      ),
    );
    const table = h(
      'table',
      { className: 'runs', 'data-testid': 'runs-table' },
      h('thead', {}, h('tr', {}, ...['', 'Run', 'Architecture', 'Hyperparameters', 'Train acc.', 'Val. acc.', 'Test acc.', 'Time', 'Backend', 'Status', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, ...rows),
    );
    const names = () => (this.selected.length ? this.selected : this.runs.map((r) => r.name));
    const toolbar = h(
      'div',
      { className: 'buttons' },
      h('button', { type: 'button', className: 'secondary', 'data-testid': 'runs-export-markdown', onclick: () => this.post({ type: 'exportRuns', format: 'markdown', names: names() }) }, 'Export Markdown'),
      h('button', { type: 'button', className: 'secondary', 'data-testid': 'runs-export-csv', onclick: () => this.post({ type: 'exportRuns', format: 'csv', names: names() }) }, 'Export CSV'),
      h('button', { type: 'button', className: 'secondary', onclick: () => this.post({ type: 'refreshRuns' }) }, 'Refresh'),
    );
    const [a, b] = this.selected.map((n) => this.runs.find((r) => r.name === n)).filter((r): r is RunSummary => r !== undefined);
    this.overlay.replaceChildren();
    if (a && b) {
      this.overlay.append(h('div', { className: 'caption' }, `A: ${a.name} (${a.architecture})  ·  B: ${b.name} (${b.architecture})`), this.accuracyOverlay.element, this.lossOverlay.element);
      this.accuracyOverlay.setData(overlayData(a, b, 'accuracy'));
      this.lossOverlay.setData(overlayData(a, b, 'loss'));
    } else {
      this.overlay.append(h('p', { className: 'hint' }, this.runs.length < 2 ? 'Train the design twice (e.g. after changing the architecture) to compare runs.' : 'Select two runs to overlay their curves.'));
    }
    this.element.replaceChildren(
      this.runs.length ? table : h('p', { className: 'hint' }, 'No runs yet: runs are saved in the folder next to the design.'),
      toolbar,
      this.overlay,
    );
  }
}
