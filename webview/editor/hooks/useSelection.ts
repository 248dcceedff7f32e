import type { Design, DesignNode } from '../../../src/core/design';
import type { LayerNode } from '../LayerBlock';
import type { CanvasGraph } from './useCanvasGraph';

export interface Selection {
  /** The selected blocks, as the canvas has them (with their current, maybe dragged, positions). */
  nodes: LayerNode[];
  /** The design's node when exactly one block is selected: what the inspector edits. */
  node: DesignNode | undefined;
  /** The selected connections. */
  edges: { source: string; target: string }[];
  selectAll(): void;
  clear(): void;
}

/** What is selected on the canvas (React Flow keeps the flags on the blocks and connections). */
export function useSelection({ nodes, edges, setNodes }: CanvasGraph, design: Design | undefined): Selection {
  const selectedNodes = nodes.filter((n) => n.selected);
  return {
    nodes: selectedNodes,
    node: selectedNodes.length === 1 ? design?.nodes.find((n) => n.id === selectedNodes[0].id) : undefined,
    edges: edges.filter((e) => e.selected).map((e) => ({ source: e.source, target: e.target })),
    selectAll: () => setNodes((ns) => ns.map((n) => (n.selected ? n : { ...n, selected: true }))),
    clear: () => setNodes((ns) => ns.map((n) => (n.selected ? { ...n, selected: false } : n))),
  };
}
