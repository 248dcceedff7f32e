import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react';
import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { buildBlockView, type OpenedBlock } from '../buildBlockView';
import { buildEdges, buildNodes } from '../buildCanvas';
import type { LayerNode } from '../LayerBlock';
import type { ShapeEdgeType } from '../ShapeEdge';
import type { HeatmapMode } from '../vscodeApi';
import type { DesignState } from './useDesignState';

export interface CanvasGraph {
  nodes: LayerNode[];
  edges: ShapeEdgeType[];
  setNodes: Dispatch<SetStateAction<LayerNode[]>>;
  /** React Flow's changes (drags in progress, selection, measured sizes); removals go through edits instead. */
  onNodesChange(changes: NodeChange<LayerNode>[]): void;
  onEdgesChange(changes: EdgeChange<ShapeEdgeType>[]): void;
  /** Selects the blocks the next document adds (after an add, paste or duplicate) instead of keeping the selection. */
  selectNextCreated(): void;
  /** Forgets `selectNextCreated`, for an edit the host refused. */
  cancelSelectNextCreated(): void;
}

/**
 * The canvas' blocks and connections, rebuilt from the design and its analysis whenever either
 * changes; the selection and measured sizes carry over, and unchanged blocks stay the same objects
 * so React Flow skips them.
 */
export function useCanvasGraph({ design, analysis, positions }: DesignState, heatmap: HeatmapMode, showEdgeShapes: boolean, opened?: OpenedBlock): CanvasGraph {
  const [nodes, setNodes] = useState<LayerNode[]>([]);
  const [edges, setEdges] = useState<ShapeEdgeType[]>([]);
  const selectCreated = useRef(false);
  // The view shown last (the design, or an opened instance): a selection does not carry from one to the other.
  const shownView = useRef<string | undefined>(undefined);

  useEffect(() => {
    if (!design || !analysis) return;
    const view = opened ? `block:${opened.expandedId}` : undefined;
    const switched = view !== shownView.current;
    shownView.current = view;
    /** The selection to keep: the blocks selected before, or the layers an edit just created. */
    const selectionAfter = (previous: LayerNode[], nodeIds: string[]): Set<string> => {
      const kept = new Set(previous.filter((n) => n.selected).map((n) => n.id));
      if (!selectCreated.current) return kept;
      const before = new Set(previous.map((n) => n.id));
      const created = nodeIds.filter((id) => !before.has(id));
      if (created.length === 0) return kept;
      selectCreated.current = false;
      return new Set(created);
    };
    if (opened) {
      setNodes((all) => buildBlockView(opened, analysis, selectionAfter(switched ? [] : all, opened.block.nodes.map((n) => n.id)), design.blocks).nodes);
      setEdges(buildBlockView(opened, analysis, new Set(), design.blocks).edges);
      return;
    }
    setNodes((all) => {
      const previous = switched ? [] : all;
      return buildNodes(design, analysis, positions, heatmap, previous, selectionAfter(previous, design.nodes.map((n) => n.id)));
    });
    setEdges((previous) => buildEdges(design, analysis, showEdgeShapes, new Set(switched ? [] : previous.filter((e) => e.selected).map((e) => e.id))));
  }, [design, analysis, positions, heatmap, showEdgeShapes, opened]);

  const onNodesChange = useCallback((changes: NodeChange<LayerNode>[]) => setNodes((ns) => applyNodeChanges(changes.filter((c) => c.type !== 'remove'), ns)), []);
  const onEdgesChange = useCallback((changes: EdgeChange<ShapeEdgeType>[]) => setEdges((es) => applyEdgeChanges(changes.filter((c) => c.type !== 'remove'), es)), []);
  const selectNextCreated = useCallback(() => void (selectCreated.current = true), []);
  const cancelSelectNextCreated = useCallback(() => void (selectCreated.current = false), []);
  return { nodes, edges, setNodes, onNodesChange, onEdgesChange, selectNextCreated, cancelSelectNextCreated };
}
