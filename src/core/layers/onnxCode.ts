/**
 * Small helpers the layer types share to write ONNX operators: activations on channels-first
 * tensors and the `pads` attribute. Opset 17 (see exportOnnx), so GELU is composed from Erf.
 */
import type { OnnxAttributeValue } from '../onnx/onnxModel';
import { LEAKY_RELU_SLOPE } from './commonParams';
import type { OnnxContext } from './layerType';

export const onnxInts = (value: number[]): OnnxAttributeValue => ({ kind: 'ints', value });
export const onnxInt = (value: number): OnnxAttributeValue => ({ kind: 'int', value });
export const onnxFloat = (value: number): OnnxAttributeValue => ({ kind: 'float', value });

/** ONNX's `pads`: every axis' begin, then every axis' end. */
export const onnxPads = (pads: [number, number][]): OnnxAttributeValue => onnxInts([...pads.map(([before]) => before), ...pads.map(([, after]) => after)]);

/** The activation applied to a channels-first tensor (channels are axis 1 at every rank). */
export function onnxActivation(fn: string | undefined, x: string, ctx: OnnxContext): string {
  switch (fn ?? 'linear') {
    case 'relu':
      return ctx.op('Relu', [x]);
    case 'leakyRelu':
      return ctx.op('LeakyRelu', [x], { alpha: onnxFloat(LEAKY_RELU_SLOPE) });
    case 'elu':
      return ctx.op('Elu', [x], { alpha: onnxFloat(1) });
    case 'gelu': {
      // Exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)): opset 17 has no Gelu operator.
      const erf = ctx.op('Erf', [ctx.op('Div', [x, ctx.floats([Math.SQRT2], [])])]);
      return ctx.op('Mul', [ctx.op('Mul', [x, ctx.floats([0.5], [])]), ctx.op('Add', [erf, ctx.floats([1], [])])]);
    }
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
