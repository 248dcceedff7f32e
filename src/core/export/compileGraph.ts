import { analyzeDesign, type DesignAnalysis } from '../analysis/analyzeDesign';
import type { Design, DesignNode, Shape } from '../design';
import { nodeIdProblem } from '../format/nodeIdProblem';
import { getLayerType } from '../layers/layerCatalog';
import type { LayerType } from '../layers/layerType';
import { planKerasLayers, type KerasLimitation, type PlannedKerasLayer } from './planKerasLayers';
import { identifierNames } from './identifierNames';

/** One Keras / TF.js layer of the compiled model, with the layers it reads from. */
export type CompiledLayer = PlannedKerasLayer;

/** A node with everything the code generators need, in an order where inputs come first. */
export interface CompiledNode {
  node: DesignNode;
  layer: LayerType<any>;
  params: Record<string, unknown>;
  inputShapes: Shape[];
  outputShape: Shape;
  /** Ids of the nodes feeding it, in edge order. */
  sources: readonly string[];
  /** Identifier shared by every export (PyTorch attribute, JS variable, Keras layer name). */
  name: string;
}

export interface CompiledGraph {
  /** The design compiled: for a design with blocks, the plain design it expands to. */
  design: Design;
  /** The design as written, when it has blocks (the PyTorch export writes a class per block from it). */
  source?: Design;
  analysis: DesignAnalysis;
  nodes: CompiledNode[];
  inputIds: readonly string[];
  outputIds: readonly string[];
  /** The Keras / TF.js layers, inputs first. */
  layers: CompiledLayer[];
  /** The Keras layer producing each node's output. */
  outputLayer: Map<string, string>;
  /** The Keras layer holding a node's weights (the one whose spec lists `weights`). */
  weightedLayer: Map<string, CompiledLayer>;
  /** A single input and every layer feeding exactly the next: Keras' Sequential fits. */
  isChain: boolean;
  /** Nodes the Keras and TF.js exports refuse (PyTorch and ONNX export them). */
  kerasLimitations: KerasLimitation[];
}

/**
 * Checks a design and lays it out for the code generators: node order, input edges and shapes, the
 * Keras layers each node becomes. Throws an Error naming the problems when the design has errors,
 * since exporting a broken design would only move the error into someone's Python session.
 */
export function compileGraph(written: Design): CompiledGraph {
  const analysis = analyzeDesign(written);
  // Every target compiles the plain design; blocks only shape the PyTorch code.
  const design = analysis.expansion?.design ?? written;
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    // An id outside the id rule is quoted (escaped) by its own message; it is not printed raw.
    const listed = errors.slice(0, 5).map((d) => `${d.nodeId && !nodeIdProblem(d.nodeId) ? `${d.nodeId}: ` : ''}${d.message}`);
    throw new Error(
      `Cannot export "${design.name}": the design has ${errors.length} error${errors.length > 1 ? 's' : ''}. ${listed.join(' ')}${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ''}`,
    );
  }
  if (analysis.outputIds.length === 0) throw new Error(`Cannot export "${design.name}": it has no layer after its input.`);
  const names = identifierNames(design);
  const graph = analysis.graph;
  // Branch by branch, so that generated code reads like hand-written code.
  const nodes: CompiledNode[] = graph.depthFirstOrder().map((id) => {
    const node = design.nodes[graph.indexOf(id)];
    const info = analysis.nodes[id];
    return {
      node,
      layer: getLayerType(node.type)!,
      params: info.resolvedParams!,
      inputShapes: info.inputShapes,
      outputShape: info.outputShape!,
      sources: graph.inputs(id),
      name: names.get(id)!,
    };
  });

  const { layers, outputLayer, weightedLayer, limitations } = planKerasLayers(design, analysis, nodes.map((c) => c.node.id), { nameOf: (id) => names.get(id)!, whenTaken: 'rename' });

  return { design, ...(analysis.expansion ? { source: written } : {}), analysis, nodes, inputIds: graph.inputIds, outputIds: graph.outputIds, layers, outputLayer, weightedLayer, isChain: graph.isChain, kerasLimitations: limitations };
}
