/**
 * Explicit padding (PyTorch semantics: the same amount on both sides of an axis) in Keras / TF.js,
 * which has it only as a layer before the convolution or pooling. Keras' ZeroPadding2D serves
 * zeros on images; the project has its own layers for what Keras lacks: zeros on sequences
 * (TF.js has no ZeroPadding1D) and -Infinity for max pooling, so that padding never wins the max.
 */
import type { KerasCustomLayer, KerasLayerSpec } from './layerType';

const jsPadding2D = (name: string, fill: string, doc: string): string => `/** ${doc} */
class ${name} extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.padding = config.padding;
  }
  computeOutputShape(shape) {
    const grow = (size, [before, after]) => (size === null ? null : size + before + after);
    return [shape[0], grow(shape[1], this.padding[0]), grow(shape[2], this.padding[1]), shape[3]];
  }
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.pad(x, [[0, 0], this.padding[0], this.padding[1], [0, 0]]${fill});
  }
  getConfig() {
    return { ...super.getConfig(), padding: this.padding };
  }
}
${name}.className = '${name}';
tf.serialization.registerClass(${name});`;

const jsPadding1D = (name: string, fill: string, doc: string): string => `/** ${doc} */
class ${name} extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.padding = config.padding;
  }
  computeOutputShape(shape) {
    return [shape[0], shape[1] === null ? null : shape[1] + this.padding[0] + this.padding[1], shape[2]];
  }
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.pad(x, [[0, 0], this.padding, [0, 0]]${fill});
  }
  getConfig() {
    return { ...super.getConfig(), padding: this.padding };
  }
}
${name}.className = '${name}';
tf.serialization.registerClass(${name});`;

const pyPadding = (name: string, doc: string, pads: string, fill: string): string => `class ${name}(layers.Layer):
    """${doc}"""

    def __init__(self, padding, **kwargs):
        super().__init__(**kwargs)
        self.padding = padding

    def call(self, x):
        return tf.pad(x, ${pads}${fill})

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}`;

const PADS_2D = '[[0, 0], list(self.padding[0]), list(self.padding[1]), [0, 0]]';
const PADS_1D = '[[0, 0], list(self.padding), [0, 0]]';
const MINUS_INFINITY_PY = ', constant_values=float("-inf")';

/** Pads height and width of [batch, H, W, C] with -Infinity, for 2-D max pooling. */
export const CNN_MAX_PADDING_2D: KerasCustomLayer = {
  className: 'CnnMaxPadding2D',
  js: jsPadding2D('CnnMaxPadding2D', ', -Infinity', 'Pads height and width with -Infinity, so PyTorch-style padding never wins a max pool.'),
  python: pyPadding('CnnMaxPadding2D', 'Pads height and width with -inf, so PyTorch-style padding never wins a max pool.', PADS_2D, MINUS_INFINITY_PY),
};

/** Pads the length of [batch, L, C] with -Infinity, for 1-D max pooling. */
export const CNN_MAX_PADDING_1D: KerasCustomLayer = {
  className: 'CnnMaxPadding1D',
  js: jsPadding1D('CnnMaxPadding1D', ', -Infinity', 'Pads the length with -Infinity, so PyTorch-style padding never wins a max pool.'),
  python: pyPadding('CnnMaxPadding1D', 'Pads the length with -inf, so PyTorch-style padding never wins a max pool.', PADS_1D, MINUS_INFINITY_PY),
};

/** Pads the length of [batch, L, C] with zeros (Keras' ZeroPadding1D, which TF.js lacks). */
export const CNN_ZERO_PADDING_1D: KerasCustomLayer = {
  className: 'CnnZeroPadding1D',
  js: jsPadding1D('CnnZeroPadding1D', '', 'Pads the length with zeros (Keras ZeroPadding1D, which TF.js lacks).'),
  python: pyPadding('CnnZeroPadding1D', 'Pads the length with zeros on each side.', PADS_1D, ''),
};

/** Keras' own zero padding of images. */
export const ZERO_PADDING_2D = 'ZeroPadding2D';

/** What fills the padding: zeros (convolution, average pooling) or -Infinity (max pooling). */
export type PaddingFill = 'zero' | 'max';

/** The padding classes a layer type with this fill writes (first) and reads back on import. */
export function paddingClassNames(fill: PaddingFill, dims: 1 | 2): string[] {
  if (fill === 'max') return [(dims === 2 ? CNN_MAX_PADDING_2D : CNN_MAX_PADDING_1D).className];
  // Keras' own ZeroPadding1D is read too: other tools write it.
  return dims === 2 ? [ZERO_PADDING_2D] : [CNN_ZERO_PADDING_1D.className, 'ZeroPadding1D'];
}

/** The layer padding each spatial axis by `padding[i]` on both sides, before a convolution or pooling; none when all are 0. */
export function paddingLayers(fill: PaddingFill, padding: number[]): KerasLayerSpec[] {
  if (!padding.some((x) => x > 0)) return [];
  if (padding.length === 2) {
    const config = { padding: [[padding[0], padding[0]], [padding[1], padding[1]]] };
    return [fill === 'max' ? { className: CNN_MAX_PADDING_2D.className, config, suffix: '_pad', custom: CNN_MAX_PADDING_2D } : { className: ZERO_PADDING_2D, config, suffix: '_pad' }];
  }
  const custom = fill === 'max' ? CNN_MAX_PADDING_1D : CNN_ZERO_PADDING_1D;
  return [{ className: custom.className, config: { padding: [padding[0], padding[0]] }, suffix: '_pad', custom }];
}
