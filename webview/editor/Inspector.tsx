import { memo, useEffect, useMemo, useState } from 'react';
import { nodeAnalysisOf } from '../../src/core/analysis/nodeAnalysisOf';
import type { DesignAnalysis } from '../../src/core/analysis/analyzeDesign';
import type { Diagnostic, FixEdit } from '../../src/core/analysis/diagnostic';
import type { Design, DesignNode } from '../../src/core/design';
import { applyIntention } from '../../src/core/edit/applyIntention';
import type { EditIntention } from '../../src/core/edit/editIntention';
import { getLayerType } from '../../src/core/layers/layerCatalog';
import type { ParamSpec } from '../../src/core/layers/layerType';
import { formatCount, formatShape } from '../../src/core/summary/formatNumber';
import { VscodeButton, VscodeCheckbox, VscodeOption, VscodeSingleSelect, VscodeTextfield, checkedOf, placeListWithRoom, selectedOf, textOf, type SingleSelectElement } from './controls';
import { paramToText, parseParamText } from './paramText';
import { BlockNodeInspector } from './BlockNodeInspector';
import { NodeFacts } from './NodeFacts';
import type { OpenedBlock } from './buildBlockView';

interface InspectorProps {
  design: Design;
  analysis: DesignAnalysis;
  /** Diagnostics of the whole document (structure and design). */
  diagnostics: Diagnostic[];
  selected: DesignNode | undefined;
  selectedCount: number;
  /** Analyzes a design the way the canvas does (with the what-if input size, if any). */
  analyze: (design: Design) => DesignAnalysis;
  onEdit: (intention: EditIntention) => void;
  onFix: (edit: FixEdit) => void;
  /** The instance whose block the canvas shows, if one is opened; `selectedInBlock` is then its selected layer. */
  opened?: OpenedBlock;
  selectedInBlock?: DesignNode;
  onOpenBlock: (instanceId: string) => void;
}

const signed = (n: number): string => (n > 0 ? `+${formatCount(n)}` : n < 0 ? `−${formatCount(-n)}` : '±0');

/** The selected block's form (validated, with the effect shown before it is applied), its formulas and problems. */
export const Inspector = memo(function Inspector(props: InspectorProps) {
  const { selected, selectedCount } = props;
  return (
    <aside className="cnn-inspector" aria-label="Inspector" data-testid="inspector">
      {props.opened ? (
        props.selectedInBlock ? (
          <BlockNodeInspector key={props.selectedInBlock.id} opened={props.opened} node={props.selectedInBlock} analysis={props.analysis} onEdit={props.onEdit} />
        ) : (
          <OpenedBlockOverview opened={props.opened} analysis={props.analysis} />
        )
      ) : selectedCount > 1 ? (
        <p data-testid="inspector-multi">{selectedCount} layers selected. Delete, copy or duplicate them together.</p>
      ) : selected ? (
        <NodeInspector key={selected.id} {...props} node={selected} />
      ) : (
        <DesignOverview {...props} />
      )}
    </aside>
  );
});

function DiagnosticList({ diagnostics, onFix }: { diagnostics: Diagnostic[]; onFix: (edit: FixEdit) => void }) {
  if (diagnostics.length === 0) return null;
  return (
    <ul className="cnn-diagnostics">
      {diagnostics.map((d, i) => (
        <li key={i} className={`severity-${d.severity}`} data-testid="inspector-diagnostic" data-code={d.code} data-severity={d.severity}>
          <span className="cnn-diagnostic-message">{d.message}</span>
          {d.line !== undefined && <span className="cnn-diagnostic-location"> (line {d.line})</span>}
          {d.fixes.map((f, j) =>
            f.edit ? (
              <VscodeButton key={j} secondary className="cnn-fix" data-testid="fix-button" title={f.title} onClick={() => onFix(f.edit!)}>
                {f.title}
              </VscodeButton>
            ) : (
              <span key={j} className="cnn-fix-hint">
                {f.title}
              </span>
            ),
          )}
        </li>
      ))}
    </ul>
  );
}

function OpenedBlockOverview({ opened, analysis }: { opened: OpenedBlock; analysis: DesignAnalysis }) {
  const info = nodeAnalysisOf(analysis, opened.expandedId);
  return (
    <div data-testid="inspector-opened-block">
      <h2>
        {opened.blockName} <span className="cnn-muted">{opened.instanceId}</span>
      </h2>
      {opened.block.description && <p className="cnn-muted">{opened.block.description}</p>}
      <p className="cnn-muted">Select a layer of the block to edit its parameters; the shapes are those of {opened.instanceId}.</p>
      <section className="cnn-facts">
        <div>Inputs {opened.block.inputs.join(', ')}</div>
        <div>Outputs {opened.block.outputs.join(', ')}</div>
        <div>
          Params of the instance <strong data-testid="inspector-params">{formatCount(info?.params ?? 0)}</strong>
        </div>
      </section>
    </div>
  );
}

/** An instance's own fields: how many copies run (a stage), its arguments, and the way into its block. */
function InstanceFields({ design, node, onEdit, onOpenBlock }: { design: Design; node: DesignNode; onEdit: (intention: EditIntention) => void; onOpenBlock: (instanceId: string) => void }) {
  const block = design.blocks![node.type];
  const [repeat, setRepeat] = useState(String(node.repeat ?? 1));
  const [args, setArgs] = useState<Record<string, string>>({});
  useEffect(() => {
    setRepeat(String(node.repeat ?? 1));
    setArgs({});
  }, [node]);
  const repeatNumber = Number(repeat);
  const repeatProblem = /^\s*\d+\s*$/.test(repeat) && repeatNumber >= 1 && repeatNumber <= 1000 ? undefined : 'A whole number from 1 to 1000.';
  const applyRepeat = (): void => {
    if (repeatProblem || repeatNumber === (typeof node.repeat === 'number' ? node.repeat : 1)) return;
    onEdit({ kind: 'setRepeat', nodeId: node.id, repeat: repeatNumber });
  };
  // An argument is JSON where it reads as JSON (8, true, [3, 3]), else the text itself.
  const argValue = (text: string): unknown => {
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  const canRepeat = block.inputs.length === 1 && block.outputs.length === 1;
  return (
    <section data-testid="inspector-instance">
      <p className="cnn-muted">
        An instance of block {node.type} ({block.nodes.length} layers{block.description ? `: ${block.description}` : ''}).
      </p>
      <VscodeButton secondary className="cnn-button" data-testid="inspector-open-block" title="Show the block's layers, with this instance's shapes (or double-click the block)" onClick={() => onOpenBlock(node.id)}>
        Open block
      </VscodeButton>
      {canRepeat && (
        <div className="cnn-field">
          <label htmlFor="cnn-field-repeat" title="Copies of the block, one after the other (a stage)">
            Repeat
          </label>
          <VscodeTextfield
            id="cnn-field-repeat"
            className={`cnn-input${repeatProblem ? ' invalid' : ''}`}
            data-testid="inspector-repeat"
            invalid={!!repeatProblem}
            value={repeat}
            onInput={(e) => setRepeat(textOf(e))}
            onKeyDown={(e) => {
              if (e.key === 'Enter') applyRepeat();
              if (e.key === 'Escape') setRepeat(String(node.repeat ?? 1));
            }}
            onBlur={applyRepeat}
          />
          {repeatProblem && (
            <div className="cnn-field-error" role="alert" data-testid="inspector-repeat-problem">
              {repeatProblem}
            </div>
          )}
        </div>
      )}
      {Object.entries(block.params).map(([name, spec]) => {
        const fieldId = `cnn-arg-${name}`;
        const apply = (): void => {
          if (args[name] === undefined) return;
          onEdit({ kind: 'setParams', nodeId: node.id, params: { [name]: argValue(args[name]) } });
        };
        return (
          <div className="cnn-field" key={name} data-testid={`arg-${name}`}>
            <label htmlFor={fieldId} title={spec.doc}>
              {name}
            </label>
            <VscodeTextfield
              id={fieldId}
              className="cnn-input"
              data-testid={`arg-input-${name}`}
              placeholder={spec.default !== undefined ? `${JSON.stringify(spec.default)} (default)` : 'required'}
              value={args[name] ?? (node.params[name] === undefined ? '' : JSON.stringify(node.params[name]))}
              onInput={(e) => {
                const text = textOf(e);
                setArgs((a) => ({ ...a, [name]: text }));
              }}
              onKeyDown={(e) => e.key === 'Enter' && apply()}
              onBlur={apply}
            />
          </div>
        );
      })}
    </section>
  );
}

function DesignOverview({ design, diagnostics, onFix }: InspectorProps) {
  return (
    <div data-testid="inspector-design">
      <h2>{design.name}</h2>
      {design.description && <p className="cnn-muted">{design.description}</p>}
      <p className="cnn-muted">Select a block to edit it. Drag layers from the palette, or press Ctrl+K to add one.</p>
      <DiagnosticList diagnostics={diagnostics} onFix={onFix} />
    </div>
  );
}

function NodeInspector({ design, analysis, node, analyze, onEdit, onFix, onOpenBlock }: InspectorProps & { node: DesignNode }) {
  const layer = getLayerType(node.type);
  const isInstance = !layer && !!design.blocks && Object.prototype.hasOwnProperty.call(design.blocks, node.type);
  const info = nodeAnalysisOf(analysis, node.id);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [name, setName] = useState(node.name ?? '');
  const [id, setId] = useState(node.id);
  // A new document (e.g. after undo) resets fields that are not being edited.
  useEffect(() => {
    setDrafts({});
    setName(node.name ?? '');
    setId(node.id);
  }, [node]);

  // Why the typed id cannot be used (not a valid id, or another layer's), checked as the host will check it.
  const idProblem = useMemo(() => {
    if (id === node.id) return undefined;
    const renamed = applyIntention(design, { kind: 'rename', nodeId: node.id, newId: id });
    return renamed.ok ? undefined : renamed.reason;
  }, [design, node.id, id]);

  const parsedDrafts = useMemo(() => {
    const out: Record<string, ReturnType<typeof parseParamText>> = {};
    for (const spec of layer?.params ?? []) if (drafts[spec.name] !== undefined) out[spec.name] = parseParamText(spec, drafts[spec.name]);
    return out;
  }, [drafts, layer]);
  const pending = Object.entries(parsedDrafts).filter(([key, p]) => p.error === undefined && JSON.stringify(p.value ?? null) !== JSON.stringify(node.params[key] ?? null));
  const hasErrors = Object.values(parsedDrafts).some((p) => p.error !== undefined);
  const pendingParams = Object.fromEntries(pending.map(([key, p]) => [key, p.value ?? null]));

  const preview = useMemo(() => {
    if (pending.length === 0) return undefined;
    const result = applyIntention(design, { kind: 'setParams', nodeId: node.id, params: pendingParams });
    if (!result.ok) return undefined;
    const after = analyze(result.design);
    const next = nodeAnalysisOf(after, node.id);
    return {
      shape: next?.outputShape,
      params: next?.params ?? 0,
      totalDelta: after.totals.params - analysis.totals.params,
      macsDelta: after.totals.macs - analysis.totals.macs,
      problems: after.diagnostics.filter((d) => d.severity === 'error' && !analysis.diagnostics.some((old) => old.message === d.message)),
    };
    // pendingParams is derived from drafts; recomputing on each keystroke is the point.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [design, analysis, node.id, JSON.stringify(pendingParams), analyze]);

  const apply = (): void => {
    if (pending.length === 0 || hasErrors) return;
    onEdit({ kind: 'setParams', nodeId: node.id, params: pendingParams });
  };
  const applyNow = (spec: ParamSpec, value: unknown): void => {
    setDrafts((d) => ({ ...d, [spec.name]: paramToText(value) }));
    onEdit({ kind: 'setParams', nodeId: node.id, params: { [spec.name]: value } });
  };
  const nodeDiagnostics = analysis.diagnostics.filter((d) => d.nodeId === node.id || d.edge?.target === node.id);

  return (
    <div data-testid="inspector-node" data-node-id={node.id}>
      <h2>
        {layer?.label ?? node.type} <span className="cnn-muted">{node.id}</span>
      </h2>
      {layer && <p className="cnn-muted">{layer.description}</p>}
      {isInstance && <InstanceFields design={design} node={node} onEdit={onEdit} onOpenBlock={onOpenBlock} />}
      <div className="cnn-field">
        <label htmlFor="cnn-field-id">Id</label>
        <VscodeTextfield
          id="cnn-field-id"
          className={`cnn-input${idProblem ? ' invalid' : ''}`}
          data-testid="inspector-id"
          aria-invalid={!!idProblem}
          invalid={!!idProblem}
          value={id}
          onInput={(e) => setId(textOf(e))}
          onKeyDown={(e) => {
            if (e.key === 'Enter') e.currentTarget.blur();
            if (e.key === 'Escape') setId(node.id);
          }}
          onBlur={() => id !== node.id && !idProblem && onEdit({ kind: 'rename', nodeId: node.id, newId: id })}
        />
        {idProblem && (
          <div className="cnn-field-error" role="alert" data-testid="inspector-id-problem">
            {idProblem}
          </div>
        )}
      </div>
      <div className="cnn-field">
        <label htmlFor="cnn-field-name">Name</label>
        <VscodeTextfield
          id="cnn-field-name"
          className="cnn-input"
          data-testid="inspector-name"
          placeholder={node.id}
          value={name}
          onInput={(e) => setName(textOf(e))}
          onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
          onBlur={() => name !== (node.name ?? '') && onEdit({ kind: 'rename', nodeId: node.id, name })}
        />
      </div>
      {layer?.params.map((spec) => {
        const current = node.params[spec.name];
        const shown = drafts[spec.name] ?? paramToText(current);
        const error = parsedDrafts[spec.name]?.error;
        const fieldId = `cnn-param-${spec.name}`;
        return (
          <div className="cnn-field" key={spec.name} data-testid={`param-${spec.name}`}>
            <label htmlFor={fieldId} title={spec.doc}>
              {spec.label}
              {spec.unit && <span className="cnn-muted"> ({spec.unit})</span>}
            </label>
            {spec.kind === 'bool' ? (
              <VscodeCheckbox id={fieldId} data-testid={`param-input-${spec.name}`} checked={(current ?? spec.default) === true} onChange={(e) => applyNow(spec, checkedOf(e))} />
            ) : spec.kind === 'enum' ? (
              <VscodeSingleSelect
                id={fieldId}
                className="cnn-input"
                data-testid={`param-input-${spec.name}`}
                value={String(current ?? spec.default ?? '')}
                onChange={(e) => applyNow(spec, selectedOf(e))}
                // Capture: decided before the component's own handlers open the list.
                onPointerDownCapture={(e) => placeListWithRoom(e.currentTarget as SingleSelectElement, spec.options.length)}
                onKeyDownCapture={(e) => placeListWithRoom(e.currentTarget as SingleSelectElement, spec.options.length)}
              >
                {spec.options.map((o) => (
                  <VscodeOption key={o} value={o}>
                    {o}
                  </VscodeOption>
                ))}
              </VscodeSingleSelect>
            ) : (
              <VscodeTextfield
                id={fieldId}
                className={`cnn-input${error ? ' invalid' : ''}`}
                data-testid={`param-input-${spec.name}`}
                aria-invalid={!!error}
                invalid={!!error}
                placeholder={spec.default !== undefined ? `${paramToText(spec.default)} (default)` : spec.kind === 'window' && spec.name === 'strides' ? 'pool size' : ''}
                value={shown}
                onInput={(e) => {
                  const text = textOf(e);
                  setDrafts((d) => ({ ...d, [spec.name]: text }));
                }}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') apply();
                  if (e.key === 'Escape') setDrafts((d) => Object.fromEntries(Object.entries(d).filter(([k]) => k !== spec.name)));
                }}
              />
            )}
            {spec.kind === 'padding' && <div className="cnn-muted cnn-field-hint">valid, same, or a number</div>}
            {spec.kind === 'sides' && <div className="cnn-muted cnn-field-hint">{spec.dims === 2 ? 'a number, or top, bottom, left, right' : 'a number, or before, after'}</div>}
            {error && (
              <div className="cnn-field-error" data-testid={`param-error-${spec.name}`} role="alert">
                {error}
              </div>
            )}
          </div>
        );
      })}
      {layer?.presets
        ?.filter((preset) => Object.entries(preset.params).some(([key, value]) => JSON.stringify(node.params[key] ?? layer.params.find((p) => p.name === key)?.default) !== JSON.stringify(value)))
        .map((preset) => (
          <div className="cnn-field" key={preset.title} data-testid="inspector-preset">
            <VscodeButton secondary className="cnn-button" title={preset.detail} onClick={() => onEdit({ kind: 'setParams', nodeId: node.id, params: preset.params })}>
              {preset.title}
            </VscodeButton>
            <div className="cnn-muted cnn-field-hint">{preset.detail}</div>
          </div>
        ))}
      {preview && (
        <div className="cnn-preview" data-testid="inspector-preview">
          <div>
            Output <span data-testid="preview-shape-before">{formatShape(info?.outputShape)}</span> → <strong data-testid="preview-shape-after">{formatShape(preview.shape)}</strong>
          </div>
          <div>
            Params {formatCount(info?.params ?? 0)} → <strong data-testid="preview-params-after">{formatCount(preview.params)}</strong> (model {signed(preview.totalDelta)}, MACs {signed(preview.macsDelta)})
          </div>
          {preview.problems.map((p, i) => (
            <div key={i} className="cnn-field-error" data-testid="preview-problem">
              {p.message}
            </div>
          ))}
          <VscodeButton className="cnn-button" data-testid="inspector-apply" disabled={hasErrors} onClick={apply}>
            Apply
          </VscodeButton>
          <VscodeButton secondary className="cnn-button" data-testid="inspector-revert" onClick={() => setDrafts({})}>
            Revert
          </VscodeButton>
        </div>
      )}
      <NodeFacts info={info} full />
      {info?.formulas?.length ? (
        <section className="cnn-formulas" aria-label="Output size formulas">
          <h3>Why this shape</h3>
          {info.formulas.map((f) => (
            <div key={f.axis} className="cnn-formula" data-testid="inspector-formula" data-axis={f.axis}>
              <span className="cnn-muted">{f.axis}: </span>
              {f.text}
            </div>
          ))}
        </section>
      ) : null}
      <DiagnosticList diagnostics={nodeDiagnostics} onFix={onFix} />
    </div>
  );
}
