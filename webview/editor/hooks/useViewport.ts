import { getNodesBounds, useNodesInitialized, useReactFlow, type Viewport } from '@xyflow/react';
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type { LayerNode } from '../LayerBlock';
import type { ShapeEdgeType } from '../ShapeEdge';
import { saveViewState } from '../vscodeApi';

/** The smallest text of a block (its summary and shape lines, editor.css) and the smallest size it may be shown at. */
const SMALLEST_BLOCK_TEXT_PX = 11;
const MIN_READABLE_TEXT_PX = 9;
/** The smallest zoom at which block text stays legible: fitting never zooms out further. */
export const READABLE_ZOOM = MIN_READABLE_TEXT_PX / SMALLEST_BLOCK_TEXT_PX;
/** Below this zoom edge labels are unreadable; hiding them also spares the browser their layout. */
const LABEL_MIN_ZOOM = 0.4;

export interface ViewportControl {
  /**
   * Shows the whole network when it fits at a readable zoom, else its top at that zoom (the rest
   * is a pan or a minimap click away).
   */
  fitReadable(options?: { duration?: number }): void;
  /** True when zoomed out so far that edge labels are hidden. */
  zoomedOut: boolean;
  onMove(event: unknown, viewport: Viewport): void;
  onMoveEnd(event: unknown, viewport: Viewport): void;
}

/**
 * Where the canvas looks: fitted once when a design first shows (unless a saved viewport is
 * restored), brought back when a narrower editor leaves every block out of sight, and saved when
 * the user pans or zooms.
 */
export function useViewport(canvasRef: RefObject<HTMLDivElement | null>, nodes: LayerNode[], restored: boolean): ViewportControl {
  const flow = useReactFlow<LayerNode, ShapeEdgeType>();
  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;
  const fittedOnce = useRef(restored);

  const fitReadable = useCallback(
    ({ duration }: { duration?: number } = {}) => {
      const current = nodesRef.current;
      if (!current.length) return;
      const bounds = getNodesBounds(current);
      const rect = canvasRef.current?.getBoundingClientRect();
      const fitZoom = rect ? Math.min(rect.width / (bounds.width + 80), rect.height / (bounds.height + 80), 1) : 1;
      if (rect && fitZoom < READABLE_ZOOM)
        void flow.setViewport({ x: rect.width / 2 - (bounds.x + bounds.width / 2) * READABLE_ZOOM, y: 30 - bounds.y * READABLE_ZOOM, zoom: READABLE_ZOOM }, { duration });
      else void flow.fitView({ maxZoom: 1, duration });
    },
    [flow, canvasRef],
  );

  const initialized = useNodesInitialized();
  useEffect(() => {
    if (initialized && !fittedOnce.current && nodes.length) {
      fittedOnce.current = true;
      fitReadable();
    }
  }, [initialized, nodes.length, fitReadable]);

  // When the editor group shrinks (a summary or export opened beside it), a viewport centred for
  // the old width can leave every block outside the canvas: bring them back into view.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(() => {
      if (!fittedOnce.current || !nodesRef.current.length) return;
      const rect = canvas.getBoundingClientRect();
      if (rect.width < 1 || rect.height < 1) return; // hidden: keep the viewport for when it shows again
      const { x, y, zoom } = flow.getViewport();
      const bounds = getNodesBounds(nodesRef.current);
      const left = bounds.x * zoom + x;
      const top = bounds.y * zoom + y;
      const visible = left < rect.width && left + bounds.width * zoom > 0 && top < rect.height && top + bounds.height * zoom > 0;
      if (!visible) fitReadable();
    });
    observer.observe(canvas);
    return () => observer.disconnect();
  }, [flow, fitReadable, canvasRef]);

  const [zoomedOut, setZoomedOut] = useState(false);
  const onMove = useCallback((_: unknown, viewport: Viewport) => setZoomedOut(viewport.zoom < LABEL_MIN_ZOOM), []);
  const onMoveEnd = useCallback((_: unknown, viewport: Viewport) => saveViewState({ viewport }), []);
  return { fitReadable, zoomedOut, onMove, onMoveEnd };
}
