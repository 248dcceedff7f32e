import type { Design } from '../design';
import type { DesignAnalysis } from '../analysis/analyzeDesign';
import type { Diagnostic } from '../analysis/diagnostic';
import { formatBytes, formatCount, formatShape, formatShort } from './formatNumber';

/** Keras-like `model.summary()` text of an analyzed design, with totals and diagnostics. */
export function formatSummary(design: Design, analysis: DesignAnalysis, diagnostics: Diagnostic[] = analysis.diagnostics): string {
  const incoming = new Map<string, string[]>();
  for (const e of design.edges) {
    if (!incoming.has(e.target)) incoming.set(e.target, []);
    incoming.get(e.target)!.push(e.source);
  }
  const branched = design.nodes.some((n) => (incoming.get(n.id)?.length ?? 0) > 1) || analysis.order.some((id, i) => i > 0 && incoming.get(id)?.[0] !== analysis.order[i - 1]);
  const headers = ['Layer (type)', 'Output shape', 'Params', 'MACs', 'Receptive field', ...(branched ? ['Connected to'] : [])];
  const rows = analysis.order.map((id) => {
    const n = analysis.nodes[id];
    return [
      `${id} (${n.type})`,
      formatShape(n.outputShape),
      formatCount(n.params),
      formatCount(n.macs),
      n.receptiveField ? n.receptiveField.join('×') : '',
      ...(branched ? [(incoming.get(id) ?? []).join(', ')] : []),
    ];
  });
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const numeric = new Set([2, 3]);
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const width = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  const t = analysis.totals;
  const out = [
    `Model: "${design.name}"`,
    line(headers),
    '─'.repeat(width),
    ...rows.map(line),
    '═'.repeat(width),
    `Total params: ${formatCount(t.params)} (${formatBytes(t.weightBytes)})`,
    `Trainable params: ${formatCount(t.trainableParams)} (${formatBytes(4 * t.trainableParams)})`,
    `Non-trainable params: ${formatCount(t.nonTrainableParams)} (${formatBytes(4 * t.nonTrainableParams)})`,
    `Multiply-accumulates: ${formatCount(t.macs)} (${formatShort(t.macs)})`,
    `Activation memory, one sample (float32): ${formatBytes(t.activationBytes)}`,
  ];
  if (t.receptiveField) out.push(`Receptive field: ${t.receptiveField.join('×')} pixels`);
  if (diagnostics.length) {
    out.push('', 'Diagnostics:');
    for (const d of diagnostics) {
      const where = d.nodeId ?? (d.edge ? `${d.edge.source} → ${d.edge.target}` : '');
      const loc = d.line ? ` (line ${d.line}${d.column ? `, column ${d.column}` : ''})` : '';
      out.push(`  ${d.severity}${where ? ` ${where}` : ''}${loc}: ${d.message}`);
      for (const f of d.fixes) out.push(`      fix: ${f.title}`);
    }
  } else out.push('', 'No problems found.');
  return `${out.join('\n')}\n`;
}
