import type { Design } from '../design';
import type { DesignAnalysis, NodeAnalysis } from '../analysis/analyzeDesign';
import type { Diagnostic } from '../analysis/diagnostic';
import { formatBytes, formatCount, formatShape, formatShort } from './formatNumber';

/** Columns of a terminal the summary fits by default (the table, totals and diagnostics). */
export const SUMMARY_WIDTH = 100;

/** A table cell: one or more lines. */
type Cell = string[];

interface Column {
  /** One or two header lines. */
  header: string[];
  alignRight: boolean;
}

/**
 * Keras-like `model.summary()` text of an analyzed design, with totals (Keras' count and PyTorch's)
 * and diagnostics. It fits `width` columns: when the table would be wider, its MACs are shortened
 * (1.81 G), then the longest layer names wrap before their type, and then long ids break over
 * lines after an underscore (the rest indented) in the name and "Connected to" columns, as Keras
 * wraps long names in its columns; layers with several inputs list one per line.
 */
export function formatSummary(design: Design, analysis: DesignAnalysis, diagnostics: Diagnostic[] = analysis.diagnostics, width = SUMMARY_WIDTH, options: { expand?: boolean } = {}): string {
  const graph = analysis.graph;
  const branched = graph.ids.some((id) => graph.arity(id) > 1) || analysis.order.some((id, i) => i > 0 && graph.inputs(id)[0] !== analysis.order[i - 1]);
  const rowsOf = summaryRows(analysis, options.expand === true);
  const columns: Column[] = [
    { header: ['Layer (type)'], alignRight: false },
    { header: ['Output shape', 'H×W×C'], alignRight: false },
    { header: ['Params'], alignRight: true },
    { header: ['MACs'], alignRight: true },
    { header: ['Receptive', 'field'], alignRight: false },
    ...(branched ? [{ header: ['Connected to'], alignRight: false }] : []),
  ];
  const rows: Cell[][] = rowsOf.map(({ id, node: n, inputs, label }) => {
    return [
      [`${id} (${label})`],
      [formatShape(n.outputShape)],
      [formatCount(n.params)],
      [formatCount(n.macs)],
      [n.receptiveField ? n.receptiveField.join('×') : ''],
      ...(branched ? [inputs.length ? inputs : ['']] : []),
    ];
  });
  const gap = 2;
  const columnWidths = (): number[] => columns.map((c, i) => Math.max(...c.header.map((h) => h.length), ...rows.flatMap((r) => r[i].map((l) => l.length))));
  const tableWidth = (widths: number[]): number => widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
  let widths = columnWidths();
  if (tableWidth(widths) > width) {
    // First the MACs in short form (the total below keeps the exact count)…
    rowsOf.forEach((row, r) => (rows[r][3] = [formatShort(row.node.macs)]));
    widths = columnWidths();
  }
  const excess = tableWidth(widths) - width;
  if (excess > 0) {
    // …then "name (Type)" wraps into "name" / "(Type)" for the rows wider than the column may be.
    const narrowest = Math.max(columns[0].header[0].length, ...rows.flatMap((r) => r[0][0].split(' ').map((part) => part.length)));
    const target = Math.max(narrowest, widths[0] - excess);
    for (const row of rows) if (row[0][0].length > target) row[0] = row[0][0].split(' ');
    widths = columnWidths();
  }
  if (tableWidth(widths) > width) {
    // …and last, long ids (module paths such as features_1_0_block_1_scale_activation, in the name
    // column and again under "Connected to") break over lines after an underscore, as words: the two
    // columns share the room the others leave, each in proportion to its widest entry.
    const flexible = branched ? [0, columns.length - 1] : [0];
    const fixed = tableWidth(widths) - flexible.reduce((sum, c) => sum + widths[c], 0);
    const wanted = flexible.reduce((sum, c) => sum + widths[c], 0);
    const room = Math.max(width - fixed, MIN_ID_COLUMN * flexible.length);
    flexible.forEach((c, k) => {
      const share = k === flexible.length - 1 ? room - flexible.slice(0, k).reduce((sum, d) => sum + Math.floor((room * widths[d]) / wanted), 0) : Math.floor((room * widths[c]) / wanted);
      const limit = Math.max(MIN_ID_COLUMN, share, ...columns[c].header.map((h) => h.length));
      // A name line too long still wraps before its type first, as above.
      const parts = (text: string): string[] => (c === 0 && text.length > limit ? text.split(' ') : [text]);
      for (const row of rows) row[c] = row[c].flatMap(parts).flatMap((text) => breakId(text, limit));
    });
    widths = columnWidths();
  }

  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (columns[c].alignRight ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join(' '.repeat(gap))
      .trimEnd();
  const block = (cells: Cell[]): string[] => {
    const height = Math.max(...cells.map((c) => c.length));
    return Array.from({ length: height }, (_, k) => line(cells.map((c) => c[k] ?? '')));
  };
  const rule = tableWidth(widths);
  const t = analysis.totals;
  const out = [
    `Model: "${design.name}"`,
    ...block(columns.map((c) => c.header)),
    '─'.repeat(rule),
    ...rows.flatMap(block),
    '═'.repeat(rule),
    ...wrap("Output shapes are H×W×C: channels last, as in Keras (PyTorch's order is C×H×W); batch left out.", width, ''),
    '',
    `Total params: ${formatCount(t.params)} (${formatBytes(t.weightBytes)})`,
    `Trainable params: ${formatCount(t.trainableParams)} (${formatBytes(4 * t.trainableParams)})`,
    `Non-trainable params: ${formatCount(t.nonTrainableParams)} (${formatBytes(4 * t.nonTrainableParams)})`,
    ...wrap(pytorchCount(t.trainableParams, t.nonTrainableParams), width, '  '),
    `Multiply-accumulates: ${formatCount(t.macs)} (${formatShort(t.macs)})`,
    `Activation memory, one sample (float32): ${formatBytes(t.activationBytes)}`,
  ];
  if (t.receptiveField) out.push(`Receptive field: ${t.receptiveField.join('×')} pixels`);
  if (diagnostics.length) {
    out.push('', 'Diagnostics:');
    for (const d of diagnostics) {
      const where = d.nodeId ?? (d.edge ? `${d.edge.source} → ${d.edge.target}` : '');
      const loc = d.line ? ` (line ${d.line}${d.column ? `, column ${d.column}` : ''})` : '';
      out.push(...wrap(`  ${d.severity}${where ? ` ${where}` : ''}${loc}: ${d.message}`, width, '    '));
      for (const f of d.fixes) out.push(...wrap(`      fix: ${f.title}`, width, '           '));
    }
  } else out.push('', 'No problems found.');
  return `${out.join('\n')}\n`;
}

/**
 * The rows of the table: every layer in order; for a design with blocks, unless `expand`, each
 * instance of the design's own list as one row (a stage "2 × BasicBlock") with its layers summed.
 */
export function summaryRows(analysis: DesignAnalysis, expand: boolean): { id: string; label: string; node: NodeAnalysis; inputs: string[] }[] {
  const graph = analysis.graph;
  const expansion = analysis.expansion;
  const instances = analysis.instances ?? {};
  const layerRow = (id: string) => ({ id, label: analysis.nodes[id].type, node: analysis.nodes[id], inputs: [...graph.inputs(id)] });
  if (!expansion || expand) return analysis.order.map(layerRow);
  // A layer made by an instance belongs to the outermost one; the names it reads are said as instances too.
  const outermost = new Map<string, string>();
  for (const instance of expansion.instances) if (!instance.parent) for (const id of instance.nodeIds) outermost.set(id, instance.id);
  const shown = (id: string): string => outermost.get(id) ?? id;
  const rows: { id: string; label: string; node: NodeAnalysis; inputs: string[] }[] = [];
  const done = new Set<string>();
  for (const id of analysis.order) {
    const owner = outermost.get(id);
    if (!owner) {
      rows.push({ ...layerRow(id), inputs: graph.inputs(id).map(shown) });
      continue;
    }
    if (done.has(owner)) continue;
    done.add(owner);
    const instance = expansion.instances.find((i) => i.id === owner)!;
    const node = instances[owner];
    rows.push({ id: owner, label: node.copies ? `${node.copies.length} × ${node.block}` : node.block, node, inputs: instance.inputSources.filter(Boolean).map(shown) });
  }
  return rows;
}

/**
 * The count PyTorch users compare with (torchinfo, `sum(p.numel() for p in model.parameters())`):
 * Keras counts a layer's non-trainable state (BatchNorm's moving mean and variance, the only such
 * state in the catalog) as parameters, PyTorch keeps it in buffers.
 */
export function pytorchCount(trainable: number, nonTrainable: number): string {
  if (nonTrainable === 0) return `PyTorch parameters: ${formatCount(trainable)} (the same count)`;
  return `PyTorch parameters: ${formatCount(trainable)}, as torchinfo counts: the ${formatCount(nonTrainable)} non-trainable ones (BatchNorm's moving mean and variance) are buffers in PyTorch, not parameters`;
}

/** The narrowest a column of ids gets, however narrow the terminal: a few characters of each part. */
const MIN_ID_COLUMN = 12;

/**
 * Lines of at most `limit` characters from one cell line: an id longer than that breaks after its
 * last underscore (or hyphen, dot or space) that fits, the rest continuing on the next lines indented
 * by two spaces (so that it does not read as the next input); a part with no such place breaks at the
 * limit.
 */
function breakId(text: string, limit: number): string[] {
  const indent = '  ';
  const lines: string[] = [];
  let rest = text;
  let room = limit;
  while (rest.length > room) {
    const head = rest.slice(0, room);
    const at = Math.max(head.lastIndexOf('_'), head.lastIndexOf('-'), head.lastIndexOf('.'), head.lastIndexOf(' '));
    const cut = at > 0 ? at + 1 : room;
    lines.push(`${lines.length ? indent : ''}${rest.slice(0, cut).trimEnd()}`);
    rest = rest.slice(cut).trimStart();
    room = limit - indent.length;
  }
  lines.push(`${lines.length ? indent : ''}${rest}`);
  return lines;
}

/** Greedy word wrap of one paragraph (its leading spaces kept); continuation lines start with `indent`. */
function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let current = text.match(/^ */)![0];
  let empty = true;
  for (const word of text.trim().split(/ +/)) {
    if (!empty && current.length + 1 + word.length > width) {
      lines.push(current);
      current = indent;
      empty = true;
    }
    current += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(current);
  return lines;
}
