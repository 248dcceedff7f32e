import uPlot from 'uplot';
import type { AlignedData } from './chartData';

export interface SeriesStyle {
  label: string;
  /** A VS Code chart colour variable (e.g. --vscode-charts-blue) and a fallback. */
  color: string;
  dash?: number[];
  /** Draw points (for sparse per-epoch series). */
  points?: boolean;
}

const cssVar = (name: string, fallback: string): string => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

const FALLBACKS: Record<string, string> = {
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-yellow': '#cca700',
};

/**
 * A uPlot line chart themed with VS Code's colours, resized with its container. The element keeps
 * the uPlot instance so tests (and the panel) can read the plotted series.
 */
export class LineChart {
  readonly element: HTMLDivElement;
  private plot: uPlot | undefined;
  private data: AlignedData;
  private readonly observer: ResizeObserver;

  constructor(
    private readonly title: string,
    private readonly series: SeriesStyle[],
    testId: string,
    private readonly options: { yRange?: [number, number]; xLabel?: string; logY?: boolean; wholeX?: boolean } = {},
  ) {
    this.element = document.createElement('div');
    this.element.className = 'chart';
    this.element.dataset.testid = testId;
    this.data = [[], ...series.map(() => [])];
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(this.element);
  }

  /** The plotted data (x and each series), for tests and the chart's own redraws. */
  get plotted(): AlignedData {
    return this.data;
  }

  setData(data: AlignedData): void {
    this.data = data;
    this.element.dataset.points = String(data[0].length);
    if (this.plot) this.plot.setData(data as uPlot.AlignedData);
    else this.create();
  }

  private create(): void {
    const width = this.element.clientWidth;
    if (width === 0) return;
    const text = cssVar('--vscode-foreground', '#cccccc');
    const grid = cssVar('--vscode-editorWidget-border', '#454545');
    const axis: uPlot.Axis = { stroke: text, grid: { stroke: grid, width: 0.5 }, ticks: { stroke: grid, width: 0.5 } };
    const opts: uPlot.Options = {
      title: this.title,
      width,
      height: 220,
      scales: { x: { time: false }, y: this.options.yRange ? { range: this.options.yRange } : this.options.logY ? { distr: 3 } : {} },
      axes: [
        { ...axis, label: this.options.xLabel ?? 'epoch', ...(this.options.wholeX ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500] } : {}) },
        // Three significant digits: small learning rates would otherwise round to repeated labels.
        { ...axis, values: (_u: uPlot, splits: number[]) => splits.map((v) => (v === null || v === undefined ? '' : String(Number(v.toPrecision(3))))) },
      ],
      legend: { live: false },
      series: [
        { label: this.options.xLabel ?? 'epoch' },
        ...this.series.map((s) => ({
          label: s.label,
          stroke: cssVar(s.color, FALLBACKS[s.color] ?? '#888888'),
          width: 1.5,
          dash: s.dash,
          spanGaps: true,
          points: { show: s.points ?? false, size: 6 },
        })),
      ],
    };
    this.plot = new uPlot(opts, this.data as uPlot.AlignedData, this.element);
    (this.element as HTMLDivElement & { uplot?: uPlot }).uplot = this.plot;
  }

  private resize(): void {
    const width = this.element.clientWidth;
    if (width === 0) return;
    if (!this.plot) this.create();
    else if (Math.abs(this.plot.width - width) > 2) this.plot.setSize({ width, height: 220 });
  }

  dispose(): void {
    this.observer.disconnect();
    this.plot?.destroy();
  }
}
