import type { DesignAnalysis } from '../analysis/analyzeDesign';
import type { Design } from '../design';
import { getLayerType } from '../layers/layerCatalog';
import type { KerasLayerSpec } from '../layers/layerType';

/** One Keras / TF.js layer of the model, named and wired to the layers it reads from. */
export interface PlannedKerasLayer extends KerasLayerSpec {
  name: string;
  /** Names of the layers feeding it, in the design's edge order (none for an input). */
  inbound: string[];
  nodeId: string;
}

export interface KerasLayerPlan {
  /** The layers, each after those it reads. */
  layers: PlannedKerasLayer[];
  /** The layer producing each node's output. */
  outputLayer: Map<string, string>;
  /** The layer holding each weighted node's weights (the one with `weights`). */
  weightedLayer: Map<string, PlannedKerasLayer>;
  /** Nodes Keras and TF.js cannot compute, and why (their exports and TF.js training refuse them; other targets go on). */
  limitations: KerasLimitation[];
}

export interface KerasLimitation {
  nodeId: string;
  /** The node's layer type label, e.g. "Conv 2D". */
  label: string;
  reason: string;
}

/**
 * The error a Keras or TF.js target gives for a design with nodes they cannot compute, naming the
 * target, each node and why; undefined when there are none.
 */
export function kerasLimitationError(limitations: readonly KerasLimitation[], target: string, what: string): Error | undefined {
  if (!limitations.length) return undefined;
  const listed = limitations.slice(0, 5).map((l) => `Layer "${l.nodeId}" (${l.label}): ${l.reason}`);
  return new Error(`${what} ${target}: ${listed.join(' ')}${limitations.length > 5 ? ` (and ${limitations.length - 5} more)` : ''}`);
}

export interface KerasNaming {
  /** The name of a node's main layer; helper layers append their suffix to it. */
  nameOf(nodeId: string): string;
  /**
   * What happens when a helper layer's name is taken: `rename` appends _2, _3… (exported code,
   * where the names are free), `refuse` throws naming both nodes (a trained model, whose layer
   * names must stay the node id plus the suffix for its weights to be found).
   */
  whenTaken: 'rename' | 'refuse';
}

/**
 * The Keras / TF.js layers of a valid design, as every node's catalog entry writes them, named and
 * wired along the design's graph: the one translation the code exports and the TF.js compiler
 * share. `order` must list every node after its inputs.
 */
export function planKerasLayers(design: Design, analysis: DesignAnalysis, order: readonly string[], naming: KerasNaming): KerasLayerPlan {
  const graph = analysis.graph;
  const layers: PlannedKerasLayer[] = [];
  const outputLayer = new Map<string, string>();
  const weightedLayer = new Map<string, PlannedKerasLayer>();
  const limitations: KerasLimitation[] = [];
  // Which node holds each name: every main name up front when renaming, else as layers are named.
  const taken = new Map<string, string>(naming.whenTaken === 'rename' ? order.map((id) => [naming.nameOf(id), id]) : []);
  for (const id of order) {
    const node = design.nodes[graph.indexOf(id)];
    const info = analysis.nodes[id];
    const layerType = getLayerType(node.type)!;
    const specs = layerType.keras.toLayers(info.resolvedParams!, info.inputShapes);
    const reason = layerType.keras.limitation?.(info.resolvedParams!);
    if (reason) limitations.push({ nodeId: id, label: layerType.label, reason });
    let inbound = graph.inputs(id).map((source) => outputLayer.get(source)!);
    const base = naming.nameOf(id);
    for (const spec of specs) {
      let name = `${base}${spec.suffix}`;
      if (naming.whenTaken === 'rename') {
        if (spec.suffix) {
          for (let i = 2; taken.has(name); i++) name = `${base}${spec.suffix}_${i}`;
          taken.set(name, id);
        }
      } else {
        if (taken.has(name)) throw new Error(`Layer "${name}" of node "${id}" has the name of another layer (node "${taken.get(name)}"): rename one of the two nodes.`);
        taken.set(name, id);
      }
      const layer: PlannedKerasLayer = { ...spec, name, inbound: spec.inputs ? spec.inputs.map((i) => inbound[i]) : inbound, nodeId: id };
      layers.push(layer);
      if (spec.weights) weightedLayer.set(id, layer);
      inbound = [name];
    }
    outputLayer.set(id, inbound[0]);
  }
  return { layers, outputLayer, weightedLayer, limitations };
}
