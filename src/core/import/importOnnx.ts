import { analyzeDesign } from '../analysis/analyzeDesign';
import { DESIGN_FORMAT, DESIGN_VERSION, type Design, type DesignEdge, type DesignNode, type Shape } from '../design';
import { LAYER_CATALOG } from '../layers/layerCatalog';
import type { OnnxImportContext, OnnxImportedLayer } from '../layers/layerType';
import { decodeOnnxModel, type OnnxModel, type OnnxNode, type OnnxTensor } from '../onnx/onnxModel';
import { ProtobufFormatError } from '../onnx/protobufWire';
import type { NamedTensor } from '../export/pytorchWeights';
import { untrustedText } from './untrustedText';
import { foldShapeOp } from './foldShapeOps';
import { fuseOnnxPatterns } from './fuseOnnxPatterns';

/** An operator the designer cannot represent, with where it sits in the file. */
export interface OnnxImportProblem {
  /** 1-based position among the graph's nodes (0 for the graph itself). */
  position: number;
  nodeName: string;
  opType: string;
  message: string;
}

export interface OnnxImportResult {
  /** Present only when every operator was understood. */
  design?: Design;
  /** The weights, Keras / TF.js layout, named "<node id>/<weight>" as the designer's training names them. */
  weights: NamedTensor[];
  problems: OnnxImportProblem[];
  /** What the import did that a user should know (folded BatchNorm, dropped no-ops). */
  notes: string[];
}

/** Opsets whose CNN operators this reader understands (ONNX 1.2 … 1.17). */
const MIN_OPSET = 7;
const MAX_OPSET = 22;

/** Operators that pass their input through at inference. */
const PASS_THROUGH = new Set(['Identity']);

/** What is known about one ONNX value while reading. */
interface ValueState {
  /** The design node producing it. */
  nodeId: string;
  /** Designer (channels-last, batch-less) shape. */
  shape: Shape;
  /** The channels-last shape a Flatten came from, for the next Dense's weights. */
  flattenedFrom?: Shape;
  /** Transposed to channels-last (N, H, W, C): only a Flatten may read it (the designer's own export writes this pair). */
  channelsLastView?: boolean;
}

const CHANNELS_LAST_PERMS = ['0,2,3,1', '0,2,1'];
const CHANNELS_FIRST_PERMS = ['0,3,1,2', '0,2,1'];

/** Operators that may read a channels-last view: Flatten (in the designer's order) and those of layer types over the channels (LayerNorm). */
const CHANNELS_LAST_OPS = new Set(['Flatten', ...LAYER_CATALOG.flatMap((l) => (l.fromOnnx?.readsChannelsLastView ? l.fromOnnx.ops : []))]);

/** Operators that torch.onnx.export names after the module calling them functionally (`x + y` in layer1.0). */
const FUNCTIONAL_OPS = new Set(['Add', 'Sum', 'Concat', 'Flatten', 'Reshape', 'Mul']);

/**
 * A node id from an ONNX node name: "/layer1/layer1.0/conv1/Conv" → "layer1_0_conv1", the module
 * path as PyTorch names it with "." → "_"; functional operators keep their kind ("layer1_0_add").
 */
function idFromOnnxName(name: string, opType: string): string {
  const parts = name.split('/').filter(Boolean);
  let op = '';
  if (parts.length > 1 && /^[A-Za-z]+(_\d+)?$/.test(parts[parts.length - 1]) && parts[parts.length - 1].replace(/_\d+$/, '') === opType) op = parts.pop()!;
  let path = '';
  for (const part of parts) path = path && !part.startsWith(`${path}.`) ? `${path}.${part}` : part;
  let id = (path || name).replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (op && FUNCTIONAL_OPS.has(opType)) id = id ? `${id}_${opType.toLowerCase()}` : opType.toLowerCase();
  if (!id) id = opType.toLowerCase() || 'node';
  if (/^[0-9]/.test(id)) id = `n_${id}`;
  return id.slice(0, 60);
}

/**
 * An ONNX model (the graph `torch.onnx.export` writes for a CNN, channels-first) as a design with
 * its weights. Every operator is read by the layer type that claims it (`fromOnnx` in the catalog);
 * Identity and the reshapes that only flatten are folded away, and shape arithmetic (Shape, Slice,
 * Gather, Concat of integers) becomes the constant its reader takes. An operator that cannot be
 * represented is reported by name, operator and position, and then no design is returned.
 */
export function importOnnx(bytes: Uint8Array, fallbackName = 'Imported model'): OnnxImportResult {
  const fail = (message: string, node?: OnnxNode, position = 0): OnnxImportResult => ({
    weights: [],
    notes: [],
    problems: [{ position, nodeName: node?.name ?? '', opType: node?.opType ?? '', message }],
  });
  let model: OnnxModel;
  try {
    model = decodeOnnxModel(bytes);
  } catch (error) {
    if (error instanceof ProtobufFormatError) return fail(`Not a readable ONNX file: ${error.message}.`);
    throw error;
  }
  const opset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!opset) return fail('The model imports no standard ONNX opset.');
  if (opset.version < MIN_OPSET || opset.version > MAX_OPSET) return fail(`Opset ${opset.version} is outside the supported ${MIN_OPSET}–${MAX_OPSET}.`);
  const foreign = model.opsetImports.filter((o) => o.domain !== '' && o.domain !== 'ai.onnx');

  const constants = new Map<string, OnnxTensor>();
  for (const t of model.graph.initializers) constants.set(t.name, t);
  const values = new Map<string, ValueState>();
  const nodes: DesignNode[] = [];
  const edges: DesignEdge[] = [];
  const weights: NamedTensor[] = [];
  const problems: OnnxImportProblem[] = [];
  const notes: string[] = [];
  const takenIds = new Set<string>();
  const uniqueId = (base: string): string => {
    let id = base;
    for (let i = 2; takenIds.has(id); i++) id = `${base}_${i}`;
    takenIds.add(id);
    return id;
  };

  for (const input of model.graph.inputs) {
    if (constants.has(input.name)) continue; // older exporters list initializers as inputs too
    const shape = input.shape;
    if (!shape || shape.length < 2) return fail(`Input "${untrustedText.printable(input.name)}" declares no shape with a batch and a channel axis.`);
    const dims = shape.slice(1);
    if (dims.some((d) => typeof d !== 'number' || d <= 0)) {
      return fail(`Input "${untrustedText.printable(input.name)}" has dynamic sizes [${shape.map((d) => untrustedText.printable(String(d))).join(', ')}]: the designer needs fixed channel and spatial sizes (export with a fixed input size).`);
    }
    const numeric = dims as number[];
    const designShape = numeric.length === 1 ? numeric : [...numeric.slice(1), numeric[0]];
    const id = uniqueId(idFromOnnxName(input.name, ''));
    nodes.push({ id, type: 'Input', params: { shape: designShape } });
    values.set(input.name, { nodeId: id, shape: designShape });
  }
  if (values.size === 0) return fail('The graph has no input that is not a weight.');

  // Patterns that stand for one PyTorch module (LayerNorm, GELU, SiLU, channel shuffle, GroupNorm…) come as one operator each.
  const graphNodes = fuseOnnxPatterns(model.graph.nodes, model.graph.initializers, model.graph.outputs.map((o) => o.name));
  const readersOf = new Map<string, OnnxNode[]>();
  for (const { node } of graphNodes) {
    for (const input of new Set(node.inputs)) {
      if (!input) continue;
      const list = readersOf.get(input);
      if (list) list.push(node);
      else readersOf.set(input, [node]);
    }
  }
  const consumersOf = (value: string): OnnxNode[] => readersOf.get(value) ?? [];
  let folded = 0;
  graphNodes.forEach(({ node, position }) => {
    const report = (message: string): void => {
      problems.push({ position, nodeName: untrustedText.printable(node.name), opType: untrustedText.printable(node.opType), message });
    };
    if (node.domain && node.domain !== 'ai.onnx') return report(`operator domain "${node.domain}" is not standard ONNX`);
    if (node.opType === 'Constant') {
      const value = node.attributes.value;
      if (value?.kind === 'tensor') constants.set(node.outputs[0], value.value);
      else report('a Constant without a tensor value');
      return;
    }
    // torch.onnx.export keeps one copy of equal initializers (SqueezeNet's zero biases) and names
    // the others through Identity nodes: those are the same constant.
    if (node.opType === 'Identity' && node.inputs[0] && constants.has(node.inputs[0])) {
      constants.set(node.outputs[0], { ...constants.get(node.inputs[0])!, name: node.outputs[0] });
      return;
    }
    // Shape arithmetic (how torch.onnx.export computes Resize's sizes) becomes a constant for the operator that reads it.
    const shapeConstant = foldShapeOp(node, (name) => constants.get(name), (name) => (values.get(name)?.channelsLastView ? undefined : values.get(name)?.shape));
    if (shapeConstant) {
      constants.set(node.outputs[0], { ...shapeConstant, name: node.outputs[0] });
      return;
    }
    const dataInputs = node.inputs.filter((name) => name && !constants.has(name));
    // A weight reshaped in the graph (a per-channel slope or scale given its (C, 1, 1) shape) is still a weight.
    const reshaped = dataInputs.length === 0 ? reshapedConstant(node, constants) : undefined;
    if (reshaped) {
      constants.set(node.outputs[0], reshaped);
      return;
    }
    const states = dataInputs.map((name) => values.get(name));
    if (states.some((s) => !s)) {
      // An input we failed on earlier: that failure is already reported.
      if (problems.length === 0) report(`reads "${dataInputs[states.findIndex((s) => !s)]}", which no earlier operator writes`);
      return;
    }
    const known = states as ValueState[];
    if (PASS_THROUGH.has(node.opType) || (node.opType === 'Concat' && known.length === 1)) {
      values.set(node.outputs[0], known[0]);
      return;
    }
    if (node.opType === 'Pad' && known.length === 1 && isZeroPad(node, constants)) {
      values.set(node.outputs[0], known[0]);
      return;
    }
    const perm = node.attributes.perm;
    // Back to channels-first after a layer that worked on the channels-last view (LayerNorm between two permutes): the same tensor.
    if (node.opType === 'Transpose' && known.length === 1 && known[0].channelsLastView && perm?.kind === 'ints' && CHANNELS_FIRST_PERMS.includes(perm.value.join()) && perm.value.length === known[0].shape.length + 1) {
      values.set(node.outputs[0], { ...known[0], channelsLastView: false });
      return;
    }
    if (node.opType === 'Transpose' && known.length === 1 && perm?.kind === 'ints' && CHANNELS_LAST_PERMS.includes(perm.value.join()) && perm.value.length === known[0].shape.length + 1) {
      values.set(node.outputs[0], { ...known[0], channelsLastView: true });
      return;
    }
    const view = known.find((s) => s.channelsLastView);
    if (view && !(known.length === 1 && CHANNELS_LAST_OPS.has(node.opType))) {
      return report('reads a channels-last transpose, which only a following Flatten or a layer over the channels can take');
    }
    // A vector given spatial axes of size 1 only to be multiplied (Multiply's export of a [C] operand): the designer broadcasts [C] itself.
    if (known.length === 1 && known[0].shape.length === 1 && isChannelUnsqueeze(node, known[0].shape[0], constants) && consumersOf(node.outputs[0]).length > 0 && consumersOf(node.outputs[0]).every((c) => c.opType === 'Mul')) {
      values.set(node.outputs[0], known[0]);
      return;
    }
    // Flatten or Reshape to (N, -1) of a tensor that is already a vector (as GlobalPool's (N, C, 1, 1) is for the designer): no layer.
    // A [1, 1, C] tensor (global pooling with keepDims) is flattened by a Flatten layer, so the next layer reads a vector.
    if ((node.opType === 'Flatten' || isFlatteningReshape(node, constants)) && known.length === 1) {
      const shape = known[0].shape;
      if (shape.length === 1) {
        values.set(node.outputs[0], { nodeId: known[0].nodeId, shape: [shape.reduce((a, b) => a * b, 1)] });
        return;
      }
      if (node.opType !== 'Flatten') node = { ...node, opType: 'Flatten', attributes: {} };
    }
    const ctx: OnnxImportContext = {
      inputShapes: known.map((s) => s.shape),
      constant: (i) => (node.inputs[i] ? constants.get(node.inputs[i]) : undefined),
      flattenedFrom: known[0]?.flattenedFrom,
      channelsLastView: known[0]?.channelsLastView,
      onlyFlattened: consumersOf(node.outputs[0]).length > 0 && consumersOf(node.outputs[0]).every((c) => c.opType === 'Flatten' || isFlatteningReshape(c, constants)),
    };
    let imported: OnnxImportedLayer | undefined;
    let type = '';
    const reasons: string[] = [];
    for (const layer of LAYER_CATALOG) {
      if (!layer.fromOnnx?.ops.includes(node.opType)) continue;
      const result = layer.fromOnnx.read(node, ctx);
      if (typeof result === 'string') reasons.push(result);
      else if (result) {
        imported = result;
        type = layer.type;
        break;
      }
    }
    if (!imported) {
      report(reasons[0] ?? (LAYER_CATALOG.some((l) => l.fromOnnx?.ops.includes(node.opType)) ? `no layer type takes it on inputs of shape ${known.map((s) => `[${s.shape.join(', ')}]`).join(', ')}` : 'no layer type for this operator'));
      return;
    }
    const id = uniqueId(idFromOnnxName(node.name || node.outputs[0], node.opType));
    const params: Record<string, unknown> = { ...imported.params };
    nodes.push({ id, type, params });
    // The output shape comes from the catalog's own rule, as everywhere else in the designer: the
    // analysis of this layer alone, fed by Inputs of its sources' shapes (the whole design so far
    // would make reading a file of n layers take n² layer analyses).
    const alone: Design = { format: DESIGN_FORMAT, version: DESIGN_VERSION, name: '', nodes: [], edges: [], training: {} };
    for (const i of imported.dataInputs ?? [0]) {
      const source = values.get(node.inputs[i]);
      if (!source) continue;
      edges.push({ source: source.nodeId, target: id });
      const stand = `${id}__input${alone.nodes.length}`;
      alone.nodes.push({ id: stand, type: 'Input', params: { shape: source.shape } });
      alone.edges.push({ source: stand, target: id });
    }
    alone.nodes.push({ id, type, params });
    for (const [name, tensor] of Object.entries(imported.weights ?? {})) weights.push({ name: `${id}/${name}`, shape: tensor.shape, data: tensor.data });
    if (node.opType === 'Conv' && constants.get(node.inputs[1])?.name.startsWith('onnx::')) folded++;
    const analysis = analyzeDesign(alone, { searchFixes: false });
    const shape = analysis.nodes[id]?.outputShape;
    if (!shape) {
      const why = analysis.diagnostics.find((d) => d.nodeId === id && d.severity === 'error');
      report(`the ${type} it maps to has no output shape${why ? `: ${why.message}` : ''}`);
      return;
    }
    // A Flatten of a channels-last view flattens in the designer's order already: no reordering for the next Dense.
    values.set(node.outputs[0], {
      nodeId: id,
      shape,
      flattenedFrom: type === 'Flatten' && !known[0].channelsLastView ? known[0].shape : undefined,
      // A layer over the last axis of a channels-last view gives a channels-last view again.
      channelsLastView: type !== 'Flatten' && known[0]?.channelsLastView ? true : undefined,
    });
  });

  for (const output of model.graph.outputs) {
    if (!values.has(output.name) && problems.length === 0) {
      problems.push({ position: 0, nodeName: untrustedText.printable(output.name), opType: '', message: `graph output "${untrustedText.printable(output.name)}" is written by no operator` });
    }
  }
  if (problems.length) return { weights: [], problems, notes };
  if (foreign.length) notes.push(`Opsets of other domains (${foreign.map((o) => o.domain).join(', ')}) are imported but no operator used them.`);
  if (folded) {
    notes.push(
      `${folded} convolution${folded > 1 ? 's' : ''} came in with a bias: the exporter folded the BatchNorm that followed ${folded > 1 ? 'them' : 'it'} into ${folded > 1 ? 'their' : 'its'} weights (torch.onnx.export does in eval mode), so the design has no separate BatchNorm there.`,
    );
  }
  const design: Design = {
    format: DESIGN_FORMAT,
    version: DESIGN_VERSION,
    name: untrustedText.plainName(model.graph.name && model.graph.name !== 'torch_jit' && model.graph.name !== 'main_graph' ? model.graph.name : fallbackName) || 'Imported model',
    nodes,
    edges,
    training: {},
  };
  if (model.docString) design.description = untrustedText.plainName(model.docString);
  return { design, weights, problems: [], notes };
}

/** A Reshape whose target is (N, -1), (0, -1) or (1, -1): it only flattens. */
function isFlatteningReshape(node: OnnxNode, constants: Map<string, OnnxTensor>): boolean {
  if (node.opType !== 'Reshape') return false;
  const target = constants.get(node.inputs[1])?.ints;
  return Boolean(target && target.length === 2 && target[1] === -1 && (target[0] === 0 || target[0] === 1 || target[0] === -1));
}

/** A Reshape of (N, C) to (N, C, 1, 1) or (N, C, 1), or an Unsqueeze of its axes 2 (and 3). */
function isChannelUnsqueeze(node: OnnxNode, channels: number, constants: Map<string, OnnxTensor>): boolean {
  if (node.opType === 'Reshape') {
    const target = constants.get(node.inputs[1])?.ints;
    return Boolean(target && (target.length === 3 || target.length === 4) && [-1, 0].includes(target[0]) && target[1] === channels && target.slice(2).every((d) => d === 1));
  }
  if (node.opType === 'Unsqueeze') {
    const axes = node.attributes.axes?.kind === 'ints' ? node.attributes.axes.value : constants.get(node.inputs[1])?.ints;
    return Boolean(axes && [[2], [2, 3], [-1], [-2, -1]].some((a) => a.join() === axes.join()));
  }
  return false;
}

/** A Pad that adds nothing (torch.onnx.export writes one before some average pools). */
function isZeroPad(node: OnnxNode, constants: Map<string, OnnxTensor>): boolean {
  const pads = node.attributes.pads?.kind === 'ints' ? node.attributes.pads.value : constants.get(node.inputs[1])?.ints;
  return Boolean(pads && pads.every((p) => p === 0));
}

/** A Reshape or Unsqueeze of a constant float tensor, as the constant it gives (same values, new dims). */
function reshapedConstant(node: OnnxNode, constants: Map<string, OnnxTensor>): OnnxTensor | undefined {
  const tensor = constants.get(node.inputs[0]);
  if (!tensor?.floats) return undefined;
  let dims: number[] | undefined;
  if (node.opType === 'Reshape') {
    const target = constants.get(node.inputs[1])?.ints?.map(Number);
    if (!target) return undefined;
    const known = target.map((d, i) => (d === 0 ? tensor.dims[i] : d));
    const rest = known.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    dims = known.map((d) => (d === -1 ? tensor.floats!.length / rest : d));
  } else if (node.opType === 'Unsqueeze') {
    const axes = node.attributes.axes?.kind === 'ints' ? node.attributes.axes.value : constants.get(node.inputs[1])?.ints?.map(Number);
    if (!axes) return undefined;
    const rank = tensor.dims.length + axes.length;
    const at = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
    const rest = [...tensor.dims];
    dims = Array.from({ length: rank }, (_, i) => (at.has(i) ? 1 : rest.shift()!));
  }
  if (!dims || dims.some((d) => !Number.isInteger(d) || d < 0) || dims.reduce((a, b) => a * b, 1) !== tensor.floats.length) return undefined;
  return { ...tensor, name: node.outputs[0], dims };
}
