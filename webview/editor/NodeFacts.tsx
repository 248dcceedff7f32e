import type { NodeAnalysis } from '../../src/core/analysis/analyzeDesign';
import { formatCount, formatShape } from '../../src/core/summary/formatNumber';

/**
 * What the analysis says of the selected node: its output shape and parameters, and where `full`,
 * its frozen parameters, MACs, receptive field and input shapes too.
 */
export function NodeFacts({ info, full = false }: { info: NodeAnalysis | undefined; full?: boolean }) {
  return (
    <section className="cnn-facts">
      <div>
        Output <strong data-testid="inspector-shape">{formatShape(info?.outputShape)}</strong>
      </div>
      <div>
        Params <strong data-testid="inspector-params">{formatCount(info?.params ?? 0)}</strong>
        {full && info && info.nonTrainableParams > 0 && <span className="cnn-muted"> ({formatCount(info.nonTrainableParams)} non-trainable)</span>}
      </div>
      {full && (
        <>
          <div>MACs {formatCount(info?.macs ?? 0)}</div>
          {info?.receptiveField && <div>Receptive field {info.receptiveField.join('×')}</div>}
          {info?.inputShapes.length ? <div>Input {info.inputShapes.map((s) => formatShape(s)).join(' + ')}</div> : null}
        </>
      )}
    </section>
  );
}
