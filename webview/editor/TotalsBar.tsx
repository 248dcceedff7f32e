import { memo, useState } from 'react';
import type { DesignTotals } from '../../src/core/analysis/analyzeDesign';
import { formatBytes, formatCount, formatShort } from '../../src/core/summary/formatNumber';
import { VscodeButton, VscodeOption, VscodeSingleSelect, VscodeTextfield, selectedOf, textOf } from './controls';
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

/** One budget, committed on Enter or when the field is left; the text stays as typed, like an uncontrolled field. */
function BudgetField({ testId, initial, onCommit }: { testId: string; initial: string; onCommit: (text: string) => void }) {
  const [text, setText] = useState(initial);
  return (
    <VscodeTextfield
      className="cnn-input"
      data-testid={testId}
      placeholder="e.g. 1M"
      value={text}
      onInput={(e) => setText(textOf(e))}
      onBlur={() => onCommit(text)}
      onKeyDown={(e) => e.key === 'Enter' && onCommit(text)}
    />
  );
}

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
        <VscodeSingleSelect className="cnn-input cnn-heatmap" data-testid="heatmap-mode" position="above" value={p.heatmap} onChange={(e) => p.onHeatmap(selectedOf(e) as HeatmapMode)}>
          <VscodeOption value="off">off</VscodeOption>
          <VscodeOption value="params">params</VscodeOption>
          <VscodeOption value="macs">MACs</VscodeOption>
        </VscodeSingleSelect>
      </label>
      <label title="Analyze the design for another input size without changing the file">
        What-if input{' '}
        <VscodeTextfield
          className={`cnn-input cnn-whatif${p.whatIfShape ? ' active' : ''}`}
          data-testid="whatif-input"
          placeholder={p.inputShape?.join(', ') ?? ''}
          value={whatIfText}
          onInput={(e) => setWhatIfText(textOf(e))}
          onKeyDown={(e) => e.key === 'Enter' && applyWhatIf()}
          onBlur={applyWhatIf}
        />
      </label>
      {p.whatIfShape && (
        <VscodeButton
          secondary
          className="cnn-button"
          data-testid="whatif-reset"
          onClick={() => {
            setWhatIfText('');
            p.onWhatIf(undefined);
          }}
        >
          Reset
        </VscodeButton>
      )}
      <VscodeButton secondary className="cnn-button" data-testid="budgets-toggle" onClick={() => setEditingBudgets((v) => !v)}>
        Budgets
      </VscodeButton>
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
              {label} <BudgetField testId={testId} initial={budgets[key] ? formatShort(budgets[key]!) : ''} onCommit={(text) => p.onBudgets({ ...budgets, [key]: parseBudget(text) })} />
            </label>
          ))}
        </span>
      )}
    </footer>
  );
});
