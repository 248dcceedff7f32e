import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo, useContext } from 'react';
import { formatCount } from '../../src/core/summary/formatNumber';
import type { BlockData } from './blockData';
import { EditorActionsContext } from './editorActions';

export type LayerNode = Node<BlockData, 'layer'>;

/** One layer on the canvas: type, hyperparameters, output shape, parameters, and its worst problem. */
function LayerBlockView({ data, selected }: NodeProps<LayerNode>) {
  const actions = useContext(EditorActionsContext);
  const heatStyle = data.heat !== undefined ? { background: `color-mix(in srgb, var(--cnn-heat) ${Math.round(8 + data.heat * 72)}%, var(--cnn-block-bg))` } : undefined;
  return (
    <div
      className={`cnn-block status-${data.status}${selected ? ' selected' : ''}${data.instance ? ' instance' : ''}${data.repeat ? ' stacked' : ''}${data.port ? ' port' : ''}${data.bypassed ? ' bypassed' : ''}`}
      data-testid="block"
      data-node-id={data.id}
      data-status={data.status}
      data-instance={data.instance ? 'true' : undefined}
      data-repeat={data.repeat}
      style={heatStyle}
      title={data.problem}
    >
      {data.maxInputs > 0 && <Handle type="target" position={Position.Top} data-testid="handle-in" className={data.maxInputs > 1 ? 'multi' : undefined} />}
      <div className="cnn-block-head">
        <span className="cnn-block-type" data-testid="block-type">
          {data.label}
        </span>
        <span className="cnn-block-title" data-testid="block-title">
          {data.title}
        </span>
        {data.repeat !== undefined && (
          <span className="cnn-block-repeat" data-testid="block-repeat" title={`${data.repeat} copies of ${data.type}, one after the other`}>
            ×{data.repeat}
          </span>
        )}
      </div>
      {data.summary && (
        <div className="cnn-block-summary" data-testid="block-summary">
          {data.summary}
        </div>
      )}
      <div className="cnn-block-foot">
        <span className="cnn-block-shape" data-testid="block-shape">
          {data.shape}
        </span>
        {!data.port && (
          <span className="cnn-block-params" data-testid="block-params" data-params={data.params}>
            {formatCount(data.params)} params
          </span>
        )}
        {data.share !== undefined && (
          <span className="cnn-block-heat" data-testid="block-heat" data-share={data.share.toFixed(4)}>
            {(data.share * 100).toFixed(1)}%
          </span>
        )}
      </div>
      {data.problem && (
        <div className="cnn-block-problem" data-testid="block-problem" role="alert">
          <span>{data.problem}</span>
          {data.fix && (
            <button
              type="button"
              className="cnn-fix nodrag"
              data-testid="block-fix"
              onClick={(e) => {
                e.stopPropagation();
                actions.applyFix(data.fix!.edit);
              }}
            >
              {data.fix.title}
            </button>
          )}
        </div>
      )}
      {data.port !== 'out' && <Handle type="source" position={Position.Bottom} data-testid="handle-out" />}
    </div>
  );
}

/**
 * A block draws only its data and selection. React Flow also hands it its measured size, position
 * and drag state, which change for every block once they are first measured: comparing only what
 * is drawn spares a second render of every block when a large design first shows.
 */
const drawsTheSame = (before: NodeProps<LayerNode>, after: NodeProps<LayerNode>): boolean => before.data === after.data && before.selected === after.selected;

export const LayerBlock = memo(LayerBlockView, drawsTheSame);
