import type { DesignAnalysis } from '../../src/core/analysis/analyzeDesign';
import { nodeAnalysisOf } from '../../src/core/analysis/nodeAnalysisOf';
import type { Diagnostic } from '../../src/core/analysis/diagnostic';
import type { Design, Position } from '../../src/core/design';
import { getLayerType } from '../../src/core/layers/layerCatalog';
import { formatShape } from '../../src/core/summary/formatNumber';
import type { BlockData } from './blockData';
import type { LayerNode } from './LayerBlock';
import type { ShapeEdgeType } from './ShapeEdge';
import type { HeatmapMode } from './vscodeApi';

const RANK: Record<string, number> = { error: 3, warning: 2, info: 1 };

/** The canvas blocks for a design and its analysis, reusing unchanged ones so React skips them. */
export function buildNodes(
  design: Design,
  analysis: DesignAnalysis,
  positions: Record<string, Position>,
  heatmap: HeatmapMode,
  previous: LayerNode[],
  selectedIds: ReadonlySet<string>,
): LayerNode[] {
  const worst = new Map<string, Diagnostic>();
  for (const d of analysis.diagnostics) {
    const id = d.nodeId ?? d.edge?.target;
    if (!id) continue;
    const known = worst.get(id);
    if (!known || RANK[d.severity] > RANK[known.severity]) worst.set(id, d);
  }
  const before = new Map(previous.map((n) => [n.id, n]));
  const cost = (id: string): number => (heatmap === 'params' ? nodeAnalysisOf(analysis, id)?.params ?? 0 : heatmap === 'macs' ? nodeAnalysisOf(analysis, id)?.macs ?? 0 : 0);
  const total = heatmap === 'params' ? analysis.totals.params : heatmap === 'macs' ? analysis.totals.macs : 0;
  // Colour relative to the costliest block, so the hot spots stand out even when costs are spread.
  const hottest = total > 0 ? Math.max(...design.nodes.map((n) => cost(n.id))) : 0;
  return design.nodes.map((node) => {
    const info = nodeAnalysisOf(analysis, node.id);
    const layer = getLayerType(node.type);
    const block = !layer && design.blocks && Object.prototype.hasOwnProperty.call(design.blocks, node.type) ? design.blocks[node.type] : undefined;
    const problem = worst.get(node.id);
    const fix = problem?.fixes.find((f) => f.edit);
    const data: BlockData = {
      id: node.id,
      title: node.name ?? node.id,
      type: node.type,
      label: layer?.label ?? node.type,
      summary: info?.summary ?? '',
      shape: formatShape(info?.outputShape),
      params: info?.params ?? 0,
      status: info?.status ?? 'error',
      maxInputs: layer?.inputs.max ?? (block ? Math.max(1, block.inputs.length) : 1),
    };
    if (block) {
      data.instance = true;
      if (typeof node.repeat === 'number' && node.repeat > 1) data.repeat = node.repeat;
    }
    if (problem) data.problem = problem.message;
    if (fix?.edit) data.fix = { title: fix.title, edit: fix.edit };
    if (total > 0 && hottest > 0 && info) {
      data.heat = cost(node.id) / hottest;
      data.share = cost(node.id) / total;
    }
    const position = positions[node.id];
    const selected = selectedIds.has(node.id);
    const old = before.get(node.id);
    if (old && old.selected === selected && old.position.x === position.x && old.position.y === position.y && JSON.stringify(old.data) === JSON.stringify(data)) return old;
    return { id: node.id, type: 'layer', position, data, selected, ...(old?.measured ? { measured: old.measured } : {}) };
  });
}

export const edgeId = (source: string, target: string): string => `${source}->${target}`;

/** The canvas connections, each labelled with the shape its source produces. */
export function buildEdges(design: Design, analysis: DesignAnalysis, showShapes: boolean, selectedIds: ReadonlySet<string>): ShapeEdgeType[] {
  const edges: ShapeEdgeType[] = [];
  // The connections that count: both ends known, each pair once. With blocks, the analysis' graph
  // joins expanded layers, so the canvas draws the written connections between its blocks.
  const known = new Set(design.nodes.map((n) => n.id));
  const seen = new Set<string>();
  const written = design.edges.filter((e) => known.has(e.source) && known.has(e.target) && !seen.has(edgeId(e.source, e.target)) && seen.add(edgeId(e.source, e.target)));
  for (const e of analysis.expansion ? written : analysis.graph.edges) {
    const id = edgeId(e.source, e.target);
    const shape = nodeAnalysisOf(analysis, e.source)?.outputShape;
    edges.push({
      id,
      source: e.source,
      target: e.target,
      type: 'shape',
      selected: selectedIds.has(id),
      data: { shape: shape ? formatShape(shape) : '', showShape: showShapes, broken: !shape || nodeAnalysisOf(analysis, e.target)?.status === 'error' },
    });
  }
  return edges;
}

/** The design with every Input's shape replaced, for the what-if analysis (never written). */
export function withInputShape(design: Design, shape: number[]): Design {
  return { ...design, nodes: design.nodes.map((n) => (n.type === 'Input' ? { ...n, params: { ...n.params, shape } } : n)) };
}
