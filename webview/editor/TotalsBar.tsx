import { memo, useState } from 'react';
import type { DesignTotals } from '../../src/core/analysis/analyzeDesign';
import { formatBytes, formatCount, formatShort } from '../../src/core/summary/formatNumber';
import type { Budgets, HeatmapMode } from './vscodeApi';

interface TotalsBarProps {
  totals: DesignTotals;
  errors: number;
  warnings: number;
  budgets: Budgets;
  onBudgets: (budgets: Budgets) => void;
  heatmap: HeatmapMode;
  onHeatmap: (mode: HeatmapMode) => void;
  /** The design's input shape, and the what-if one when set. */
  inputShape?: number[];
  whatIfShape?: number[];
  onWhatIf: (shape: number[] | undefined) => void;
}

function Gauge({ label, value, max, testId }: { label: string; value: number; max?: number; testId: string }) {
  if (!max) return null;
  const share = value / max;
  return (
    <span className={`cnn-gauge${share > 1 ? ' over' : ''}`} data-testid={testId} data-share={share.toFixed(4)} title={`${label}: ${Math.round(share * 100)}% of the budget`}>
      <span className="cnn-gauge-fill" style={{ width: `${Math.min(100, share * 100)}%` }} />
      <span className="cnn-gauge-text">{Math.round(share * 100)}%</span>
    </span>
  );
}

const parseBudget = (text: string): number | undefined => {
  const m = /^\s*([\d.]+)\s*([kmg]?)\s*$/i.exec(text);
  if (!m) return undefined;
  const scale = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Number(m[1]) * scale;
  return Number.isFinite(n) && n > 0 ? n : undefined;
};

/** Totals of the whole model, budgets as gauges, the heat-map switch and the what-if input size. */
export const TotalsBar = memo(function TotalsBar(p: TotalsBarProps) {
  const { totals, budgets } = p;
  const [editingBudgets, setEditingBudgets] = useState(false);
  const [whatIfText, setWhatIfText] = useState(p.whatIfShape?.join(', ') ?? '');
  const memory = totals.weightBytes + totals.activationBytes;
  const applyWhatIf = (): void => {
    const parts = whatIfText.split(/\s*(?:,|×|x|\s)\s*/i).filter(Boolean).map(Number);
    if (parts.length === 0) p.onWhatIf(undefined);
    else if (parts.every((n) => Number.isInteger(n) && n >= 1 && n <= 100_000) && (!p.inputShape || parts.length === p.inputShape.length)) p.onWhatIf(parts);
  };
  return (
    <footer className="cnn-totals" data-testid="totals-bar">
      <span title={`${totals.params.toLocaleString('en-US')} parameters`}>
        Params <strong data-testid="total-params" data-value={totals.params}>{formatCount(totals.params)}</strong>
        <Gauge label="Parameters" value={totals.params} max={budgets.maxParams} testId="gauge-params" />
      </span>
      <span>
        Trainable <strong data-testid="total-trainable" data-value={totals.trainableParams}>{formatCount(totals.trainableParams)}</strong>
      </span>
      <span>
        Non-trainable <strong data-testid="total-nontrainable" data-value={totals.nonTrainableParams}>{formatCount(totals.nonTrainableParams)}</strong>
      </span>
      <span>
        MACs <strong data-testid="total-macs" data-value={totals.macs}>{formatShort(totals.macs)}</strong>
        <Gauge label="MACs" value={totals.macs} max={budgets.maxMacs} testId="gauge-macs" />
      </span>
      <span>
        Weights <strong data-testid="total-weights">{formatBytes(totals.weightBytes)}</strong>
      </span>
      <span>
        Activations <strong data-testid="total-activations">{formatBytes(totals.activationBytes)}</strong>
        <Gauge label="Memory" value={memory} max={budgets.maxMemoryBytes} testId="gauge-memory" />
      </span>
      <span>
        RF <strong data-testid="total-receptive-field">{totals.receptiveField ? totals.receptiveField.join('×') : '–'}</strong>
      </span>
      <span data-testid="problem-count" data-errors={p.errors} data-warnings={p.warnings} className={p.errors ? 'has-errors' : undefined}>
        {p.errors} errors, {p.warnings} warnings
      </span>
      <span className="cnn-spacer" />
      <label>
        Heat-map{' '}
        <select className="cnn-input" data-testid="heatmap-mode" value={p.heatmap} onChange={(e) => p.onHeatmap(e.target.value as HeatmapMode)}>
          <option value="off">off</option>
          <option value="params">params</option>
          <option value="macs">MACs</option>
        </select>
      </label>
      <label title="Analyze the design for another input size without changing the file">
        What-if input{' '}
        <input
          className={`cnn-input cnn-whatif${p.whatIfShape ? ' active' : ''}`}
          data-testid="whatif-input"
          placeholder={p.inputShape?.join(', ') ?? ''}
          value={whatIfText}
          onChange={(e) => setWhatIfText(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && applyWhatIf()}
          onBlur={applyWhatIf}
        />
      </label>
      {p.whatIfShape && (
        <button
          type="button"
          className="cnn-button secondary"
          data-testid="whatif-reset"
          onClick={() => {
            setWhatIfText('');
            p.onWhatIf(undefined);
          }}
        >
          Reset
        </button>
      )}
      <button type="button" className="cnn-button secondary" data-testid="budgets-toggle" onClick={() => setEditingBudgets((v) => !v)}>
        Budgets
      </button>
      {editingBudgets && (
        <span className="cnn-budgets" data-testid="budgets">
          {(
            [
              ['maxParams', 'Max params', 'budget-params'],
              ['maxMacs', 'Max MACs', 'budget-macs'],
              ['maxMemoryBytes', 'Max memory (bytes)', 'budget-memory'],
            ] as const
          ).map(([key, label, testId]) => (
            <label key={key}>
              {label}{' '}
              <input
                className="cnn-input"
                data-testid={testId}
                placeholder="e.g. 1M"
                defaultValue={budgets[key] ? formatShort(budgets[key]!) : ''}
                onBlur={(e) => p.onBudgets({ ...budgets, [key]: parseBudget(e.target.value) })}
                onKeyDown={(e) => e.key === 'Enter' && p.onBudgets({ ...budgets, [key]: parseBudget(e.currentTarget.value) })}
              />
            </label>
          ))}
        </span>
      )}
    </footer>
  );
});
