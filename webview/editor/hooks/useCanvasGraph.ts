import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react';
import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
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
export function useCanvasGraph({ design, analysis, positions }: DesignState, heatmap: HeatmapMode, showEdgeShapes: boolean): CanvasGraph {
  const [nodes, setNodes] = useState<LayerNode[]>([]);
  const [edges, setEdges] = useState<ShapeEdgeType[]>([]);
  const selectCreated = useRef(false);

  useEffect(() => {
    if (!design || !analysis) return;
    setNodes((previous) => {
      let selected = new Set(previous.filter((n) => n.selected).map((n) => n.id));
      if (selectCreated.current) {
        const before = new Set(previous.map((n) => n.id));
        const created = design.nodes.filter((n) => !before.has(n.id)).map((n) => n.id);
        if (created.length) {
          selected = new Set(created);
          selectCreated.current = false;
        }
      }
      return buildNodes(design, analysis, positions, heatmap, previous, selected);
    });
    setEdges((previous) => buildEdges(design, analysis, showEdgeShapes, new Set(previous.filter((e) => e.selected).map((e) => e.id))));
  }, [design, analysis, positions, heatmap, showEdgeShapes]);

  const onNodesChange = useCallback((changes: NodeChange<LayerNode>[]) => setNodes((ns) => applyNodeChanges(changes.filter((c) => c.type !== 'remove'), ns)), []);
  const onEdgesChange = useCallback((changes: EdgeChange<ShapeEdgeType>[]) => setEdges((es) => applyEdgeChanges(changes.filter((c) => c.type !== 'remove'), es)), []);
  const selectNextCreated = useCallback(() => void (selectCreated.current = true), []);
  const cancelSelectNextCreated = useCallback(() => void (selectCreated.current = false), []);
  return { nodes, edges, setNodes, onNodesChange, onEdgesChange, selectNextCreated, cancelSelectNextCreated };
}
