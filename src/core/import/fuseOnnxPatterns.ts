import type { OnnxAttributeValue, OnnxNode, OnnxTensor } from '../onnx/onnxModel';
import { ONNX_LAYER_NORMALIZATION } from '../layers/layerNormLayer';

/** An operator of the graph as the import reads it, with its 1-based position in the file (the last one's, for a fused pattern). */
export interface PositionedOnnxNode {
  node: OnnxNode;
  position: number;
}

/** A pattern found: the graph nodes it covers (indices) and the one operator standing for them. */
interface PatternMatch {
  covered: number[];
  fused: OnnxNode;
}

/** What a matcher may ask about the graph. */
interface GraphView {
  nodes: readonly OnnxNode[];
  /** The index of the node writing a value, if a node does. */
  producer(value: string): number | undefined;
  /** The indices of the nodes reading a value. */
  consumers(value: string): number[];
  /** The constant behind a value (initializer, Constant node, Identity of either), if it is one. */
  constant(value: string): OnnxTensor | undefined;
}

const scalarOf = (t: OnnxTensor | undefined): number | undefined => {
  const values = t?.floats ?? t?.ints;
  return values && values.length === 1 ? Number(values[0]) : undefined;
};
const near = (a: number | undefined, b: number, tolerance = 1e-6): boolean => a !== undefined && Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));
const floatAttribute = (value: number): OnnxAttributeValue => ({ kind: 'float', value });

/** The module path of a node name ("/features/features.0/features.0.1/ReduceMean" → "/features/features.0/features.0.1"). */
const modulePath = (name: string): string => (name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : name);
/** A fused operator's name: its module path and its own kind, as torch.onnx.export names operators. */
const fusedName = (first: OnnxNode, opType: string): string => `${modulePath(first.name)}/${opType}`;

/** The one consumer of a value, when exactly one node reads it. */
function only(graph: GraphView, value: string | undefined): number | undefined {
  if (!value) return undefined;
  const readers = graph.consumers(value);
  return readers.length === 1 ? readers[0] : undefined;
}

/** The input of a binary node that is not `value`, when `value` is one of its two inputs. */
function otherInput(node: OnnxNode, value: string): string | undefined {
  if (node.inputs.length !== 2) return undefined;
  if (node.inputs[0] === value) return node.inputs[1];
  if (node.inputs[1] === value) return node.inputs[0];
  return undefined;
}

/** The axes a Reduce* node reduces: an attribute before opset 18, an input since. */
function reduceAxes(node: OnnxNode, graph: GraphView): number[] | undefined {
  const attribute = node.attributes.axes;
  if (attribute?.kind === 'ints') return attribute.value;
  return node.inputs[1] ? graph.constant(node.inputs[1])?.ints : undefined;
}

/**
 * LayerNormalization over the last axis as torch.onnx.export writes it before opset 17:
 * ReduceMean, Sub, Pow 2, ReduceMean, Add ε, Sqrt, Div, then the affine Mul and Add (torchvision's
 * LayerNorm2d, ConvNeXt, between two Transposes).
 */
function layerNorm(graph: GraphView, index: number): PatternMatch | undefined {
  const mean = graph.nodes[index];
  if (mean.opType !== 'ReduceMean' || reduceAxes(mean, graph)?.join() !== '-1') return undefined;
  const x = mean.inputs[0];
  const subAt = only(graph, mean.outputs[0]);
  const sub = subAt === undefined ? undefined : graph.nodes[subAt];
  if (!sub || sub.opType !== 'Sub' || sub.inputs[0] !== x || sub.inputs[1] !== mean.outputs[0]) return undefined;
  const centred = sub.outputs[0];
  const readers = graph.consumers(centred);
  if (readers.length !== 2) return undefined;
  const powAt = readers.find((i) => graph.nodes[i].opType === 'Pow');
  const divAt = readers.find((i) => graph.nodes[i].opType === 'Div');
  if (powAt === undefined || divAt === undefined) return undefined;
  const pow = graph.nodes[powAt];
  if (pow.inputs[0] !== centred || !near(scalarOf(graph.constant(pow.inputs[1])), 2)) return undefined;
  const varianceAt = only(graph, pow.outputs[0]);
  const variance = varianceAt === undefined ? undefined : graph.nodes[varianceAt];
  if (!variance || variance.opType !== 'ReduceMean' || reduceAxes(variance, graph)?.join() !== '-1') return undefined;
  const addAt = only(graph, variance.outputs[0]);
  const add = addAt === undefined ? undefined : graph.nodes[addAt];
  const epsilon = add?.opType === 'Add' ? scalarOf(graph.constant(otherInput(add, variance.outputs[0]) ?? '')) : undefined;
  if (!add || epsilon === undefined) return undefined;
  const sqrtAt = only(graph, add.outputs[0]);
  const sqrt = sqrtAt === undefined ? undefined : graph.nodes[sqrtAt];
  const div = graph.nodes[divAt];
  if (!sqrt || sqrt.opType !== 'Sqrt' || div.inputs[0] !== centred || div.inputs[1] !== sqrt.outputs[0]) return undefined;
  const covered = [index, subAt!, powAt, varianceAt!, addAt!, sqrtAt!, divAt];
  const inputs = [x];
  let output = div.outputs[0];
  // The affine terms: a Mul by a constant γ, then an Add of a constant β.
  const scaleAt = only(graph, output);
  const scale = scaleAt === undefined ? undefined : graph.nodes[scaleAt];
  const gamma = scale?.opType === 'Mul' ? otherInput(scale, output) : undefined;
  if (scale && gamma && graph.constant(gamma)?.floats) {
    const shiftAt = only(graph, scale.outputs[0]);
    const shift = shiftAt === undefined ? undefined : graph.nodes[shiftAt];
    const beta = shift?.opType === 'Add' ? otherInput(shift, scale.outputs[0]) : undefined;
    covered.push(scaleAt!);
    inputs.push(gamma);
    output = scale.outputs[0];
    if (shift && beta && graph.constant(beta)?.floats) {
      covered.push(shiftAt!);
      inputs.push(beta);
      output = shift.outputs[0];
    }
  }
  return {
    covered,
    fused: { name: fusedName(mean, ONNX_LAYER_NORMALIZATION), opType: ONNX_LAYER_NORMALIZATION, domain: '', inputs, outputs: [output], attributes: { axis: { kind: 'int', value: -1 }, epsilon: floatAttribute(epsilon) } },
  };
}

/** Exact GELU, 0.5·x·(1 + erf(x / √2)), in either order of its two products (PyTorch's and the designer's export). */
function gelu(graph: GraphView, index: number): PatternMatch | undefined {
  const erf = graph.nodes[index];
  if (erf.opType !== 'Erf') return undefined;
  const scaledAt = graph.producer(erf.inputs[0]);
  const scaled = scaledAt === undefined ? undefined : graph.nodes[scaledAt];
  if (!scaled || only(graph, scaled.outputs[0]) !== index) return undefined;
  const x = scaled.inputs[0];
  const factor = scalarOf(graph.constant(scaled.inputs[1]));
  if (!((scaled.opType === 'Div' && near(factor, Math.SQRT2)) || (scaled.opType === 'Mul' && near(factor, Math.SQRT1_2)))) return undefined;
  const onePlusAt = only(graph, erf.outputs[0]);
  const onePlus = onePlusAt === undefined ? undefined : graph.nodes[onePlusAt];
  if (!onePlus || onePlus.opType !== 'Add' || !near(scalarOf(graph.constant(otherInput(onePlus, erf.outputs[0]) ?? '')), 1)) return undefined;
  const productAt = only(graph, onePlus.outputs[0]);
  const product = productAt === undefined ? undefined : graph.nodes[productAt];
  const partner = product?.opType === 'Mul' ? otherInput(product, onePlus.outputs[0]) : undefined;
  if (!product || !partner) return undefined;
  const isHalf = (value: string | undefined) => near(scalarOf(graph.constant(value ?? '')), 0.5);
  const covered = [scaledAt!, index, onePlusAt!, productAt!];
  let output: string;
  if (partner === x) {
    // (x · (1 + erf)) · 0.5
    const halfAt = only(graph, product.outputs[0]);
    const half = halfAt === undefined ? undefined : graph.nodes[halfAt];
    if (!half || half.opType !== 'Mul' || !isHalf(otherInput(half, product.outputs[0]))) return undefined;
    covered.push(halfAt!);
    output = half.outputs[0];
  } else {
    // (x · 0.5) · (1 + erf)
    const halfAt = graph.producer(partner);
    const half = halfAt === undefined ? undefined : graph.nodes[halfAt];
    if (!half || half.opType !== 'Mul' || otherInput(half, x) === undefined || !isHalf(otherInput(half, x)) || only(graph, partner) !== productAt) return undefined;
    covered.push(halfAt!);
    output = product.outputs[0];
  }
  return { covered, fused: { name: fusedName(erf, 'Gelu'), opType: 'Gelu', domain: '', inputs: [x], outputs: [output], attributes: { approximate: { kind: 'string', value: 'none' } } } };
}

/** SiLU, x · sigmoid(x): a Sigmoid read only by a Mul with its own input. */
function silu(graph: GraphView, index: number): PatternMatch | undefined {
  const sigmoid = graph.nodes[index];
  if (sigmoid.opType !== 'Sigmoid') return undefined;
  const mulAt = only(graph, sigmoid.outputs[0]);
  const mul = mulAt === undefined ? undefined : graph.nodes[mulAt];
  if (!mul || mul.opType !== 'Mul' || otherInput(mul, sigmoid.outputs[0]) !== sigmoid.inputs[0]) return undefined;
  return { covered: [index, mulAt!], fused: { name: fusedName(sigmoid, 'SiLU'), opType: 'SiLU', domain: '', inputs: [sigmoid.inputs[0]], outputs: [mul.outputs[0]], attributes: {} } };
}

/** Mish, x · tanh(softplus(x)). */
function mish(graph: GraphView, index: number): PatternMatch | undefined {
  const softplus = graph.nodes[index];
  if (softplus.opType !== 'Softplus') return undefined;
  const tanhAt = only(graph, softplus.outputs[0]);
  const tanh = tanhAt === undefined ? undefined : graph.nodes[tanhAt];
  if (!tanh || tanh.opType !== 'Tanh') return undefined;
  const mulAt = only(graph, tanh.outputs[0]);
  const mul = mulAt === undefined ? undefined : graph.nodes[mulAt];
  if (!mul || mul.opType !== 'Mul' || otherInput(mul, tanh.outputs[0]) !== softplus.inputs[0]) return undefined;
  return { covered: [index, tanhAt!, mulAt!], fused: { name: fusedName(softplus, 'Mish'), opType: 'Mish', domain: '', inputs: [softplus.inputs[0]], outputs: [mul.outputs[0]], attributes: {} } };
}

/**
 * ShuffleNet's channel shuffle: Reshape to (N, groups, C / groups, H, W), Transpose of the two
 * channel axes, Reshape back. The fused operator keeps the first Reshape's target as its second
 * input: the groups are read from it once the shape arithmetic computing it is folded.
 */
function channelShuffle(graph: GraphView, index: number): PatternMatch | undefined {
  const split = graph.nodes[index];
  if (split.opType !== 'Reshape') return undefined;
  const transposeAt = only(graph, split.outputs[0]);
  const transpose = transposeAt === undefined ? undefined : graph.nodes[transposeAt];
  const perm = transpose?.attributes.perm;
  // (N, groups, C / groups, H, W) or, of a sequence, (N, groups, C / groups, L), or of a vector (N, groups, C / groups).
  if (!transpose || transpose.opType !== 'Transpose' || perm?.kind !== 'ints' || !['0,2,1,3,4', '0,2,1,3', '0,2,1'].includes(perm.value.join())) return undefined;
  const mergeAt = only(graph, transpose.outputs[0]);
  const merge = mergeAt === undefined ? undefined : graph.nodes[mergeAt];
  if (!merge || merge.opType !== 'Reshape') return undefined;
  return {
    covered: [index, transposeAt!, mergeAt!],
    fused: { name: fusedName(split, 'ChannelShuffle'), opType: 'ChannelShuffle', domain: '', inputs: [split.inputs[0], split.inputs[1]], outputs: [merge.outputs[0]], attributes: {} },
  };
}

/**
 * nn.GroupNorm as torch.onnx.export writes it: Reshape to (N, groups, -1), InstanceNormalization
 * with scale 1 and bias 0 per group, Reshape back, then γ and β per channel (Mul, Add).
 */
function groupNorm(graph: GraphView, index: number): PatternMatch | undefined {
  const norm = graph.nodes[index];
  if (norm.opType !== 'InstanceNormalization') return undefined;
  const splitAt = graph.producer(norm.inputs[0]);
  const split = splitAt === undefined ? undefined : graph.nodes[splitAt];
  if (!split || split.opType !== 'Reshape' || only(graph, split.outputs[0]) !== index) return undefined;
  const ones = graph.constant(norm.inputs[1])?.floats;
  const zeros = graph.constant(norm.inputs[2])?.floats;
  if (!ones || !zeros || ones.some((v) => v !== 1) || zeros.some((v) => v !== 0)) return undefined;
  const mergeAt = only(graph, norm.outputs[0]);
  const merge = mergeAt === undefined ? undefined : graph.nodes[mergeAt];
  if (!merge || merge.opType !== 'Reshape') return undefined;
  const covered = [splitAt!, index, mergeAt!];
  const inputs = [split.inputs[0]];
  let output = merge.outputs[0];
  const scaleAt = only(graph, output);
  const scale = scaleAt === undefined ? undefined : graph.nodes[scaleAt];
  const gamma = scale?.opType === 'Mul' ? otherInput(scale, output) : undefined;
  const shiftAt = scale ? only(graph, scale.outputs[0]) : undefined;
  const shift = shiftAt === undefined ? undefined : graph.nodes[shiftAt];
  const beta = shift?.opType === 'Add' ? otherInput(shift, scale!.outputs[0]) : undefined;
  if (gamma && beta && graph.constant(gamma)?.floats && graph.constant(beta)?.floats) {
    covered.push(scaleAt!, shiftAt!);
    inputs.push(gamma, beta);
    output = shift!.outputs[0];
  }
  const epsilon = norm.attributes.epsilon?.kind === 'float' ? norm.attributes.epsilon.value : 1e-5;
  return {
    covered,
    fused: { name: fusedName(norm, 'GroupNormalization'), opType: 'GroupNormalization', domain: '', inputs, outputs: [output], attributes: { num_groups: { kind: 'int', value: ones.length }, epsilon: floatAttribute(epsilon) } },
  };
}

/** nn.Linear on a channels-last tensor: MatMul by a constant, then an Add of a constant bias, as one MatMul with the bias as its third input. */
function linear(graph: GraphView, index: number): PatternMatch | undefined {
  const matmul = graph.nodes[index];
  if (matmul.opType !== 'MatMul' || !graph.constant(matmul.inputs[1])?.floats || graph.constant(matmul.inputs[0])) return undefined;
  const addAt = only(graph, matmul.outputs[0]);
  const add = addAt === undefined ? undefined : graph.nodes[addAt];
  const bias = add?.opType === 'Add' ? otherInput(add, matmul.outputs[0]) : undefined;
  if (!add || !bias || !graph.constant(bias)?.floats) return undefined;
  return { covered: [index, addAt!], fused: { ...matmul, inputs: [matmul.inputs[0], matmul.inputs[1], bias], outputs: [add.outputs[0]] } };
}

const MATCHERS = [layerNorm, gelu, silu, mish, channelShuffle, groupNorm, linear];

/**
 * The graph's operators with the patterns torch.onnx.export writes for one PyTorch module each
 * (LayerNorm before opset 17, GELU, SiLU, Mish, ShuffleNet's channel shuffle, GroupNorm, Linear on
 * a channels-last tensor) replaced by one operator, placed where the pattern's last node was. A
 * fused operator is named as ONNX's own operator where ONNX has one (LayerNormalization, Gelu,
 * Mish, GroupNormalization with γ and β per channel, MatMul with a bias) and as PyTorch's module
 * otherwise (SiLU, ChannelShuffle); the catalog's layer types read them as any other operator.
 * A pattern whose intermediate values anything else reads stays as it is.
 */
export function fuseOnnxPatterns(nodes: readonly OnnxNode[], initializers: readonly OnnxTensor[], graphOutputs: readonly string[]): PositionedOnnxNode[] {
  const producers = new Map<string, number>();
  const readers = new Map<string, number[]>();
  const constants = new Map<string, OnnxTensor>(initializers.map((t) => [t.name, t]));
  nodes.forEach((node, i) => {
    for (const output of node.outputs) producers.set(output, i);
    for (const input of new Set(node.inputs)) {
      if (!input) continue;
      const list = readers.get(input);
      if (list) list.push(i);
      else readers.set(input, [i]);
    }
    if (node.opType === 'Constant' && node.attributes.value?.kind === 'tensor') constants.set(node.outputs[0], node.attributes.value.value);
    if (node.opType === 'Identity' && constants.has(node.inputs[0])) constants.set(node.outputs[0], constants.get(node.inputs[0])!);
    // A parameter given its broadcast shape in the graph (the designer's own export of γ and β as (C, 1, 1)) is still a constant; the import reshapes its values.
    if ((node.opType === 'Reshape' || node.opType === 'Unsqueeze') && constants.get(node.inputs[0])?.floats && node.inputs.slice(1).every((i) => !i || constants.has(i))) constants.set(node.outputs[0], constants.get(node.inputs[0])!);
  });
  const outputs = new Set(graphOutputs);
  const graph: GraphView = {
    nodes,
    producer: (value) => producers.get(value),
    consumers: (value) => (outputs.has(value) ? [-1] : (readers.get(value) ?? [])),
    constant: (value) => constants.get(value),
  };
  const covered = new Set<number>();
  const fusedAt = new Map<number, OnnxNode>();
  nodes.forEach((_, i) => {
    if (covered.has(i)) return;
    for (const matcher of MATCHERS) {
      const match = matcher(graph, i);
      if (!match || match.covered.some((c) => covered.has(c))) continue;
      // Everything a covered node writes, except the fused output, is read by covered nodes only.
      const inside = new Set(match.covered);
      const sealed = match.covered.every((c) => nodes[c].outputs.every((o) => o === match.fused.outputs[0] || graph.consumers(o).every((r) => inside.has(r))));
      if (!sealed) continue;
      for (const c of match.covered) covered.add(c);
      fusedAt.set(Math.max(...match.covered), match.fused);
      break;
    }
  });
  const result: PositionedOnnxNode[] = [];
  nodes.forEach((node, i) => {
    const fused = fusedAt.get(i);
    if (fused) result.push({ node: fused, position: i + 1 });
    else if (!covered.has(i)) result.push({ node, position: i + 1 });
  });
  return result;
}
