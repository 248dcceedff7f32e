import type { DesignEdge, Shape } from '../design';
import type { Design } from '../design';
import type { DesignGraph } from '../graph/DesignGraph';
import { getLayerType, LAYER_TYPE_NAMES } from '../layers/layerCatalog';
import { resolveParams } from '../layers/resolveParams';
import type { NodeAnalysis } from './analyzeDesign';
import type { Diagnostic, DiagnosticInput, SuggestedFix } from './diagnostic';

/** A connection whose missing end is probably a typo: what it likely meant. */
export interface EdgeRepair {
  edge: DesignEdge;
  newSource: string;
  newTarget: string;
  /** The names guessed, for messages: "conv1" for "conv_1". */
  guesses: { typed: string; meant: string }[];
}

/** The fix that reconnects a connection with a mistyped end to the node it probably meant. */
export function reconnectFix(r: EdgeRepair): SuggestedFix {
  return {
    title: `Connect ${r.newSource} → ${r.newTarget} instead (${r.guesses.map((g) => `"${g.meant}" for "${g.typed}"`).join(', ')})`,
    edit: { kind: 'reconnectEdge', source: r.edge.source, target: r.edge.target, newSource: r.newSource, newTarget: r.newTarget },
  };
}

/** What one layer's analysis reads besides the analyses of its inputs: the design and its wiring problems. */
export interface LayerAnalysisContext {
  design: Design;
  graph: DesignGraph;
  /** Analyses by id; the layer's inputs are final when it is analyzed, its own entry is filled in. */
  nodes: Record<string, NodeAnalysis>;
  /** Connections naming a layer that does not exist. */
  danglingEdges: readonly DesignEdge[];
  repairs: readonly EdgeRepair[];
}

/** A node's analysis before its layer is analyzed: nothing known yet. */
export function emptyNodeAnalysis(id: string, type: string): NodeAnalysis {
  return { id, type, inputShapes: [], params: 0, trainableParams: 0, nonTrainableParams: 0, macs: 0, activationBytes: 0, status: 'ok' };
}

/**
 * Analyzes one layer from the analyses of its inputs: its shapes, parameters, MACs, receptive field
 * and its own problems, each passed to `push` located at the node or the parameter. Reads nothing
 * else that can change from one layer to another, so a re-analysis after an edit can run it on only
 * the layers the edit reaches.
 */
export function analyzeLayer(context: LayerAnalysisContext, id: string, push: (d: Diagnostic) => void): void {
  const { design, graph, nodes, danglingEdges, repairs } = context;
  const index = graph.indexOf(id);
  const node = design.nodes[index];
  const result = nodes[id];
  const raw = node.params;
  // The sources of the incoming connections, in declared order (no edge objects: this runs per node).
  const sources = graph.inputs(id);
  const report = (d: DiagnosticInput): void => {
    // A layer rule can ask to insert before itself without knowing its input edge.
    if (d.fixes && sources.length) {
      for (const fix of d.fixes) if (fix.edit?.kind === 'insertLayer' && fix.edit.source === '') fix.edit = { ...fix.edit, source: sources[0] };
    }
    const { param, fixes, ...rest } = d;
    push({
      ...rest,
      nodeId: id,
      path: param && Object.prototype.hasOwnProperty.call(raw, param) ? ['nodes', index, 'params', param] : ['nodes', index],
      fixes: fixes ?? [],
    });
  };
  const layer = getLayerType(node.type);
  const inputShapes = sources.map((source) => nodes[source].outputShape);
  result.inputShapes = inputShapes.includes(undefined) ? inputShapes.filter((s): s is Shape => !!s) : (inputShapes as Shape[]);
  if (!layer) {
    const close = LAYER_TYPE_NAMES.find((t) => t.toLowerCase() === node.type.toLowerCase() || t.toLowerCase().startsWith(node.type.toLowerCase().slice(0, 4)));
    report({
      severity: 'error',
      code: 'unknown-layer-type',
      message: `"${node.type}" is not a layer type.${close ? ` Did you mean "${close}"?` : ''} Known types: ${LAYER_TYPE_NAMES.join(', ')}.`,
      fixes: close ? [{ title: `Change the type to ${close}` }] : [],
    });
    return;
  }
  const params = resolveParams(layer.params, node.params, report, layer.label);
  if (params) {
    result.resolvedParams = params;
    try {
      result.summary = layer.summarize(params);
    } catch {
      result.summary = undefined;
    }
  }
  if (sources.length < layer.inputs.min) {
    // A connection meant for this layer may name its source wrongly: then the layer is fine, the name is not.
    const mistyped = danglingEdges.filter((e) => e.target === id && !graph.has(e.source));
    const repaired = repairs.filter((r) => r.newTarget === id);
    const why = mistyped.length ? ` Its connection${mistyped.length > 1 ? 's' : ''} from ${mistyped.map((e) => `"${e.source}"`).join(', ')} name${mistyped.length > 1 ? '' : 's'} no layer of this design.` : '';
    report(
      layer.inputs.min === 1
        ? {
            severity: 'error',
            code: 'dangling-node',
            message: `${layer.label} "${id}" has no input: connect a layer (or the Input) to it.${why}`,
            fixes: repaired.length || mistyped.length ? repaired.map(reconnectFix) : design.nodes.length > 1 ? [{ title: 'Delete this layer', edit: { kind: 'removeNode', nodeId: id } }] : [],
          }
        : {
            severity: 'error',
            code: 'too-few-inputs',
            message: `${layer.label} merges branches and needs at least ${layer.inputs.min} inputs; it has ${sources.length}.${why}`,
            fixes: repaired.map(reconnectFix),
          },
    );
    return;
  }
  if (sources.length > layer.inputs.max) {
    report({
      severity: 'error',
      code: layer.inputs.max === 0 ? 'input-with-inputs' : 'too-many-inputs',
      message:
        layer.inputs.max === 0
          ? 'An Input layer starts the network and cannot receive connections.'
          : `${layer.label} takes one input but ${sources.length} are connected (${sources.join(', ')}). To join branches, put an Add or Concatenate before it.`,
      fixes:
        layer.inputs.max === 0
          ? sources.map((source) => ({ title: `Remove the connection ${source} → ${id}`, edit: { kind: 'removeEdge' as const, source, target: id } }))
          : [],
    });
    return;
  }
  // Upstream problems already explain why an input has no shape.
  if (!params || result.inputShapes.length !== sources.length) return;
  const inferred = layer.infer({
    node,
    params,
    inputShapes: result.inputShapes,
    // The inputs' analyses carry their fields: no copy per layer.
    inputFields: sources.map((source) => nodes[source]),
    inputIds: sources,
    report,
  });
  if (!inferred) return;
  const outputShape = inferred.outputShape;
  result.outputShape = outputShape;
  result.trainableParams = inferred.trainableParams;
  result.nonTrainableParams = inferred.nonTrainableParams;
  result.params = inferred.trainableParams + inferred.nonTrainableParams;
  result.macs = inferred.macs;
  let elements = 1;
  for (const extent of outputShape) elements *= extent;
  result.activationBytes = 4 * elements;
  result.receptiveField = inferred.receptiveField;
  result.effectiveStride = inferred.effectiveStride;
  // Element-wise and per-position layers (activations, batch norm, dropout) see what their input saw.
  const first = sources.length === 1 ? nodes[sources[0]] : undefined;
  if (!result.receptiveField && first?.receptiveField && first.outputShape && sameSpatialExtent(first.outputShape, outputShape)) {
    result.receptiveField = first.receptiveField;
    result.effectiveStride = first.effectiveStride;
  }
  result.formulas = inferred.formulas;
}

/** Whether two shapes have a spatial axis and agree on all axes but the last (the channels). */
function sameSpatialExtent(a: Shape, b: Shape): boolean {
  if (a.length !== b.length || b.length < 2) return false;
  for (let i = 0; i < b.length - 1; i++) if (a[i] !== b[i]) return false;
  return true;
}
