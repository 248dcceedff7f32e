import { analyzeDesign } from '../analysis/analyzeDesign';
import { DESIGN_FORMAT, DESIGN_VERSION, type Design, type DesignEdge, type DesignNode } from '../design';
import { nodeIdProblem, safeNodeId } from '../format/nodeIdProblem';
import { DesignGraph } from '../graph/DesignGraph';
import { KERAS_INPUT_CLASS } from '../layers/inputLayer';
import { activationOfLayer } from '../layers/kerasActivations';
import { kerasClassIndex } from '../layers/kerasClassIndex';
import { symmetricPadding } from '../layers/kerasConfig';
import { untrustedText } from './untrustedText';

/** A layer the designer cannot represent, with where it sits in the file. */
export interface ImportProblem {
  /** 1-based position among the model's layers. */
  position: number;
  layerName: string;
  className: string;
  message: string;
}

export interface ImportResult {
  /** Present when every layer was understood. */
  design?: Design;
  problems: ImportProblem[];
}

type Json = Record<string, unknown>;

/** One Keras layer, whichever serialization wrote it. */
interface KerasLayer {
  position: number;
  name: string;
  className: string;
  config: Json;
  inbound: string[];
}

const { plainName, printable } = untrustedText;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads config values written in snake_case (Keras, TF.js model.json) or camelCase (TF.js in memory). */
function configValue(config: Json, snake: string): unknown {
  if (snake in config) return config[snake];
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return config[camel];
}

/** Names of the layers feeding a layer, from Keras 2 / TF.js or Keras 3 inbound_nodes. */
function inboundNames(raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0) return [];
  const first = raw[0];
  if (Array.isArray(first)) return first.filter(Array.isArray).map((entry) => String(entry[0]));
  if (isObject(first) && Array.isArray(first.args)) {
    const names: string[] = [];
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(visit);
      else if (isObject(value)) {
        const history = isObject(value.config) ? value.config.keras_history : undefined;
        if (Array.isArray(history)) names.push(String(history[0]));
        else Object.values(value).forEach(visit);
      }
    };
    visit(first.args);
    return names;
  }
  return [];
}

/** The model's layers in file order, with their inputs, from a functional or Sequential topology. */
function readLayers(topology: Json): { name?: string; layers: KerasLayer[] } {
  const className = String(topology.class_name ?? topology.className ?? '');
  const config = topology.config;
  if (className === 'Sequential') {
    const list = Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : undefined;
    if (!list) throw new Error('The Sequential model has no layer list.');
    const layers: KerasLayer[] = [];
    let previous: string | undefined;
    list.forEach((raw: unknown, i: number) => {
      const layer = raw as Json;
      const cfg = (isObject(layer.config) ? layer.config : {}) as Json;
      const name = String(cfg.name ?? `layer_${i + 1}`);
      // A Sequential model may start without an InputLayer, its first layer carrying the input shape.
      if (i === 0 && layer.class_name !== KERAS_INPUT_CLASS) {
        const shape = configValue(cfg, 'batch_input_shape') ?? configValue(cfg, 'batch_shape');
        if (!Array.isArray(shape)) throw new Error(`The first layer (${name}) of the Sequential model does not say its input shape.`);
        layers.push({ position: 0, name: 'input', className: KERAS_INPUT_CLASS, config: { batch_input_shape: shape }, inbound: [] });
        previous = 'input';
      }
      layers.push({ position: i + 1, name, className: String(layer.class_name), config: cfg, inbound: previous ? [previous] : [] });
      previous = name;
    });
    return { name: isObject(config) && typeof config.name === 'string' ? config.name : undefined, layers };
  }
  if (!isObject(config) || !Array.isArray(config.layers)) throw new Error(`A ${className || 'model'} topology needs config.layers.`);
  const layers = config.layers.map((raw: unknown, i: number): KerasLayer => {
    const layer = raw as Json;
    const cfg = (isObject(layer.config) ? layer.config : {}) as Json;
    return { position: i + 1, name: String(layer.name ?? cfg.name ?? `layer_${i + 1}`), className: String(layer.class_name), config: cfg, inbound: inboundNames(layer.inbound_nodes) };
  });
  return { name: typeof config.name === 'string' ? config.name : undefined, layers };
}

/** The topology inside a TF.js model.json, a Keras config.json or a bare model config. */
function findTopology(json: Json): Json {
  const topology = isObject(json.modelTopology) ? json.modelTopology : json;
  if (isObject(topology.model_config)) return topology.model_config;
  return topology;
}

/**
 * A Keras / TF.js `model.json` (the topology `model.save()` and Keras write) as a design. Padding
 * layers the designer's own exports put before a convolution or pooling fold back into its
 * padding, and a trailing activation layer back into its layer. Every layer the designer cannot
 * represent is reported by name, class and position; nothing is dropped silently, and then no
 * design is returned.
 */
export function importModelJson(text: string, fallbackName = 'Imported model'): ImportResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`Not a model.json: ${(err as Error).message}`);
  }
  if (!isObject(json)) throw new Error('Not a model.json: expected a JSON object with a model topology.');
  const { name, layers } = readLayers(findTopology(json));
  const problems: ImportProblem[] = [];
  const byName = new Map(layers.map((l) => [l.name, l]));
  const graph = DesignGraph.of(
    layers.map((l) => l.name),
    layers.flatMap((l) => l.inbound.map((source) => ({ source, target: l.name }))),
  );
  /** The layer reading `l`, when it is the only one and reads nothing else. */
  const only = (l: KerasLayer): KerasLayer | undefined => {
    const c = graph.consumers(l.name);
    return c.length === 1 && graph.arity(c[0]) === 1 ? byName.get(c[0]) : undefined;
  };

  /** Layers folded into another node: name → the node that now stands for them. */
  const folded = new Map<string, string>();
  /** Padding that a padding layer hands to the layer it feeds. */
  const pendingPadding = new Map<string, number | number[]>();
  /** Activation a following activation layer hands back to the layer before it. */
  const pendingActivation = new Map<string, { fn: string; into: string }>();
  const problem = (l: KerasLayer, message: string): void => {
    problems.push({ position: l.position, layerName: l.name, className: l.className, message: `Layer ${l.position} "${printable(l.name)}" (${printable(l.className)}): ${message}` });
  };

  // Padding layers fold into the convolution or pooling they feed (the catalog says which into which).
  const paddingTargets = (l: KerasLayer): readonly string[] | undefined => kerasClassIndex.paddingTargetsOf(l.className);
  for (const l of layers) {
    const targets = paddingTargets(l);
    if (!targets) continue;
    const next = only(l);
    const padding = symmetricPadding(configValue(l.config, 'padding'));
    if (next && targets.includes(next.className) && configValue(next.config, 'padding') === 'valid' && padding !== undefined) {
      pendingPadding.set(next.name, padding);
      folded.set(l.name, next.name);
    } else if (!kerasClassIndex.layerTypeOf(l.className)) {
      problem(l, `the designer has padding only inside ${targets.join(' / ')} layers, as equal amounts on both sides of each axis${padding === undefined ? ' (this one is uneven)' : ''}.`);
    }
  }
  // "x_linear" followed by an activation layer "x" is how the designer writes an activation Keras cannot fuse.
  const takesActivation = (l: KerasLayer): boolean => !!kerasClassIndex.layerTypeOf(l.className)?.params.some((p) => p.name === 'activation');
  for (const l of layers) {
    const next = only(l);
    if (!next || String(configValue(l.config, 'activation') ?? '') !== 'linear' || !takesActivation(l)) continue;
    const fn = activationOfLayer(next.className, (key) => configValue(next.config, key));
    if (fn && fn !== 'linear' && next.name === l.name.replace(/_linear$/, '') && next.name !== l.name) {
      pendingActivation.set(l.name, { fn, into: next.name });
      folded.set(next.name, l.name);
    }
  }

  // Global pooling followed by a Reshape to [1, 1, C] is how the designer writes keepDims for TF.js, whose pooling lacks it.
  const keptDims = new Map<string, string>();
  for (const l of layers) {
    const next = only(l);
    const type = kerasClassIndex.layerTypeOf(l.className);
    if (!next || next.className !== 'Reshape' || !type?.params.some((p) => p.name === 'keepDims') || folded.has(next.name)) continue;
    const target = configValue(next.config, 'target_shape');
    if (Array.isArray(target) && target.length === 3 && target[0] === 1 && target[1] === 1) {
      keptDims.set(l.name, next.name);
      folded.set(next.name, l.name);
    }
  }

  const nodes: DesignNode[] = [];
  const edges: DesignEdge[] = [];
  // A layer folded into the one before it keeps its name for the node; a folded padding layer
  // passes its own input on to the layer it was folded into.
  const nodeIdOf = (layerName: string): string => pendingActivation.get(layerName)?.into ?? keptDims.get(layerName) ?? layerName;
  const sourcesOf = (l: KerasLayer): string[] =>
    l.inbound.flatMap((s) => {
      const source = byName.get(s);
      return source && pendingPadding.has(folded.get(s) ?? '') && paddingTargets(source) ? sourcesOf(source) : [s];
    });
  for (const l of layers) {
    // Padding layers are folded or were reported above, unless a layer type of their own takes them.
    if (folded.has(l.name) || (paddingTargets(l) && !kerasClassIndex.layerTypeOf(l.className))) continue;
    // The layers so far, analyzed only for a layer whose config lacks its input channels (depthwise).
    const inputChannels = (): number | undefined => {
      const source = sourcesOf(l)[0];
      if (source === undefined) return undefined;
      const partial: Design = { format: DESIGN_FORMAT, version: DESIGN_VERSION, name: 'import', nodes, edges, training: {} };
      return analyzeDesign(partial).nodes[nodeIdOf(source)]?.outputShape?.at(-1);
    };
    const params = layerParams(l, pendingPadding.get(l.name), keptDims.has(l.name), (m) => problem(l, m), inputChannels);
    if (!params) continue;
    const act = pendingActivation.get(l.name);
    if (act) params.params.activation = act.fn;
    const id = nodeIdOf(l.name);
    nodes.push({ id, type: params.type, params: params.params });
    for (const source of sourcesOf(l)) {
      if (!byName.has(source)) problem(l, `its input "${source}" is not a layer of this model.`);
      else edges.push({ source: nodeIdOf(source), target: id });
    }
  }
  if (problems.length) return { problems: problems.sort((a, b) => a.position - b.position) };
  // A stranger's model.json names its layers freely; the design's ids follow the id rule.
  const taken = new Set(nodes.map((n) => n.id).filter((id) => !nodeIdProblem(id)));
  const validId = new Map<string, string>();
  for (const n of nodes) {
    const id = nodeIdProblem(n.id) ? safeNodeId(n.id, taken) : n.id;
    taken.add(id);
    validId.set(n.id, id);
    n.id = id;
  }
  for (const e of edges) {
    e.source = validId.get(e.source) ?? e.source;
    e.target = validId.get(e.target) ?? e.target;
  }
  return {
    design: { format: DESIGN_FORMAT, version: DESIGN_VERSION, name: plainName(name ?? '') || fallbackName, nodes, edges, training: {} },
    problems,
  };
}

/** A Keras layer as a designer node type and parameters, read by its layer type's Keras mapping, or undefined after reporting why not. */
function layerParams(
  l: KerasLayer,
  padding: number | number[] | undefined,
  keptDims: boolean,
  report: (message: string) => void,
  inputChannels: () => number | undefined,
): { type: string; params: Json } | undefined {
  const get = (key: string): unknown => configValue(l.config, key);
  if (get('data_format') === 'channels_first') {
    report('channels-first layers are not supported: the designer is channels-last, as Keras is by default.');
    return undefined;
  }
  const layerType = kerasClassIndex.layerTypeOf(l.className);
  if (!layerType) {
    report('the designer has no such layer.');
    return undefined;
  }
  const params = layerType.keras.fromConfig({ className: l.className, get, padding, keptDims, report, inputChannels });
  return params && { type: layerType.type, params };
}
