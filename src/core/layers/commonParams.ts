import { ACTIVATIONS, type ParamSpec } from './layerType';
import type { KerasLayerSpec } from './layerType';

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

/** Keras' built-in activation names; the others compile to a layer of their own. */
export const KERAS_ACTIVATIONS: Record<string, string> = {
  linear: 'linear',
  relu: 'relu',
  elu: 'elu',
  gelu: 'gelu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
};

/** Slope of leaky ReLU for x < 0: PyTorch's default, used by every target so exports agree. */
export const LEAKY_RELU_SLOPE = 0.01;

/** The Keras / TF.js layer computing a stand-alone activation. */
export function activationLayerSpec(fn: string, suffix: string): KerasLayerSpec {
  if (fn === 'leakyRelu') return { className: 'LeakyReLU', config: { alpha: LEAKY_RELU_SLOPE }, suffix };
  if (fn === 'logSoftmax') return { className: 'CnnLogSoftmax', config: {}, suffix };
  return { className: 'Activation', config: { activation: KERAS_ACTIVATIONS[fn] ?? 'linear' }, suffix };
}

/**
 * Gives a layer its activation: fused into its `activation` config where Keras has it, else as a
 * trailing layer. The node's output layer is always the last and is the one without a suffix.
 */
export function withActivation(main: Omit<KerasLayerSpec, 'suffix'>, fn: string | undefined): KerasLayerSpec[] {
  const name = fn ?? 'linear';
  if (name in KERAS_ACTIVATIONS) return [{ ...main, config: { ...main.config, activation: KERAS_ACTIVATIONS[name] }, suffix: '' }];
  return [{ ...main, config: { ...main.config, activation: 'linear' }, suffix: '_linear' }, activationLayerSpec(name, '')];
}

/** "relu" → ", relu"; nothing for linear. */
export const activationSuffix = (fn: unknown): string => (fn && fn !== 'linear' ? `, ${String(fn)}` : '');

/** 3 → "3", [3, 5] → "3×5", with equal sizes collapsed. */
export const sizeText = (sizes: number[]): string => (sizes.every((s) => s === sizes[0]) ? String(sizes[0]) : sizes.join('×'));
export const windowText = (sizes: number[]): string => (sizes.length === 1 ? String(sizes[0]) : sizes.join('×'));
