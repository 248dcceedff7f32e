import { ACTIVATIONS, type ParamSpec } from './layerType';

export const activationParam: ParamSpec = {
  name: 'activation',
  label: 'Activation',
  kind: 'enum',
  options: ACTIVATIONS,
  default: 'linear',
  doc: 'Function applied to the output; "linear" applies none.',
};

export const useBiasParam: ParamSpec = {
  name: 'useBias',
  label: 'Use bias',
  kind: 'bool',
  default: true,
  doc: 'Adds one learned bias per output channel.',
};

/** Slope of leaky ReLU for x < 0: PyTorch's default, used by every target so exports agree. */
export const LEAKY_RELU_SLOPE = 0.01;

/** ELU's α (the limit for x → −∞) when the design sets none: PyTorch's and Keras' default. */
export const ELU_ALPHA = 1;

/** The activations whose shape a node's `alpha` sets, with the α each uses when none is set. */
export const ALPHA_DEFAULTS: Readonly<Record<string, number>> = { leakyRelu: LEAKY_RELU_SLOPE, elu: ELU_ALPHA };

/** "relu" → ", relu"; nothing for linear. */
export const activationSuffix = (fn: unknown): string => (fn && fn !== 'linear' ? `, ${String(fn)}` : '');

/** 3 → "3", [3, 5] → "3×5", with equal sizes collapsed. */
export const sizeText = (sizes: number[]): string => (sizes.every((s) => s === sizes[0]) ? String(sizes[0]) : sizes.join('×'));
export const windowText = (sizes: number[]): string => (sizes.length === 1 ? String(sizes[0]) : sizes.length === 2 ? `${sizes[0]}×${sizes[1]}` : sizes.join('×'));
