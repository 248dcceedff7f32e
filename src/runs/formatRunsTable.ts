import type { ExportFormat, RunSummary } from '../protocol/trainingPanelProtocol';

interface Column {
  header: string;
  cell(run: RunSummary): string;
}

const percent = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '' : `${(v * 100).toFixed(2)}%`);
const seconds = (v: number | undefined): string => (v === undefined ? '' : v < 60 ? `${v.toFixed(1)} s` : `${Math.floor(v / 60)} min ${Math.round(v % 60)} s`);

/** The report's columns: what the course's labs tabulate (architecture, hyperparameters, accuracies, time). */
export const RUN_TABLE_COLUMNS: Column[] = [
  { header: 'Run', cell: (r) => r.name },
  { header: 'Design', cell: (r) => r.designName },
  { header: 'Architecture', cell: (r) => r.architecture },
  { header: 'Layers', cell: (r) => String(r.layers) },
  { header: 'Parameters', cell: (r) => String(r.parameters) },
  { header: 'Dataset', cell: (r) => r.dataset },
  { header: 'Epochs', cell: (r) => `${r.curves.length === r.epochsPlanned ? String(r.epochsPlanned) : `${r.curves.length}/${r.epochsPlanned}`}${r.maxBatchesPerEpoch ? ` (max ${r.maxBatchesPerEpoch} batches)` : ''}` },
  { header: 'Batch', cell: (r) => String(r.batchSize) },
  { header: 'Optimizer', cell: (r) => r.optimizer },
  { header: 'Learning rate', cell: (r) => `${r.learningRate}${r.schedule === 'constant' ? '' : ` (${r.schedule})`}` },
  { header: 'Augmentation', cell: (r) => r.augmentation },
  { header: 'Train acc.', cell: (r) => percent(r.trainAccuracy) },
  { header: 'Val. acc.', cell: (r) => percent(r.validationAccuracy) },
  { header: 'Test acc.', cell: (r) => percent(r.testAccuracy) },
  { header: 'Test top-5', cell: (r) => percent(r.testTop5) },
  { header: 'Time', cell: (r) => seconds(r.seconds) },
  { header: 'Backend', cell: (r) => r.backend },
  { header: 'Status', cell: (r) => r.status },
];

/** Markdown cells may not hold a bare pipe or a line break. */
const markdownCell = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
const csvField = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** The run history as a Markdown table (for a lab report) or CSV (for a spreadsheet), one row per run. */
export function formatRunsTable(runs: RunSummary[], format: ExportFormat): string {
  const rows = runs.map((run) => RUN_TABLE_COLUMNS.map((c) => c.cell(run)));
  const headers = RUN_TABLE_COLUMNS.map((c) => c.header);
  if (format === 'csv') return [headers, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
  const line = (cells: string[]): string => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => ' --- |').join('')}`, ...rows.map(line)].join('\n') + '\n';
}
