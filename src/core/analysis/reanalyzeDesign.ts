import { usesBlocks } from '../blocks/expandBlocks';
import type { Design, Shape } from '../design';
import { analysisPartsOf, designTotals, needsFixSearch, parameterMemoryWarning, recordAnalysisParts, SEVERITY_RANK, type DesignAnalysis, type NodeAnalysis } from './analyzeDesign';
import { analyzeLayer, emptyNodeAnalysis } from './analyzeLayer';
import type { Diagnostic } from './diagnostic';

const sameNumbers = (a: readonly number[] | undefined, b: readonly number[] | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => Object.is(x, b[i])));

/** Whether the layers reading a node's output would see the same as before: its shape and receptive field. */
const sameOutput = (before: NodeAnalysis, after: NodeAnalysis): boolean =>
  sameNumbers(before.outputShape as Shape | undefined, after.outputShape) && sameNumbers(before.receptiveField, after.receptiveField) && sameNumbers(before.effectiveStride, after.effectiveStride);

/** A copy of a record of node analyses (for...in copies a large record faster than Object.assign or spread). */
function copyOf(nodes: Record<string, NodeAnalysis>): Record<string, NodeAnalysis> {
  const copy: Record<string, NodeAnalysis> = Object.create(null);
  for (const id in nodes) copy[id] = nodes[id];
  return copy;
}

/**
 * The analysis of `design`, a design that differs from the one `previous` analyzed only in the
 * params of the nodes `editedIds` (same ids, types, connections and training settings): exactly
 * what analyzeDesign(design) with the same options gives, computed from the previous analysis.
 * Only the edited layers are analyzed again, and the layers reading them while what they read
 * changes (shape or receptive field); the others, the wiring and its problems are reused.
 * Undefined when it cannot be told that way: a design with blocks, a previous analysis not made
 * by analyzeDesign or that searched fixes, or a result whose fixes must be searched for or that
 * warns of memory (each depends on the whole design); analyze the design in full then.
 *
 * Problems reused from the previous analysis keep what the caller added to them (their place in
 * the text), passed through `relocate` first: the caller knows how the text moved.
 */
export function reanalyzeDesign(previous: DesignAnalysis, design: Design, editedIds: readonly string[], relocate: (d: Diagnostic) => Diagnostic = (d) => d): DesignAnalysis | undefined {
  const parts = analysisPartsOf(previous);
  if (!parts || usesBlocks(design) || design.nodes.length !== parts.design.nodes.length) return undefined;
  const { graph, order } = previous;
  let nodes = previous.nodes;
  const layerDiagnostics = new Map<string, Diagnostic[]>();
  for (const [id, own] of parts.layerDiagnostics) layerDiagnostics.set(id, own.map(relocate));
  const beforeLayers = parts.beforeLayers.map(relocate);
  const afterLayers = parts.afterLayers.map(relocate);

  // Analyzed again in order, each once: the edited layers, then those whose input changed.
  const dirty = new Set(editedIds);
  let next = order.length;
  /** Layers still to analyze again that are in the order (a layer on a cycle is never analyzed). */
  let pending = 0;
  for (const id of editedIds) {
    const at = order.indexOf(id);
    if (at < 0) continue;
    pending++;
    if (at < next) next = at;
  }
  if (pending > 0) nodes = copyOf(nodes);
  const context = { design, graph, nodes, danglingEdges: parts.danglingEdges, repairs: parts.repairs };
  for (; pending > 0 && next < order.length; next++) {
    const id = order[next];
    if (!dirty.has(id)) continue;
    pending--;
    const before = previous.nodes[id];
    const after = emptyNodeAnalysis(id, before.type);
    nodes[id] = after;
    const own: Diagnostic[] = [];
    analyzeLayer(context, id, (d) => own.push(d));
    if (own.length) layerDiagnostics.set(id, own);
    else layerDiagnostics.delete(id);
    // Its status: the worst of its own problems and those of the wiring about it.
    let worst = 0;
    for (const list of [beforeLayers, own, afterLayers]) for (const d of list) if (d.nodeId === id) worst = Math.max(worst, SEVERITY_RANK[d.severity]);
    after.status = worst === 0 ? 'ok' : worst === 1 ? 'info' : worst === 2 ? 'warning' : 'error';
    if (sameOutput(before, after)) continue;
    // Its consumers come later in the order (one on a cycle never does: then the loop runs to the end).
    for (const consumer of graph.consumers(id)) {
      if (dirty.has(consumer)) continue;
      dirty.add(consumer);
      pending++;
    }
  }

  const diagnostics = [...beforeLayers];
  if (layerDiagnostics.size) for (const id of order) {
    const own = layerDiagnostics.get(id);
    if (own) diagnostics.push(...own);
  }
  diagnostics.push(...afterLayers);
  if (needsFixSearch(diagnostics, parts.options)) return undefined;
  const totals = designTotals(order, nodes, previous.outputIds, graph);
  if (parameterMemoryWarning(totals, order, nodes, graph, parts.options)) return undefined;
  const analysis: DesignAnalysis = { graph, order, nodes, totals, diagnostics, inputIds: previous.inputIds, outputIds: previous.outputIds, valid: !diagnostics.some((d) => d.severity === 'error') };
  recordAnalysisParts(analysis, { ...parts, design, beforeLayers, layerDiagnostics, afterLayers });
  return analysis;
}
