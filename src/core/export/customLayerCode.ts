/**
 * Source code of the project's own Keras / TF.js layers (see KerasLayerSpec), written into an
 * export when it uses them so that the file runs on its own. Same class names and config keys in
 * both languages, so a model saved by one loads in the other.
 */

const JS_PADDING_2D = (fill: string, doc: string) => `/** ${doc} */
class {NAME} extends tf.layers.Layer {
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
{NAME}.className = '{NAME}';
tf.serialization.registerClass({NAME});`;

const JS_PADDING_1D = (fill: string, doc: string) => `/** ${doc} */
class {NAME} extends tf.layers.Layer {
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
{NAME}.className = '{NAME}';
tf.serialization.registerClass({NAME});`;

const JS_LOG_SOFTMAX = `/** Log-softmax over the last (channel) axis, as PyTorch's F.log_softmax. */
class CnnLogSoftmax extends tf.layers.Layer {
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.logSoftmax(x, -1);
  }
}
CnnLogSoftmax.className = 'CnnLogSoftmax';
tf.serialization.registerClass(CnnLogSoftmax);`;

export const JS_CUSTOM_LAYERS: Record<string, string> = {
  CnnMaxPadding2D: JS_PADDING_2D(', -Infinity', 'Pads height and width with -Infinity, so PyTorch-style padding never wins a max pool.').replace(/\{NAME\}/g, 'CnnMaxPadding2D'),
  CnnMaxPadding1D: JS_PADDING_1D(', -Infinity', 'Pads the length with -Infinity, so PyTorch-style padding never wins a max pool.').replace(/\{NAME\}/g, 'CnnMaxPadding1D'),
  CnnZeroPadding1D: JS_PADDING_1D('', 'Pads the length with zeros (Keras ZeroPadding1D, which TF.js lacks).').replace(/\{NAME\}/g, 'CnnZeroPadding1D'),
  CnnLogSoftmax: JS_LOG_SOFTMAX,
};

const PY_PADDING = (name: string, doc: string, pads: string, fill: string) => `class ${name}(layers.Layer):
    """${doc}"""

    def __init__(self, padding, **kwargs):
        super().__init__(**kwargs)
        self.padding = padding

    def call(self, x):
        return tf.pad(x, ${pads}${fill})

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}`;

export const PY_CUSTOM_LAYERS: Record<string, string> = {
  CnnMaxPadding2D: PY_PADDING(
    'CnnMaxPadding2D',
    'Pads height and width with -inf, so PyTorch-style padding never wins a max pool.',
    '[[0, 0], list(self.padding[0]), list(self.padding[1]), [0, 0]]',
    ', constant_values=float("-inf")',
  ),
  CnnMaxPadding1D: PY_PADDING('CnnMaxPadding1D', 'Pads the length with -inf, so PyTorch-style padding never wins a max pool.', '[[0, 0], list(self.padding), [0, 0]]', ', constant_values=float("-inf")'),
  CnnZeroPadding1D: PY_PADDING('CnnZeroPadding1D', 'Pads the length with zeros on each side.', '[[0, 0], list(self.padding), [0, 0]]', ''),
  CnnLogSoftmax: `class CnnLogSoftmax(layers.Layer):
    """Log-softmax over the last (channel) axis, as PyTorch's F.log_softmax."""

    def call(self, x):
        return tf.nn.log_softmax(x, axis=-1)`,
};
