import { Background, Controls, MiniMap, ReactFlow, useNodesInitialized, useReactFlow, useStore, type EdgeChange, type NodeChange, type OnConnect, type Viewport } from '@xyflow/react';
import { useCallback, useEffect, useState, type DragEvent, type RefObject } from 'react';
import type { Position } from '../../src/core/design';
import type { EditIntention } from '../../src/core/edit/editIntention';
import { DEFAULT_BLOCK } from './hooks/useEditorCommands';
import { READABLE_ZOOM } from './hooks/useViewport';
import { LayerBlock, type LayerNode } from './LayerBlock';
import { LAYER_DRAG_TYPE } from './Palette';
import { ShapeEdge, type ShapeEdgeType } from './ShapeEdge';

// Props handed to React Flow are module constants: a new object or array on every render would
// make it update its store, and re-render every block, on each frame of a drag.
const NODE_TYPES = { layer: LayerBlock };
const EDGE_TYPES = { shape: ShapeEdge };
const MULTI_SELECT_KEYS = ['Shift', 'Meta', 'Control'];
const PRO_OPTIONS = { hideAttribution: true };
/** The zoom controls' fit button never zooms out past readable text either. */
const FIT_VIEW_OPTIONS = { minZoom: READABLE_ZOOM, maxZoom: 1, duration: 200 };
const minimapColor = (n: LayerNode): string => (n.data.status === 'error' ? 'var(--cnn-error)' : n.data.status === 'warning' ? 'var(--cnn-warning)' : 'var(--cnn-minimap-node)');

/**
 * The minimap, drawn once the blocks have painted: it repeats every block, and on a large design
 * drawing it in the same frame delays the blocks themselves. Once shown it stays.
 */
function LateMiniMap() {
  const initialized = useNodesInitialized();
  const empty = useStore((s) => s.nodes.length === 0);
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (shown || !(initialized || empty)) return undefined;
    // Two frames: the one that paints the measured blocks, then the minimap.
    let frame = requestAnimationFrame(() => (frame = requestAnimationFrame(() => setShown(true))));
    return () => cancelAnimationFrame(frame);
  }, [initialized, empty, shown]);
  return shown ? <MiniMap pannable zoomable nodeStrokeWidth={3} nodeColor={minimapColor} /> : null;
}

interface CanvasProps {
  canvasRef: RefObject<HTMLDivElement | null>;
  nodes: LayerNode[];
  edges: ShapeEdgeType[];
  readOnly: boolean;
  /** The viewport to start from (saved when the editor was last shown). */
  defaultViewport: Viewport | undefined;
  zoomedOut: boolean;
  onNodesChange(changes: NodeChange<LayerNode>[]): void;
  onEdgesChange(changes: EdgeChange<ShapeEdgeType>[]): void;
  onMove(event: unknown, viewport: Viewport): void;
  onMoveEnd(event: unknown, viewport: Viewport): void;
  edit(intention: EditIntention): void;
  /** The block whose definition the canvas shows (its wiring edits go there), or undefined for the design's own layers. */
  block: string | undefined;
  /** A layer dropped from the palette, at its top-left corner. */
  onDropLayer(layerType: string, at: Position): void;
  /** A block double-clicked (an instance opens). */
  onOpenNode(node: LayerNode): void;
}

/** The graph: blocks, shape-labelled connections, zoom controls and a minimap (which hides on a narrow canvas, editor.css). */
export function Canvas({ canvasRef, nodes, edges, readOnly, defaultViewport, zoomedOut, onNodesChange, onEdgesChange, onMove, onMoveEnd, edit, block, onDropLayer, onOpenNode }: CanvasProps) {
  const flow = useReactFlow<LayerNode, ShapeEdgeType>();
  // `edit` is stable (useHostConnection), so these change only with the block shown.
  const onConnect: OnConnect = useCallback((c) => edit({ kind: 'connect', source: c.source, target: c.target, ...(block !== undefined ? { block } : {}) }), [edit, block]);
  const onNodeDragStop = useCallback(
    (_: unknown, __: LayerNode, dragged: LayerNode[]) => edit({ kind: 'move', positions: Object.fromEntries(dragged.map((n) => [n.id, n.position])) }),
    [edit],
  );
  const onNodeDoubleClick = useCallback((_: unknown, node: LayerNode) => onOpenNode(node), [onOpenNode]);
  const onDrop = (e: DragEvent<HTMLDivElement>): void => {
    const layerType = e.dataTransfer.getData(LAYER_DRAG_TYPE);
    if (!layerType) return;
    e.preventDefault();
    const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    onDropLayer(layerType, { x: p.x - DEFAULT_BLOCK.width / 2, y: p.y - 20 });
  };
  return (
    <div className={`cnn-canvas${zoomedOut ? ' zoomed-out' : ''}`} ref={canvasRef} data-testid="canvas" onDragOver={(e) => (e.preventDefault(), (e.dataTransfer.dropEffect = 'copy'))} onDrop={onDrop}>
      <ReactFlow<LayerNode, ShapeEdgeType>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeDragStop={onNodeDragStop}
        onNodeDoubleClick={onNodeDoubleClick}
        zoomOnDoubleClick={false}
        onMove={onMove}
        onMoveEnd={onMoveEnd}
        defaultViewport={defaultViewport}
        deleteKeyCode={null}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={MULTI_SELECT_KEYS}
        minZoom={0.05}
        maxZoom={2}
        colorMode={document.body.classList.contains('vscode-light') || !document.body.className ? 'light' : 'dark'}
        proOptions={PRO_OPTIONS}
      >
        <Background />
        <Controls showInteractive={false} fitViewOptions={FIT_VIEW_OPTIONS} />
        <LateMiniMap />
      </ReactFlow>
    </div>
  );
}
