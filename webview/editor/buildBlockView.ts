import type { DesignAnalysis } from '../../src/core/analysis/analyzeDesign';
import { nodeAnalysisOf } from '../../src/core/analysis/nodeAnalysisOf';
import type { BlockDefinition, Design, Shape } from '../../src/core/design';
import { layeredPositions } from '../../src/core/edit/layeredPositions';
import { getLayerType } from '../../src/core/layers/layerCatalog';
import { formatShape } from '../../src/core/summary/formatNumber';
import type { BlockData } from './blockData';
import type { LayerNode } from './LayerBlock';
import type { ShapeEdgeType } from './ShapeEdge';

/** An opened instance: its block's definition and the prefix of the ids its layers have in the expanded design. */
export interface OpenedBlock {
  /** The instance's id where it is written (in the design, or in the block it is nested in). */
  instanceId: string;
  blockName: string;
  block: BlockDefinition;
  /** The instances opened from the design down to this one (this one last), for the breadcrumb. */
  trail: { instanceId: string; blockName: string }[];
  /** The instance's id in the expanded design ("layer1", or "stem.conv" for one nested in stem), where its analysis is. */
  expandedId: string;
  /** "layer1" for a lone instance, "layer1.0" for a stage (its first copy's shapes are shown). */
  expandedPrefix: string;
}

const ownBlock = (design: Design, type: string): BlockDefinition | undefined =>
  design.blocks && Object.prototype.hasOwnProperty.call(design.blocks, type) ? design.blocks[type] : undefined;

/**
 * The block the instance at the end of `path` uses: `path[0]` an instance of the design's own list,
 * each next one an instance inside the block opened before it. Undefined when the path no longer
 * leads to an instance (an undo, a rename).
 */
export function openedBlock(design: Design, path: readonly string[]): OpenedBlock | undefined {
  let nodes = design.nodes;
  let opened: OpenedBlock | undefined;
  for (const instanceId of path) {
    const node = nodes.find((n) => n.id === instanceId);
    const block = node && ownBlock(design, node.type);
    if (!node || !block) return undefined;
    const stage = node.repeat !== undefined && node.repeat !== 1;
    const expandedId = opened ? `${opened.expandedPrefix}.${instanceId}` : instanceId;
    const trail = [...(opened?.trail ?? []), { instanceId, blockName: node.type }];
    opened = { instanceId, blockName: node.type, block, trail, expandedId, expandedPrefix: stage ? `${expandedId}.0` : expandedId };
    nodes = block.nodes;
  }
  return opened;
}
/**
 * The canvas of an opened block: its layers with the shapes, parameters and problems they have in
 * the instance it was opened from, and its inputs and outputs as ports, laid out top to bottom.
 */
export function buildBlockView(
  opened: OpenedBlock,
  analysis: DesignAnalysis,
  selectedIds: ReadonlySet<string>,
  blocks?: Design['blocks'],
): { nodes: LayerNode[]; edges: ShapeEdgeType[] } {
  const { block, expandedPrefix, expandedId } = opened;
  const instance = nodeAnalysisOf(analysis, expandedId);
  const expanded = new Map(block.nodes.map((n) => [n.id, nodeAnalysisOf(analysis, `${expandedPrefix}.${n.id}`)]));
  const shapeOf = (id: string): Shape | undefined => {
    const input = block.inputs.indexOf(id);
    return input >= 0 ? instance?.inputShapes[input] : expanded.get(id)?.outputShape;
  };
  const portData = (name: string, port: 'in' | 'out', shape: Shape | undefined): BlockData => ({
    id: name,
    title: name,
    type: port === 'in' ? 'input' : 'output',
    label: port === 'in' ? 'Input' : 'Output',
    summary: '',
    shape: formatShape(shape),
    params: 0,
    status: 'ok',
    maxInputs: port === 'in' ? 0 : 1,
    port,
  });
  const data: BlockData[] = [
    ...block.inputs.map((name) => portData(name, 'in', shapeOf(name))),
    ...block.nodes.map((node): BlockData => {
      const info = expanded.get(node.id);
      const layer = getLayerType(node.type);
      const bypassed = !info && instance !== undefined && node.when !== undefined;
      const nested = blocks && Object.prototype.hasOwnProperty.call(blocks, node.type) ? blocks[node.type] : undefined;
      return {
        id: node.id,
        title: node.name ?? node.id,
        type: node.type,
        label: layer?.label ?? node.type,
        summary: bypassed ? 'left out here (when is false)' : info?.summary ?? '',
        shape: formatShape(info?.outputShape),
        params: info?.params ?? 0,
        status: bypassed ? 'ok' : info?.status ?? 'error',
        maxInputs: layer?.inputs.max ?? 1,
        ...(bypassed ? { bypassed } : {}),
        // A block nested in this one opens on double-click, like one of the design's own.
        ...(!layer && nested ? { instance: true, maxInputs: Math.max(1, nested.inputs.length) } : {}),
      };
    }),
    ...block.outputs.map((name) => {
      const source = block.edges.find((e) => e.target === name)?.source;
      return portData(name, 'out', source === undefined ? undefined : shapeOf(source));
    }),
  ];
  const positions = layeredPositions({
    format: 'cnn-designer',
    version: 1,
    name: '',
    training: {},
    nodes: data.map((d) => ({ id: d.id, type: d.type, params: {} })),
    edges: block.edges,
  });
  const nodes: LayerNode[] = data.map((d) => ({ id: d.id, type: 'layer', position: positions[d.id], data: d, selected: selectedIds.has(d.id), draggable: false }));
  const known = new Set(data.map((d) => d.id));
  const seen = new Set<string>();
  const edges: ShapeEdgeType[] = [];
  for (const e of block.edges) {
    const id = `${e.source}->${e.target}`;
    if (!known.has(e.source) || !known.has(e.target) || seen.has(id)) continue;
    seen.add(id);
    const shape = shapeOf(e.source);
    edges.push({ id, source: e.source, target: e.target, type: 'shape', data: { shape: shape ? formatShape(shape) : '', showShape: true, broken: false } });
  }
  return { nodes, edges };
}
