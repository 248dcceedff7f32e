import { analyzeDesign } from '../analysis/analyzeDesign';
import { DESIGN_FORMAT, DESIGN_VERSION, type BlockDefinition, type Design, type DesignEdge, type DesignNode } from '../design';
import { getLayerType } from '../layers/layerCatalog';
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
  /** How many times the model calls the layer (Keras lists one inbound node per call); a layer called twice shares its weights. */
  calls: number;
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
        layers.push({ position: 0, name: 'input', className: KERAS_INPUT_CLASS, config: { batch_input_shape: shape }, inbound: [], calls: 0 });
        previous = 'input';
      }
      layers.push({ position: i + 1, name, className: String(layer.class_name), config: cfg, inbound: previous ? [previous] : [], calls: 1 });
      previous = name;
    });
    return { name: isObject(config) && typeof config.name === 'string' ? config.name : undefined, layers };
  }
  if (!isObject(config) || !Array.isArray(config.layers)) throw new Error(`A ${className || 'model'} topology needs config.layers.`);
  const layers = config.layers.map((raw: unknown, i: number): KerasLayer => {
    const layer = raw as Json;
    const cfg = (isObject(layer.config) ? layer.config : {}) as Json;
    const calls = Array.isArray(layer.inbound_nodes) ? layer.inbound_nodes.length : 0;
    return { position: i + 1, name: String(layer.name ?? cfg.name ?? `layer_${i + 1}`), className: String(layer.class_name), config: cfg, inbound: inboundNames(layer.inbound_nodes), calls };
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
  const problem = (l: KerasLayer, message: string): void => {
    problems.push({ position: l.position, layerName: l.name, className: l.className, message: `Layer ${l.position} "${printable(l.name)}" (${printable(l.className)}): ${message}` });
  };
  const nested = new NestedModelBlocks();
  const { nodes, edges } = convertLayers(layers, problem, nested);
  if (problems.length) return { problems: problems.sort((a, b) => a.position - b.position) };
  // A stranger's model.json names its layers freely; the design's ids follow the id rule.
  validNodeIds(nodes, edges);
  const design: Design = { format: DESIGN_FORMAT, version: DESIGN_VERSION, name: plainName(name ?? '') || fallbackName, nodes, edges, training: {} };
  nested.nameShared(nodes);
  if (nested.blocks) design.blocks = nested.blocks;
  return { design, problems };
}

/**
 * The design's nodes and edges for a model's layers (the model's own, or a nested model's). Padding
 * and activation layers fold into the layer they belong to; a nested model becomes an instance of a block.
 */
function convertLayers(layers: KerasLayer[], problem: (l: KerasLayer, message: string) => void, nested: NestedModelBlocks): { nodes: DesignNode[]; edges: DesignEdge[]; nodeIdOf: (layerName: string) => string } {
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
      if (nested.blocks) partial.blocks = nested.blocks;
      return analyzeDesign(partial).nodes[nodeIdOf(source)]?.outputShape?.at(-1);
    };
    if (NESTED_MODEL_CLASSES.has(l.className)) {
      // A model used as a layer: an instance of the block its layers make.
      if (l.calls > 1) {
        problem(l, `the model calls this nested model ${l.calls} times, so the calls share its weights; the designer's block instances each have their own. Build one nested model per call.`);
        continue;
      }
      const block = nested.blockOf(l, problem);
      if (!block) continue;
      const id = nodeIdOf(l.name);
      nodes.push({ id, type: block.name, params: {} });
      const sources = sourcesOf(l);
      if (sources.length !== block.inputs.length) problem(l, `the nested model takes ${block.inputs.length} input${block.inputs.length === 1 ? '' : 's'} and is given ${sources.length}.`);
      sources.forEach((source, k) => {
        if (!byName.has(source)) problem(l, `its input "${source}" is not a layer of this model.`);
        else edges.push(block.inputs.length > 1 ? { source: nodeIdOf(source), target: id, targetPort: block.inputs[k] } : { source: nodeIdOf(source), target: id });
      });
      continue;
    }
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
  return { nodes, edges, nodeIdOf };
}

/** Renames ids outside the node id rule (in place), the edges with them; ids listed in `reserved` are taken already. Returns the new id of each old one. */
function validNodeIds(nodes: DesignNode[], edges: DesignEdge[], reserved: readonly string[] = []): Map<string, string> {
  const taken = new Set([...reserved, ...nodes.map((n) => n.id).filter((id) => !nodeIdProblem(id))]);
  const validId = new Map<string, string>();
  for (const n of nodes) {
    const id = nodeIdProblem(n.id) || reserved.includes(n.id) ? safeNodeId(n.id, taken) : n.id;
    taken.add(id);
    validId.set(n.id, id);
    n.id = id;
  }
  for (const e of edges) {
    e.source = validId.get(e.source) ?? e.source;
    e.target = validId.get(e.target) ?? e.target;
  }
  return validId;
}

/** Keras classes of a model used as a layer of another (Keras 2.4+ writes Functional, older Keras and TF.js Model). */
const NESTED_MODEL_CLASSES = new Set(['Functional', 'Model', 'Sequential']);

/**
 * The blocks the nested models of a model become: one block per architecture, however its layers
 * are named, with one instance per nested model (ResNet's stages built by one function).
 */
class NestedModelBlocks {
  blocks: Record<string, BlockDefinition> | undefined;
  private readonly bySignature = new Map<string, { name: string; inputs: string[] }>();
  /** The nested models each block stands for, by their names. */
  private readonly models = new Map<string, string[]>();

  /** The block of the nested model `l`, defined on first sight; undefined after reporting why it cannot be one. */
  blockOf(l: KerasLayer, problem: (l: KerasLayer, message: string) => void): { name: string; inputs: string[] } | undefined {
    let inner: { name?: string; layers: KerasLayer[] };
    try {
      inner = readLayers({ class_name: l.className, config: l.config });
    } catch (err) {
      problem(l, `the nested model cannot be read: ${(err as Error).message}`);
      return undefined;
    }
    const modelName = inner.name ?? l.name;
    // A model built by a function often names its layers "<model>_<layer>": inside the block the prefix says nothing.
    const prefix = `${modelName}_`;
    const strip = inner.layers.length > 0 && inner.layers.every((x) => x.name.startsWith(prefix) && x.name.length > prefix.length);
    const local = (name: string): string => (strip && name.startsWith(prefix) ? name.slice(prefix.length) : name);
    const layers = inner.layers.map((x) => ({ ...x, name: local(x.name), inbound: x.inbound.map(local) }));
    let failed = false;
    const { nodes, edges, nodeIdOf } = convertLayers(
      layers,
      (x, message) => {
        failed = true;
        problem(l, `in its layer "${printable(x.name)}" (${printable(x.className)}): ${message}`);
      },
      this,
    );
    if (failed) return undefined;
    // Keras 2 lists [name, node, tensor] entries; Keras 3 writes a single one unwrapped.
    const ends = (key: string): string[] | undefined => {
      const list = l.config[key];
      if (!Array.isArray(list)) return undefined;
      const entries = typeof list[0] === 'string' ? [list] : list.filter(Array.isArray);
      return entries.map((e) => nodeIdOf(local(String(e[0]))));
    };
    const inputNodes = nodes.filter((n) => n.type === 'Input').map((n) => n.id);
    const declared = ends('input_layers');
    const inputIds = declared && declared.length === inputNodes.length && declared.every((id) => inputNodes.includes(id)) ? declared : inputNodes;
    const outputIds = ends('output_layers') ?? (layers.length ? [nodeIdOf(layers[layers.length - 1].name)] : []);
    if (inputIds.length === 0) {
      problem(l, 'the nested model has no input layer.');
      return undefined;
    }
    if (outputIds.length !== 1) {
      problem(l, `the nested model has ${outputIds.length} outputs; the designer imports nested models with one output.`);
      return undefined;
    }
    const body = nodes.filter((n) => n.type !== 'Input');
    // Ports are named as in hand-written blocks, unless a layer of the model has that name already.
    const ids = new Set(body.map((n) => n.id));
    const free = (...names: string[]): string => names.find((n) => !ids.has(n)) ?? `${names[0]}_port`;
    const inputs = inputIds.length === 1 ? [free('x', 'input', 'x_in')] : inputIds.map((_, k) => free(`x${k + 1}`, `input${k + 1}`));
    const output = free('out', 'output', 'y');
    const renamed = validNodeIds(body, edges, [...inputs, output]);
    const port = new Map(inputIds.map((id, k) => [id, inputs[k]]));
    const outputId = renamed.get(outputIds[0]) ?? outputIds[0];
    const blockEdges: DesignEdge[] = [...edges.map((e) => ({ ...e, source: port.get(e.source) ?? e.source })), { source: port.get(outputId) ?? outputId, target: output }];

    // Two nested models are one block when they differ only in names.
    const index = new Map<string, string>([...inputs.map((p, k): [string, string] => [p, `in${k}`]), [output, 'out'], ...body.map((n, k): [string, string] => [n.id, `n${k}`])]);
    const signature = JSON.stringify({ inputs: inputs.length, nodes: body.map((n) => [n.type, n.params]), edges: blockEdges.map((e) => [index.get(e.source), index.get(e.target), e.targetPort ?? null]) });
    const known = this.bySignature.get(signature);
    if (known) {
      this.models.get(known.name)!.push(modelName);
      return known;
    }
    const name = this.freeName(modelName);
    this.blocks ??= {};
    Object.defineProperty(this.blocks, name, { value: { params: {}, inputs, outputs: [output], nodes: body, edges: blockEdges }, enumerable: true, writable: true, configurable: true });
    const block = { name, inputs };
    this.bySignature.set(signature, block);
    this.models.set(name, [modelName]);
    return block;
  }

  /**
   * Names each block used by several nested models after what their names share ("stage" for
   * "stage1" and "stage2"), once every model is read; renames the instances' types in `nodes` too.
   */
  nameShared(nodes: DesignNode[]): void {
    if (!this.blocks) return;
    for (const [name, models] of this.models) {
      if (models.length < 2) continue;
      let common = models[0];
      for (const m of models) while (!m.startsWith(common)) common = common.slice(0, -1);
      common = common.replace(/[^A-Za-z0-9]+$|[0-9]+$/g, '').replace(/[_-]+$/, '');
      if (!common || common === name) continue;
      const better = this.freeName(common);
      const blocks = this.blocks;
      Object.defineProperty(blocks, better, { value: blocks[name], enumerable: true, writable: true, configurable: true });
      delete blocks[name];
      for (const n of [...nodes, ...Object.values(blocks).flatMap((b) => b.nodes)]) if (n.type === name) n.type = better;
      this.models.set(better, models);
    }
  }

  /** A block name from a model's name: a letter, then letters, digits or "_", no layer type's, not taken. */
  private freeName(modelName: string): string {
    let base = modelName.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^[^A-Za-z]+/, '').slice(0, 50) || 'Block';
    if (getLayerType(base)) base = `${base}Block`;
    const taken = (name: string): boolean => !!this.blocks && Object.prototype.hasOwnProperty.call(this.blocks, name);
    let name = base;
    for (let i = 2; taken(name); i++) name = `${base}_${i}`;
    return name;
  }
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
