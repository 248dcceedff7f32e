import { useEffect, useState } from 'react';
import type { DesignAnalysis } from '../../src/core/analysis/analyzeDesign';
import { nodeAnalysisOf } from '../../src/core/analysis/nodeAnalysisOf';
import { isExpression } from '../../src/core/blocks/blockExpression';
import type { DesignNode } from '../../src/core/design';
import type { EditIntention } from '../../src/core/edit/editIntention';
import { getLayerType } from '../../src/core/layers/layerCatalog';
import type { OpenedBlock } from './buildBlockView';
import { NodeFacts } from './NodeFacts';
import { VscodeTextfield, textOf } from './controls';
import { paramToText, parseParamText } from './paramText';

interface BlockNodeInspectorProps {
  opened: OpenedBlock;
  node: DesignNode;
  analysis: DesignAnalysis;
  onEdit(intention: EditIntention): void;
}

/**
 * A layer inside an opened block: its parameters as the block writes them (numbers or "$parameter"
 * expressions), edited in the block's definition, and the shape and size it has in the instance
 * the block was opened from.
 */
export function BlockNodeInspector({ opened, node, analysis, onEdit }: BlockNodeInspectorProps) {
  const layer = getLayerType(node.type);
  const info = nodeAnalysisOf(analysis, `${opened.expandedPrefix}.${node.id}`);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => {
    setDrafts({});
    setErrors({});
  }, [node]);

  const apply = (name: string): void => {
    const spec = layer?.params.find((p) => p.name === name);
    const text = drafts[name];
    if (!spec || text === undefined) return;
    // An expression of the block's parameters is kept as written; the analysis checks it per instance.
    const parsed = text.includes('$') ? { value: text.trim() } : parseParamText(spec, text);
    if (parsed.error !== undefined) return setErrors((e) => ({ ...e, [name]: parsed.error }));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== name)));
    onEdit({ kind: 'setBlockNodeParams', block: opened.blockName, nodeId: node.id, params: { [name]: parsed.value ?? null } });
  };

  return (
    <div data-testid="inspector-block-node" data-node-id={node.id}>
      <h2>
        {layer?.label ?? node.type} <span className="cnn-muted">{node.id}</span>
      </h2>
      <p className="cnn-muted">
        In block {opened.blockName}, as instance {opened.instanceId} computes it.
      </p>
      {layer?.params.map((spec) => {
        const current = node.params[spec.name];
        const fieldId = `cnn-block-param-${spec.name}`;
        return (
          <div className="cnn-field" key={spec.name} data-testid={`param-${spec.name}`}>
            <label htmlFor={fieldId} title={spec.doc}>
              {spec.label}
            </label>
            <VscodeTextfield
              id={fieldId}
              className={`cnn-input${errors[spec.name] ? ' invalid' : ''}`}
              data-testid={`param-input-${spec.name}`}
              data-expression={isExpression(current) ? 'true' : undefined}
              placeholder={spec.default !== undefined ? `${paramToText(spec.default)} (default)` : ''}
              value={drafts[spec.name] ?? paramToText(current)}
              onInput={(e) => {
                const text = textOf(e);
                setDrafts((d) => ({ ...d, [spec.name]: text }));
              }}
              onKeyDown={(e) => e.key === 'Enter' && apply(spec.name)}
            />
            {errors[spec.name] && (
              <div className="cnn-field-error" role="alert" data-testid={`param-error-${spec.name}`}>
                {errors[spec.name]}
              </div>
            )}
          </div>
        );
      })}
      <NodeFacts info={info} />
    </div>
  );
}
