/**
 * Small helpers the layer types share to write ONNX operators: activations on channels-first
 * tensors and the `pads` attribute. Opset 17 (see exportOnnx), so GELU is composed from Erf and
 * Mish from Softplus and Tanh (opset 18 and 20 add them as operators).
 */
import type { OnnxAttributeValue, OnnxNode } from '../onnx/onnxModel';
import { ELU_ALPHA, LEAKY_RELU_SLOPE } from './commonParams';
import type { OnnxContext } from './layerType';

export const onnxInts = (value: number[]): OnnxAttributeValue => ({ kind: 'ints', value });
export const onnxInt = (value: number): OnnxAttributeValue => ({ kind: 'int', value });
export const onnxFloat = (value: number): OnnxAttributeValue => ({ kind: 'float', value });

/** ONNX's `pads`: every axis' begin, then every axis' end. */
export const onnxPads = (pads: [number, number][]): OnnxAttributeValue => onnxInts([...pads.map(([before]) => before), ...pads.map(([, after]) => after)]);

/** PyTorch's hardsigmoid, relu6(x + 3) / 6, as ONNX's HardSigmoid max(0, min(1, αx + β)). */
export const HARD_SIGMOID_ALPHA = 1 / 6;
export const HARD_SIGMOID_BETA = 0.5;

/**
 * The activation applied to a channels-first tensor (channels are axis 1 at every rank). `alpha` is
 * leaky ReLU's slope or ELU's α (their defaults when absent).
 */
export function onnxActivation(fn: string | undefined, x: string, ctx: OnnxContext, alpha?: number): string {
  const scalar = (value: number): string => ctx.floats([value], []);
  switch (fn ?? 'linear') {
    case 'relu':
      return ctx.op('Relu', [x]);
    case 'relu6':
      return ctx.op('Clip', [x, scalar(0), scalar(6)]);
    case 'leakyRelu':
      return ctx.op('LeakyRelu', [x], { alpha: onnxFloat(alpha ?? LEAKY_RELU_SLOPE) });
    case 'elu':
      return ctx.op('Elu', [x], { alpha: onnxFloat(alpha ?? ELU_ALPHA) });
    case 'gelu': {
      // Exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)): opset 17 has no Gelu operator.
      const erf = ctx.op('Erf', [ctx.op('Div', [x, scalar(Math.SQRT2)])]);
      return ctx.op('Mul', [ctx.op('Mul', [x, scalar(0.5)]), ctx.op('Add', [erf, scalar(1)])]);
    }
    case 'geluTanh': {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), PyTorch's approximate='tanh'.
      const cube = ctx.op('Mul', [ctx.op('Mul', [x, x]), x]);
      const inner = ctx.op('Mul', [ctx.op('Add', [x, ctx.op('Mul', [cube, scalar(0.044715)])]), scalar(Math.sqrt(2 / Math.PI))]);
      return ctx.op('Mul', [ctx.op('Mul', [x, scalar(0.5)]), ctx.op('Add', [ctx.op('Tanh', [inner]), scalar(1)])]);
    }
    case 'silu':
      return ctx.op('Mul', [x, ctx.op('Sigmoid', [x])]);
    case 'mish':
      return ctx.op('Mul', [x, ctx.op('Tanh', [ctx.op('Softplus', [x])])]);
    case 'softplus':
      return ctx.op('Softplus', [x]);
    case 'hardsigmoid':
      return ctx.op('HardSigmoid', [x], { alpha: onnxFloat(HARD_SIGMOID_ALPHA), beta: onnxFloat(HARD_SIGMOID_BETA) });
    case 'hardswish':
      return ctx.op('HardSwish', [x]);
    case 'sigmoid':
      return ctx.op('Sigmoid', [x]);
    case 'tanh':
      return ctx.op('Tanh', [x]);
    case 'softmax':
      return ctx.op('Softmax', [x], { axis: onnxInt(1) });
    case 'logSoftmax':
      return ctx.op('LogSoftmax', [x], { axis: onnxInt(1) });
    default:
      return x;
  }
}

/** Channels-first → channels-last permutation for a tensor of the given designer rank (with batch). */
export function channelsLastPermutation(rank: number): number[] {
  return rank === 3 ? [0, 2, 3, 1] : rank === 2 ? [0, 2, 1] : [0, 1];
}

export function channelsFirstPermutation(rank: number): number[] {
  return rank === 3 ? [0, 3, 1, 2] : rank === 2 ? [0, 2, 1] : [0, 1];
}

/** An attribute of an imported operator, with ONNX's default when absent. */
export function attributeInts(node: OnnxNode, name: string, fallback: number[]): number[] {
  const a = node.attributes[name];
  return a?.kind === 'ints' ? a.value : a?.kind === 'int' ? [a.value] : fallback;
}

export function attributeInt(node: OnnxNode, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a?.kind === 'int' ? a.value : fallback;
}

export function attributeFloat(node: OnnxNode, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a?.kind === 'float' ? a.value : fallback;
}

export function attributeString(node: OnnxNode, name: string, fallback: string): string {
  const a = node.attributes[name];
  return a?.kind === 'string' ? a.value : fallback;
}

/**
 * The designer's padding for an imported window operator: "valid", "same" (TensorFlow's rule, which
 * ONNX calls SAME_UPPER), or zeros on each side; a string saying why when it is none of these.
 */
export function importedPadding(node: OnnxNode, spatial: number[], effectiveKernel: number[], strides: number[]): number[] | 'valid' | 'same' | string {
  const autoPad = attributeString(node, 'auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return 'valid';
  if (autoPad === 'SAME_UPPER') return 'same';
  if (autoPad === 'SAME_LOWER') return 'auto_pad SAME_LOWER puts the extra padding before; only SAME_UPPER ("same") is supported';
  const pads = attributeInts(node, 'pads', new Array(spatial.length * 2).fill(0));
  const before = pads.slice(0, spatial.length);
  const after = pads.slice(spatial.length);
  if (before.every((p, i) => p === after[i])) return before.every((p) => p === 0) ? 'valid' : before;
  // Uneven padding is "same" when it is exactly TensorFlow's split (the extra zero after).
  const same = spatial.every((size, i) => {
    const out = Math.ceil(size / strides[i]);
    const total = Math.max(0, (out - 1) * strides[i] + effectiveKernel[i] - size);
    return before[i] === Math.floor(total / 2) && after[i] === total - Math.floor(total / 2);
  });
  return same ? 'same' : `uneven padding [${pads.join(', ')}] (before ≠ after) has no layer parameter yet`;
}

/** A 1-element list as a number (3 for [3, 3] stays a list of two: the designer accepts either). */
export const windowParam = (values: number[]): number | number[] => (values.every((v) => v === values[0]) ? values[0] : values);
