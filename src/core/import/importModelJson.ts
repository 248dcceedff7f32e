import { DESIGN_FORMAT, DESIGN_VERSION, type Design, type DesignEdge, type DesignNode } from '../design';
import { nodeIdProblem, safeNodeId } from '../format/nodeIdProblem';
import { KERAS_ACTIVATIONS, LEAKY_RELU_SLOPE } from '../layers/commonParams';
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

/** Keras / TF.js activation names the designer has, by their serialized name. */
const ACTIVATIONS: Record<string, string> = {
  ...KERAS_ACTIVATIONS,
  log_softmax: 'logSoftmax',
  logSoftmax: 'logSoftmax',
};

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
      if (i === 0 && layer.class_name !== 'InputLayer') {
        const shape = configValue(cfg, 'batch_input_shape') ?? configValue(cfg, 'batch_shape');
        if (!Array.isArray(shape)) throw new Error(`The first layer (${name}) of the Sequential model does not say its input shape.`);
        layers.push({ position: 0, name: 'input', className: 'InputLayer', config: { batch_input_shape: shape }, inbound: [] });
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

/** 3 for [3, 3], [3, 5] otherwise; plain numbers stay. */
const window = (value: unknown): number | number[] | undefined => {
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value.every((v) => v === value[0]) ? (value[0] as number) : (value as number[]);
  return undefined;
};
const isOne = (value: unknown): boolean => value === undefined || value === 1 || (Array.isArray(value) && value.every((v) => v === 1));

/** Symmetric padding of a padding layer as the designer's explicit padding, or undefined when uneven. */
function symmetricPadding(value: unknown): number | number[] | undefined {
  if (typeof value === 'number') return value;
  if (!Array.isArray(value)) return undefined;
  const pairs = value.map((p) => (typeof p === 'number' ? [p, p] : Array.isArray(p) ? p : [NaN, NaN]));
  if (value.length === 2 && value.every((p) => typeof p === 'number')) {
    // A 1-D [before, after] pair.
    return value[0] === value[1] ? (value[0] as number) : undefined;
  }
  if (!pairs.every(([a, b]) => a === b && Number.isInteger(a))) return undefined;
  return window(pairs.map(([a]) => a));
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
  const consumers = new Map<string, KerasLayer[]>();
  for (const l of layers) for (const s of l.inbound) consumers.set(s, [...(consumers.get(s) ?? []), l]);
  const only = (l: KerasLayer): KerasLayer | undefined => {
    const c = consumers.get(l.name) ?? [];
    return c.length === 1 && c[0].inbound.length === 1 ? c[0] : undefined;
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

  // Padding layers fold into the convolution or pooling they feed.
  const PAD_TARGETS: Record<string, string[]> = {
    ZeroPadding2D: ['Conv2D', 'AveragePooling2D'],
    CnnZeroPadding1D: ['Conv1D', 'AveragePooling1D'],
    ZeroPadding1D: ['Conv1D', 'AveragePooling1D'],
    CnnMaxPadding2D: ['MaxPooling2D'],
    CnnMaxPadding1D: ['MaxPooling1D'],
  };
  for (const l of layers) {
    const targets = PAD_TARGETS[l.className];
    if (!targets) continue;
    const next = only(l);
    const padding = symmetricPadding(configValue(l.config, 'padding'));
    if (next && targets.includes(next.className) && configValue(next.config, 'padding') === 'valid' && padding !== undefined) {
      pendingPadding.set(next.name, padding);
      folded.set(l.name, next.name);
    } else {
      problem(l, `the designer has padding only inside ${targets.join(' / ')} layers, as equal amounts on both sides of each axis${padding === undefined ? ' (this one is uneven)' : ''}.`);
    }
  }
  // "x_linear" followed by an activation layer "x" is how the designer writes an activation Keras cannot fuse.
  for (const l of layers) {
    const next = only(l);
    if (!next || String(configValue(l.config, 'activation') ?? '') !== 'linear' || !['Conv2D', 'Conv1D', 'Dense'].includes(l.className)) continue;
    const fn = activationLayerFunction(next);
    if (fn && fn !== 'linear' && next.name === l.name.replace(/_linear$/, '') && next.name !== l.name) {
      pendingActivation.set(l.name, { fn, into: next.name });
      folded.set(next.name, l.name);
    }
  }

  const nodes: DesignNode[] = [];
  const edges: DesignEdge[] = [];
  // A layer folded into the one before it keeps its name for the node; a folded padding layer
  // passes its own input on to the layer it was folded into.
  const nodeIdOf = (layerName: string): string => pendingActivation.get(layerName)?.into ?? layerName;
  const sourcesOf = (l: KerasLayer): string[] =>
    l.inbound.flatMap((s) => {
      const source = byName.get(s);
      return source && pendingPadding.has(folded.get(s) ?? '') && PAD_TARGETS[source.className] ? sourcesOf(source) : [s];
    });
  for (const l of layers) {
    // Padding layers are folded or were reported above.
    if (folded.has(l.name) || PAD_TARGETS[l.className]) continue;
    const params = layerParams(l, pendingPadding.get(l.name), (m) => problem(l, m));
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

/** The designer's activation for a stand-alone activation layer, if it is one the designer has. */
function activationLayerFunction(l: KerasLayer): string | undefined {
  if (l.className === 'Activation') return ACTIVATIONS[String(configValue(l.config, 'activation'))];
  if (l.className === 'ReLU' && configValue(l.config, 'max_value') == null && !configValue(l.config, 'negative_slope') && !configValue(l.config, 'threshold')) return 'relu';
  if (l.className === 'Softmax' && [undefined, -1].includes(configValue(l.config, 'axis') as number)) return 'softmax';
  if (l.className === 'CnnLogSoftmax') return 'logSoftmax';
  if (l.className === 'ELU' && [undefined, 1].includes(configValue(l.config, 'alpha') as number)) return 'elu';
  if (l.className === 'LeakyReLU') {
    const slope = configValue(l.config, 'alpha') ?? configValue(l.config, 'negative_slope') ?? 0.3;
    return slope === LEAKY_RELU_SLOPE ? 'leakyRelu' : undefined;
  }
  return undefined;
}

/** A Keras layer as a designer node type and parameters, or undefined after reporting why not. */
function layerParams(l: KerasLayer, padding: number | number[] | undefined, report: (message: string) => void): { type: string; params: Json } | undefined {
  const c = l.config;
  const get = (key: string): unknown => configValue(c, key);
  if (get('data_format') === 'channels_first') {
    report('channels-first layers are not supported: the designer is channels-last, as Keras is by default.');
    return undefined;
  }
  const activation = (): string | undefined => {
    const raw = get('activation');
    const name = typeof raw === 'string' ? raw : isObject(raw) ? String(raw.class_name ?? raw.config) : 'linear';
    const fn = ACTIVATIONS[name];
    if (!fn) report(`activation "${name}" is not one the designer has (${Object.keys(ACTIVATIONS).join(', ')}).`);
    return fn;
  };
  const mode = (): string | undefined => {
    const p = get('padding');
    if (p === 'valid' || p === 'same' || p === undefined) return (p as string) ?? 'valid';
    report(`padding "${String(p)}" is not supported (valid, same, or explicit padding before the layer).`);
    return undefined;
  };
  switch (l.className) {
    case 'InputLayer': {
      const shape = get('batch_input_shape') ?? get('batch_shape');
      if (!Array.isArray(shape) || shape.slice(1).some((d) => typeof d !== 'number')) {
        report('the input shape must be fixed (every size but the batch a number).');
        return undefined;
      }
      return { type: 'Input', params: { shape: shape.slice(1) } };
    }
    case 'Conv2D':
    case 'Conv1D': {
      const fn = activation();
      const pad = mode();
      if (!fn || !pad) return undefined;
      if (get('groups') !== undefined && get('groups') !== 1) {
        report('grouped convolutions are not supported.');
        return undefined;
      }
      const params: Json = { filters: get('filters'), kernelSize: window(get('kernel_size')) };
      if (!isOne(get('strides'))) params.strides = window(get('strides'));
      if (padding !== undefined) params.padding = padding;
      else if (pad !== 'valid') params.padding = pad;
      if (!isOne(get('dilation_rate'))) params.dilationRate = window(get('dilation_rate'));
      if (fn !== 'linear') params.activation = fn;
      if (get('use_bias') === false) params.useBias = false;
      return { type: l.className, params };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D':
    case 'MaxPooling1D':
    case 'AveragePooling1D': {
      const pad = mode();
      if (!pad) return undefined;
      const dims = l.className.endsWith('2D') ? 2 : 1;
      const poolSize = window(get('pool_size')) ?? 2;
      const strides = window(get('strides'));
      const params: Json = { poolSize };
      if (strides !== undefined && JSON.stringify(strides) !== JSON.stringify(poolSize)) params.strides = strides;
      if (padding !== undefined) params.padding = padding;
      else if (pad !== 'valid') params.padding = pad;
      return { type: `${l.className.startsWith('Max') ? 'Max' : 'Avg'}Pool${dims}D`, params };
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      if (get('keepdims') === true) {
        report('keepdims is not supported.');
        return undefined;
      }
      return { type: l.className === 'GlobalAveragePooling2D' ? 'GlobalAvgPool2D' : 'GlobalMaxPool2D', params: {} };
    case 'Dense': {
      const fn = activation();
      if (!fn) return undefined;
      const params: Json = { units: get('units') };
      if (fn !== 'linear') params.activation = fn;
      if (get('use_bias') === false) params.useBias = false;
      return { type: 'Dense', params };
    }
    case 'Flatten':
      return { type: 'Flatten', params: {} };
    case 'Dropout':
      return { type: 'Dropout', params: { rate: get('rate') } };
    case 'BatchNormalization': {
      const axis = get('axis');
      if (!(axis === -1 || axis === undefined || (Array.isArray(axis) && axis.length === 1 && axis[0] === -1))) {
        // A positive axis is the last one only for a known rank; the shapes check it after import.
        if (typeof axis !== 'number' && !(Array.isArray(axis) && axis.length === 1)) {
          report(`normalizing over axis ${JSON.stringify(axis)} is not supported (only the channel axis).`);
          return undefined;
        }
      }
      if (get('center') === false || get('scale') === false) {
        report('batch normalization without scale or center is not supported.');
        return undefined;
      }
      return { type: 'BatchNorm', params: { momentum: get('momentum') ?? 0.99, epsilon: get('epsilon') ?? 0.001 } };
    }
    case 'Add':
      return { type: 'Add', params: {} };
    case 'Concatenate': {
      const axis = get('axis');
      if (axis !== undefined && axis !== -1) {
        report(`concatenating along axis ${String(axis)} is not supported (only the channel axis, -1).`);
        return undefined;
      }
      return { type: 'Concat', params: {} };
    }
    case 'Activation':
    case 'ReLU':
    case 'Softmax':
    case 'CnnLogSoftmax':
    case 'ELU':
    case 'LeakyReLU': {
      const fn = activationLayerFunction(l);
      if (!fn) {
        report(
          l.className === 'LeakyReLU'
            ? `the designer's leaky ReLU has slope ${LEAKY_RELU_SLOPE}; this one has ${String(get('alpha') ?? get('negative_slope') ?? 0.3)}.`
            : `this ${l.className} configuration is not one the designer has.`,
        );
        return undefined;
      }
      return { type: 'Activation', params: { fn } };
    }
    default:
      report('the designer has no such layer.');
      return undefined;
  }
}
