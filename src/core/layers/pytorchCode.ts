/**
 * Small helpers the layer types share to write PyTorch code: Python literals, window tuples,
 * `F.pad` arguments and activations on channels-first tensors.
 */
import { ELU_ALPHA, LEAKY_RELU_SLOPE } from './commonParams';

/** A JavaScript number as a Python literal (integers stay integers; rounding noise is dropped). */
export function pyNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(12)));
}

/** 3 for [3, 3], (3, 5) for [3, 5], 3 for [3]: PyTorch accepts either form. */
export function pyWindow(sizes: number[]): string {
  return sizes.every((s) => s === sizes[0]) ? String(sizes[0]) : `(${sizes.join(', ')})`;
}

/** F.pad's argument: [before, after] per axis, last axis first, e.g. (left, right, top, bottom). */
export function pyPadTuple(pads: [number, number][]): string {
  return `(${[...pads].reverse().flat().join(', ')})`;
}

/**
 * The activation applied to a channels-first tensor. Channels are axis 1 in (N, C), (N, C, L) and
 * (N, C, H, W) alike, so softmax over the designer's last (channel) axis is dim=1 everywhere.
 * `alpha` is leaky ReLU's slope or ELU's α (their defaults when absent).
 */
export function pyActivation(fn: string | undefined, expr: string, alpha?: number): string {
  switch (fn ?? 'linear') {
    case 'relu':
      return `F.relu(${expr})`;
    case 'relu6':
      return `F.relu6(${expr})`;
    case 'leakyRelu':
      return `F.leaky_relu(${expr}, ${pyNumber(alpha ?? LEAKY_RELU_SLOPE)})`;
    case 'elu':
      return (alpha ?? ELU_ALPHA) === ELU_ALPHA ? `F.elu(${expr})` : `F.elu(${expr}, alpha=${pyNumber(alpha!)})`;
    case 'gelu':
      return `F.gelu(${expr})`;
    case 'geluTanh':
      return `F.gelu(${expr}, approximate='tanh')`;
    case 'silu':
      return `F.silu(${expr})`;
    case 'mish':
      return `F.mish(${expr})`;
    case 'softplus':
      return `F.softplus(${expr})`;
    case 'hardsigmoid':
      return `F.hardsigmoid(${expr})`;
    case 'hardswish':
      return `F.hardswish(${expr})`;
    case 'sigmoid':
      return `torch.sigmoid(${expr})`;
    case 'tanh':
      return `torch.tanh(${expr})`;
    case 'softmax':
      return `F.softmax(${expr}, dim=1)`;
    case 'logSoftmax':
      return `F.log_softmax(${expr}, dim=1)`;
    default:
      return expr;
  }
}

/**
 * The activation as an nn module ("nn.ReLU6()"), for where it must sit in an nn.Sequential as
 * torchvision's Conv2dNormActivation has it; undefined for the identity. Computes what pyActivation does.
 */
export function pyActivationModule(fn: string | undefined, alpha?: number): string | undefined {
  switch (fn ?? 'linear') {
    case 'relu':
      return 'nn.ReLU()';
    case 'relu6':
      return 'nn.ReLU6()';
    case 'leakyRelu':
      return `nn.LeakyReLU(${pyNumber(alpha ?? LEAKY_RELU_SLOPE)})`;
    case 'elu':
      return `nn.ELU(alpha=${pyNumber(alpha ?? ELU_ALPHA)})`;
    case 'gelu':
      return 'nn.GELU()';
    case 'geluTanh':
      return "nn.GELU(approximate='tanh')";
    case 'silu':
      return 'nn.SiLU()';
    case 'mish':
      return 'nn.Mish()';
    case 'softplus':
      return 'nn.Softplus()';
    case 'hardsigmoid':
      return 'nn.Hardsigmoid()';
    case 'hardswish':
      return 'nn.Hardswish()';
    case 'sigmoid':
      return 'nn.Sigmoid()';
    case 'tanh':
      return 'nn.Tanh()';
    case 'softmax':
      return 'nn.Softmax(dim=1)';
    case 'logSoftmax':
      return 'nn.LogSoftmax(dim=1)';
    default:
      return undefined;
  }
}

/** Permutations between channels-first and channels-last for a tensor of the given designer rank. */
export function toChannelsLast(rank: number): string {
  return rank === 3 ? '.permute(0, 2, 3, 1)' : rank === 2 ? '.permute(0, 2, 1)' : '';
}

export function toChannelsFirst(rank: number): string {
  return rank === 3 ? '.permute(0, 3, 1, 2)' : rank === 2 ? '.permute(0, 2, 1)' : '';
}
