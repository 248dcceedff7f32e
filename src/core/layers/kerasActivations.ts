/**
 * Activations in Keras / TF.js, both ways: fused into a layer's `activation` config where Keras
 * has the function, else a layer of their own (LeakyReLU, ELU, ReLU with max_value 6, the
 * project's CnnLogSoftmax and the Cnn* activations Keras lacks or defines differently); and
 * reading them back from either form on import.
 */
import { ALPHA_DEFAULTS, ELU_ALPHA, LEAKY_RELU_SLOPE } from './commonParams';
import type { KerasCustomLayer, KerasImportContext, KerasLayerSpec } from './layerType';

/** Keras' built-in activation names; the others compile to a layer of their own. */
/** Keras' and TF.js' ReLU layer class (the one with a cap: relu6 is ReLU with maxValue 6). */
export const KERAS_RELU = 'ReLU';

export const KERAS_ACTIVATIONS: Record<string, string> = {
  linear: 'linear',
  relu: 'relu',
  elu: 'elu',
  gelu: 'gelu',
  // Keras 2's name, which Keras 3 reads as silu: x·sigmoid(x) in both and in TF.js.
  silu: 'swish',
  softplus: 'softplus',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
};

/** The designer's activation for each serialized Keras / TF.js activation name it has. */
const FROM_KERAS_ACTIVATION: Record<string, string> = {
  ...Object.fromEntries(Object.entries(KERAS_ACTIVATIONS).map(([fn, keras]) => [keras, fn])),
  silu: 'silu',
  relu6: 'relu6',
  mish: 'mish',
  // TF.js' name for GELU's tanh approximation.
  gelu_new: 'geluTanh',
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

/**
 * An element-wise activation as a layer of the project's own, computed with ops that TF.js and
 * TensorFlow differentiate (so it trains), from a JavaScript and a Python expression of `x`.
 */
function elementwiseLayer(className: string, doc: string, js: string, python: string): KerasCustomLayer {
  return {
    className,
    js: `/** ${doc} */
class ${className} extends tf.layers.Layer {
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => ${js});
  }
}
${className}.className = '${className}';
tf.serialization.registerClass(${className});`,
    python: `class ${className}(layers.Layer):
    """${doc}"""

    def call(self, x):
        return ${python}`,
  };
}

/** PyTorch's hardsigmoid, relu6(x + 3) / 6; Keras' hard_sigmoid was 0.2·x + 0.5 before Keras 3. */
export const CNN_HARD_SIGMOID = elementwiseLayer(
  'CnnHardSigmoid',
  "PyTorch's hardsigmoid: relu6(x + 3) / 6.",
  'tf.div(tf.relu6(tf.add(x, 3)), 6)',
  'tf.nn.relu6(x + 3.0) / 6.0',
);

/** PyTorch's hardswish, x · relu6(x + 3) / 6, which TF.js and Keras 2 lack. */
export const CNN_HARD_SWISH = elementwiseLayer(
  'CnnHardSwish',
  "PyTorch's hardswish: x * relu6(x + 3) / 6.",
  'tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6))',
  'x * tf.nn.relu6(x + 3.0) / 6.0',
);

/** Mish, x · tanh(softplus(x)), which Keras before 2.13 lacks. */
export const CNN_MISH = elementwiseLayer(
  'CnnMish',
  "Mish: x * tanh(softplus(x)), as PyTorch's F.mish.",
  'tf.mul(x, tf.tanh(tf.softplus(x)))',
  'x * tf.math.tanh(tf.math.softplus(x))',
);

/** GELU's tanh approximation (PyTorch's approximate='tanh'): Keras needs a config object for it, TF.js names it gelu_new. */
export const CNN_GELU_TANH = elementwiseLayer(
  'CnnGeluTanh',
  "GELU's tanh approximation, as PyTorch's F.gelu(x, approximate='tanh').",
  'tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI)))))',
  '0.5 * x * (1.0 + tf.math.tanh((x + 0.044715 * x * x * x) * 0.7978845608028654))',
);

/** ELU with its α: TF.js' ELU layer refuses any α but 1. */
export const CNN_ELU: KerasCustomLayer = {
  className: 'CnnElu',
  js: `/** ELU with its alpha: x for x > 0, alpha * (exp(x) - 1) below (TF.js' ELU layer takes only alpha 1). */
class CnnElu extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.alpha = config.alpha;
  }
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.add(tf.relu(x), tf.mul(tf.sub(tf.elu(x), tf.relu(x)), this.alpha)));
  }
  getConfig() {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
CnnElu.className = 'CnnElu';
tf.serialization.registerClass(CnnElu);`,
  python: `class CnnElu(layers.Layer):
    """ELU with its alpha: x for x > 0, alpha * (exp(x) - 1) below (the TF.js export's class)."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, x):
        return tf.nn.relu(x) + self.alpha * (tf.nn.elu(x) - tf.nn.relu(x))

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}`,
};

/** The designer's activations that are a layer of the project's own, by function. */
export const CUSTOM_ACTIVATION_LAYERS: Readonly<Record<string, KerasCustomLayer>> = {
  logSoftmax: CNN_LOG_SOFTMAX,
  hardsigmoid: CNN_HARD_SIGMOID,
  hardswish: CNN_HARD_SWISH,
  mish: CNN_MISH,
  geluTanh: CNN_GELU_TANH,
};

const FN_OF_CUSTOM_CLASS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(CUSTOM_ACTIVATION_LAYERS).map(([fn, layer]) => [layer.className, fn]));

/** The Keras classes a stand-alone activation may be written as; import reads each back. */
export const ACTIVATION_CLASS_NAMES: readonly string[] = ['Activation', KERAS_RELU, 'Softmax', 'ELU', 'LeakyReLU', CNN_ELU.className, ...Object.keys(FN_OF_CUSTOM_CLASS)];

/**
 * The Keras / TF.js layer computing a stand-alone activation; `alpha` is leaky ReLU's slope or
 * ELU's α (their defaults when absent).
 */
export function activationLayerSpec(fn: string, suffix: string, alpha?: number): KerasLayerSpec {
  if (fn === 'leakyRelu') return { className: 'LeakyReLU', config: { alpha: alpha ?? LEAKY_RELU_SLOPE }, suffix };
  if (fn === 'elu' && alpha !== undefined && alpha !== ELU_ALPHA) return { className: CNN_ELU.className, config: { alpha }, suffix, custom: CNN_ELU };
  // Keras 2 has no relu6 activation; its ReLU layer caps at max_value in every version and in TF.js.
  if (fn === 'relu6') return { className: KERAS_RELU, config: { maxValue: 6 }, suffix };
  const custom = CUSTOM_ACTIVATION_LAYERS[fn];
  if (custom) return { className: custom.className, config: {}, suffix, custom };
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
 * `ACTIVATION_CLASS_NAMES`) with its default α, or undefined when it is not one the designer has.
 */
export function activationOfLayer(className: string, get: (key: string) => unknown): string | undefined {
  const read = activationParamsOfLayer(className, get);
  // An α other than the default needs the Activation layer's alpha, which fused activations lack.
  return read && read.alpha === undefined ? read.fn : undefined;
}

/**
 * The Activation layer's parameters (function, and α where it is not the default) for a
 * stand-alone activation layer, or undefined when it is not one the designer has.
 */
export function activationParamsOfLayer(className: string, get: (key: string) => unknown): { fn: string; alpha?: number } | undefined {
  const withAlpha = (fn: string, alpha: unknown): { fn: string; alpha?: number } | undefined =>
    typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0 ? undefined : alpha === ALPHA_DEFAULTS[fn] ? { fn } : { fn, alpha };
  const custom = FN_OF_CUSTOM_CLASS[className];
  if (custom) return { fn: custom };
  switch (className) {
    case 'Activation': {
      const fn = FROM_KERAS_ACTIVATION[String(get('activation'))];
      return fn ? { fn } : undefined;
    }
    case KERAS_RELU: {
      if (get('negative_slope') || get('threshold')) return undefined;
      const max = get('max_value');
      return max == null ? { fn: 'relu' } : max === 6 ? { fn: 'relu6' } : undefined;
    }
    case 'Softmax':
      return [undefined, -1].includes(get('axis') as number) ? { fn: 'softmax' } : undefined;
    case 'ELU':
    case CNN_ELU.className:
      return withAlpha('elu', get('alpha') ?? ELU_ALPHA);
    case 'LeakyReLU':
      return withAlpha('leakyRelu', get('alpha') ?? get('negative_slope') ?? 0.3);
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
