import { encodeOnnxModel, ONNX_TENSOR_FLOAT, ONNX_TENSOR_INT64, type OnnxAttributeValue, type OnnxModel, type OnnxNode, type OnnxTensor } from '../onnx/onnxModel';
import type { OnnxContext, OnnxParameterInit } from '../layers/layerType';
import type { CompiledGraph } from './compileGraph';
import { channelsFirst } from './exportPyTorch';
import type { NamedTensor } from './pytorchWeights';
import { pytorchModuleNames } from './pytorchBlocks';

/**
 * The opset the export writes: the newest that Debian's onnx 1.12 checker validates and every
 * onnxruntime since 1.13 runs. GELU (opset 20) is composed from Erf in this opset.
 */
export const ONNX_OPSET = 17;
/** IR version 8 goes with opset 17 (onnx 1.12). */
export const ONNX_IR_VERSION = 8;

export interface OnnxExportOptions {
  /**
   * Trained weights in the PyTorch export's state_dict layout (`toPyTorchStateDict`): every
   * parameter must be there with its shape. Without them, parameters start as PyTorch's default
   * initialization would (seeded, so the file is reproducible).
   */
  weights?: NamedTensor[];
  /** Version string of the tool, recorded as the producer version. */
  producerVersion?: string;
  /** Seed of the default initialization. */
  seed?: number;
}

/**
 * A design as an ONNX model: channels-first (NCHW) like PyTorch's exports, one graph input per
 * Input node and one output per output node (named after the nodes), a dynamic batch axis "N",
 * parameters named as the PyTorch state_dict keys. Each layer type writes its own operators
 * (`toOnnx` in the catalog); this assembles them.
 */
export function exportOnnx(graph: CompiledGraph, options: OnnxExportOptions = {}): Uint8Array {
  return encodeOnnxModel(buildOnnxModel(graph, options));
}

export function buildOnnxModel(graph: CompiledGraph, options: OnnxExportOptions = {}): OnnxModel {
  const weights = new Map((options.weights ?? []).map((w) => [w.name, w]));
  const used = new Set<string>();
  const random = seededUniform(options.seed ?? 0);
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const takenValues = new Set<string>();
  const values = new Map<string, string>();
  const unique = (base: string): string => {
    let name = base;
    for (let i = 2; takenValues.has(name); i++) name = `${base}_${i}`;
    takenValues.add(name);
    return name;
  };

  const inputs = graph.nodes.filter((c) => c.node.type === 'Input');
  for (const c of inputs) values.set(c.node.id, unique(c.name));
  // Output values are named after their nodes, so reserve those names before any operator takes them.
  const outputNames = new Map(graph.outputIds.map((id) => [id, unique(graph.nodes.find((c) => c.node.id === id)!.name)]));

  let constants = 0;
  // Initializers are named as the PyTorch export's state_dict (module paths where it writes block classes).
  const moduleNames = pytorchModuleNames(graph);
  for (const c of graph.nodes) {
    if (c.node.type === 'Input') continue;
    const firstOwnNode = nodes.length;
    let opCount = 0;
    const ctx: OnnxContext = {
      inputs: c.sources.map((s) => values.get(s)!),
      parameter: (param, shape, init, moduleSuffix = '') => {
        const name = `${moduleNames.get(c.node.id) ?? c.name}${moduleSuffix}.${param}`;
        const given = weights.get(name);
        let data: Float32Array;
        if (options.weights) {
          if (!given) throw new Error(`The weights have no "${name}" for layer "${c.node.id}" (${c.node.type}).`);
          if (given.shape.join() !== shape.join()) {
            throw new Error(`"${name}" has shape [${given.shape.join(', ')}], but layer "${c.node.id}" needs [${shape.join(', ')}]: the weights belong to another design.`);
          }
          data = given.data;
          used.add(name);
        } else {
          data = initialValues(shape, init, random);
        }
        initializers.push({ name: unique(name), dims: shape, dataType: ONNX_TENSOR_FLOAT, floats: data });
        return name;
      },
      op: (opType, opInputs, attributes: Record<string, OnnxAttributeValue> = {}) => {
        const output = unique(`${c.name}_${opType.toLowerCase()}${opCount ? `_${opCount}` : ''}`);
        nodes.push({ name: unique(`${c.name}/${opType}${opCount ? `_${opCount}` : ''}`), opType, domain: '', inputs: opInputs, outputs: [output], attributes });
        opCount++;
        return output;
      },
      ints: (list) => {
        const name = unique(`const_${constants++}`);
        initializers.push({ name, dims: [list.length], dataType: ONNX_TENSOR_INT64, ints: list });
        return name;
      },
      floats: (list, dims) => {
        const name = unique(`const_${constants++}`);
        initializers.push({ name, dims, dataType: ONNX_TENSOR_FLOAT, floats: Float32Array.from(list) });
        return name;
      },
    };
    let output = c.layer.toOnnx(c.params, c.inputShapes, ctx);
    const wanted = outputNames.get(c.node.id);
    if (wanted) {
      // The node's last operator writes the graph output directly; a pass-through layer gets an Identity.
      const producer = nodes.length > firstOwnNode ? nodes.slice(firstOwnNode).find((n) => n.outputs[0] === output) : undefined;
      if (producer && !nodes.some((n) => n !== producer && n.inputs.includes(output))) producer.outputs[0] = wanted;
      else nodes.push({ name: unique(`${c.name}/Identity`), opType: 'Identity', domain: '', inputs: [output], outputs: [wanted], attributes: {} });
      output = wanted;
    }
    values.set(c.node.id, output);
  }

  if (options.weights) {
    const unused = [...weights.keys()].filter((k) => !used.has(k) && !k.endsWith('num_batches_tracked'));
    if (unused.length) throw new Error(`The weights hold tensors no layer of the design uses: ${unused.slice(0, 5).join(', ')}${unused.length > 5 ? ', …' : ''}.`);
  }

  const tensorInfo = (name: string, shape: number[]) => ({ name, elemType: ONNX_TENSOR_FLOAT, shape: ['N', ...channelsFirst(shape)] });
  const analysis = graph.analysis;
  return {
    irVersion: ONNX_IR_VERSION,
    opsetImports: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'CNN Designer',
    producerVersion: options.producerVersion ?? '',
    // Free text is data in ONNX (never run), so the design's own words go in as they are.
    docString: graph.design.description ?? '',
    metadata: {
      'cnn-designer.design-name': graph.design.name,
      'cnn-designer.layout': 'Tensors are channels-first (N, C, H, W), as in the PyTorch export; Flatten takes channels-last order as Keras does.',
      'cnn-designer.trainable-parameters': String(analysis.totals.trainableParams),
    },
    graph: {
      name: graph.design.name,
      docString: '',
      nodes,
      initializers,
      inputs: inputs.map((c) => tensorInfo(values.get(c.node.id)!, c.outputShape)),
      outputs: graph.outputIds.map((id) => tensorInfo(outputNames.get(id)!, analysis.nodes[id].outputShape!)),
      valueInfo: [],
    },
  };
}

function initialValues(shape: number[], init: OnnxParameterInit, random: () => number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (init === 'zeros') return new Float32Array(size);
  if (init === 'ones') return new Float32Array(size).fill(1);
  if ('constant' in init) return new Float32Array(size).fill(init.constant);
  // PyTorch's default for convolutions and linear layers: U(−1/√fanIn, 1/√fanIn).
  const bound = 1 / Math.sqrt(init.uniformFanIn);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (random() * 2 - 1) * bound;
  return data;
}

/** mulberry32: a small, fast, seedable generator, so an export without weights is reproducible. */
function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
