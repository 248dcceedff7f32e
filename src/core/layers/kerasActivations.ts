/**
 * Activations in Keras / TF.js, both ways: fused into a layer's `activation` config where Keras
 * has the function, else a layer of their own (LeakyReLU, the project's CnnLogSoftmax); and
 * reading them back from either form on import.
 */
import { LEAKY_RELU_SLOPE } from './commonParams';
import type { KerasCustomLayer, KerasImportContext, KerasLayerSpec } from './layerType';

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

/** The designer's activation for each serialized Keras / TF.js activation name it has. */
const FROM_KERAS_ACTIVATION: Record<string, string> = {
  ...KERAS_ACTIVATIONS,
  log_softmax: 'logSoftmax',
  logSoftmax: 'logSoftmax',
};

/** Log-softmax over the last axis: Keras has the function but no layer for it. */
export const CNN_LOG_SOFTMAX: KerasCustomLayer = {
  className: 'CnnLogSoftmax',
  js: `/** Log-softmax over the last (channel) axis, as PyTorch's F.log_softmax. */
class CnnLogSoftmax extends tf.layers.Layer {
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.logSoftmax(x, -1);
  }
}
CnnLogSoftmax.className = 'CnnLogSoftmax';
tf.serialization.registerClass(CnnLogSoftmax);`,
  python: `class CnnLogSoftmax(layers.Layer):
    """Log-softmax over the last (channel) axis, as PyTorch's F.log_softmax."""

    def call(self, x):
        return tf.nn.log_softmax(x, axis=-1)`,
};

/** The Keras classes a stand-alone activation may be written as; import reads each back. */
export const ACTIVATION_CLASS_NAMES = ['Activation', 'ReLU', 'Softmax', CNN_LOG_SOFTMAX.className, 'ELU', 'LeakyReLU'] as const;

/** The Keras / TF.js layer computing a stand-alone activation. */
export function activationLayerSpec(fn: string, suffix: string): KerasLayerSpec {
  if (fn === 'leakyRelu') return { className: 'LeakyReLU', config: { alpha: LEAKY_RELU_SLOPE }, suffix };
  if (fn === 'logSoftmax') return { className: CNN_LOG_SOFTMAX.className, config: {}, suffix, custom: CNN_LOG_SOFTMAX };
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

/**
 * The designer's activation computed by a stand-alone activation layer (one of
 * `ACTIVATION_CLASS_NAMES`), or undefined when it is not one the designer has.
 */
export function activationOfLayer(className: string, get: (key: string) => unknown): string | undefined {
  switch (className) {
    case 'Activation':
      return FROM_KERAS_ACTIVATION[String(get('activation'))];
    case 'ReLU':
      return get('max_value') == null && !get('negative_slope') && !get('threshold') ? 'relu' : undefined;
    case 'Softmax':
      return [undefined, -1].includes(get('axis') as number) ? 'softmax' : undefined;
    case CNN_LOG_SOFTMAX.className:
      return 'logSoftmax';
    case 'ELU':
      return [undefined, 1].includes(get('alpha') as number) ? 'elu' : undefined;
    case 'LeakyReLU': {
      const slope = get('alpha') ?? get('negative_slope') ?? 0.3;
      return slope === LEAKY_RELU_SLOPE ? 'leakyRelu' : undefined;
    }
    default:
      return undefined;
  }
}

/** The designer's activation fused into a layer's `activation` config, or undefined after reporting one it lacks. */
export function fusedActivation(layer: KerasImportContext): string | undefined {
  const raw = layer.get('activation');
  const name = typeof raw === 'string' ? raw : raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? String((raw as Record<string, unknown>).class_name ?? (raw as Record<string, unknown>).config) : 'linear';
  const fn = FROM_KERAS_ACTIVATION[name];
  if (!fn) layer.report(`activation "${name}" is not one the designer has (${Object.keys(FROM_KERAS_ACTIVATION).join(', ')}).`);
  return fn;
}
