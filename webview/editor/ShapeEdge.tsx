import { BaseEdge, EdgeLabelRenderer, getBezierPath, type Edge, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';

export type ShapeEdgeData = { shape: string; showShape: boolean; broken: boolean };
export type ShapeEdgeType = Edge<ShapeEdgeData, 'shape'>;

/** A connection labelled with the tensor shape it carries. */
function ShapeEdgeView({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd }: EdgeProps<ShapeEdgeType>) {
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={`${selected ? 'selected' : ''}${data?.broken ? ' broken' : ''}`} />
      {data?.showShape && data.shape && (
        <EdgeLabelRenderer>
          <div className="cnn-edge-label" data-testid="edge-label" data-edge-id={id} style={{ transform: `translate(-50%, -50%) translate(${labelX}px,${labelY}px)` }}>
            {data.shape}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const ShapeEdge = memo(ShapeEdgeView);
