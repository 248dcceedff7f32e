import { analyzeDesign, type DesignAnalysis } from '../analysis/analyzeDesign';
import type { Design, DesignNode, Shape } from '../design';
import { nodeIdProblem } from '../format/nodeIdProblem';
import { getLayerType } from '../layers/layerCatalog';
import type { LayerType } from '../layers/layerType';
import { identifierNames } from './identifierNames';

/** One Keras / TF.js layer of the compiled model, with the layers it reads from. */
export interface CompiledLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Names of the layers feeding it, in the design's edge order (none for an InputLayer). */
  inbound: string[];
  nodeId: string;
  /** The catalog's suffix for this layer of its node ('' for the node's output layer). */
  suffix: string;
}

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
  design: Design;
  analysis: DesignAnalysis;
  nodes: CompiledNode[];
  inputIds: readonly string[];
  outputIds: readonly string[];
  /** The Keras / TF.js layers, inputs first. */
  layers: CompiledLayer[];
  /** The Keras layer producing each node's output. */
  outputLayer: Map<string, string>;
  /** The Keras layer holding a node's weights (Conv, Dense, BatchNormalization). */
  weightedLayer: Map<string, CompiledLayer>;
  /** A single input and every layer feeding exactly the next: Keras' Sequential fits. */
  isChain: boolean;
}

const WEIGHTED = new Set(['Conv1D', 'Conv2D', 'Dense', 'BatchNormalization']);

/**
 * Checks a design and lays it out for the code generators: node order, input edges and shapes, the
 * Keras layers each node becomes. Throws an Error naming the problems when the design has errors,
 * since exporting a broken design would only move the error into someone's Python session.
 */
export function compileGraph(design: Design): CompiledGraph {
  const analysis = analyzeDesign(design);
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

  const layers: CompiledLayer[] = [];
  const outputLayer = new Map<string, string>();
  const weightedLayer = new Map<string, CompiledLayer>();
  const taken = new Set(nodes.map((n) => n.name));
  for (const c of nodes) {
    const specs = c.layer.toKeras(c.params, c.inputShapes);
    let inbound = c.sources.map((s) => outputLayer.get(s)!);
    for (const spec of specs) {
      let name = c.name;
      if (spec.suffix) {
        const base = `${c.name}${spec.suffix}`;
        name = base;
        for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
        taken.add(name);
      }
      const layer: CompiledLayer = { name, className: spec.className, config: spec.config, inbound, nodeId: c.node.id, suffix: spec.suffix };
      layers.push(layer);
      if (WEIGHTED.has(spec.className)) weightedLayer.set(c.node.id, layer);
      inbound = [name];
    }
    outputLayer.set(c.node.id, inbound[0]);
  }

  return { design, analysis, nodes, inputIds: graph.inputIds, outputIds: graph.outputIds, layers, outputLayer, weightedLayer, isChain: graph.isChain };
}
