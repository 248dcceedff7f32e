/**
 * PyTorch's grouped convolution in Keras / TF.js: TF.js' convolutions have no `groups`, and Keras'
 * Conv2D `groups` depends on TensorFlow kernels that CPU builds long lacked, so the same layer of
 * the project's own serves both. The input channels split into `groups`
 * equal parts, each convolved by its own share of the filters, the results concatenated in group
 * order, as PyTorch orders its output channels. The kernel is Keras' grouped layout
 * [...window, in / groups, filters], whose last axis splits into the groups' filters. Built of
 * split, convolution and concat, which TF.js and TensorFlow differentiate, so it trains.
 */
import type { KerasCustomLayer } from './layerType';

const jsGroupedConvolution = (className: string, dims: 1 | 2): string => `/** PyTorch's grouped convolution: channels split into groups, each convolved by its own filters, results concatenated. */
class ${className} extends tf.layers.Layer {
  constructor(config) {
    super(config);
    const axes = (v, fallback) => (v === undefined ? new Array(${dims}).fill(fallback) : Array.isArray(v) ? v : new Array(${dims}).fill(v));
    this.filters = config.filters;
    this.kernelSize = axes(config.kernelSize);
    this.strides = axes(config.strides, 1);
    this.padding = config.padding ?? 'valid';
    this.dilationRate = axes(config.dilationRate, 1);
    this.groups = config.groups;
    this.useBias = config.useBias ?? true;
    this.activation = config.activation ?? 'linear';
    this.activationLayer = tf.layers.activation({ activation: this.activation });
  }
  build(inputShape) {
    const channels = inputShape[inputShape.length - 1];
    this.kernel = this.addWeight('kernel', [...this.kernelSize, channels / this.groups, this.filters], 'float32', tf.initializers.glorotUniform({}));
    this.bias = this.useBias ? this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros()) : null;
    this.built = true;
  }
  computeOutputShape(shape) {
    const size = (n, i) => {
      if (n === null) return null;
      const window = this.dilationRate[i] * (this.kernelSize[i] - 1) + 1;
      return this.padding === 'same' ? Math.ceil(n / this.strides[i]) : Math.floor((n - window) / this.strides[i]) + 1;
    };
    return [shape[0], ...shape.slice(1, ${dims + 1}).map(size), this.filters];
  }
  call(inputs) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const parts = tf.split(x, this.groups, -1);
      const kernels = tf.split(this.kernel.read(), this.groups, -1);
      const convolved = parts.map((part, g) =>
        ${
          dims === 2
            ? "tf.conv2d(part, kernels[g], this.strides, this.padding, 'NHWC', this.dilationRate)"
            : "tf.conv1d(part, kernels[g], this.strides[0], this.padding, 'NWC', this.dilationRate[0])"
        },
      );
      let y = convolved.length === 1 ? convolved[0] : tf.concat(convolved, -1);
      if (this.bias) y = tf.add(y, this.bias.read());
      return this.activationLayer.apply(y);
    });
  }
  getConfig() {
    const { filters, kernelSize, strides, padding, dilationRate, groups, useBias, activation } = this;
    return { ...super.getConfig(), filters, kernelSize, strides, padding, dilationRate, groups, useBias, activation };
  }
}
${className}.className = '${className}';
tf.serialization.registerClass(${className});`;

const pyGroupedConvolution = (className: string, dims: 1 | 2): string => `class ${className}(layers.Layer):
    """PyTorch's grouped convolution: channels split into groups, each convolved by its own filters, results concatenated."""

    def __init__(self, filters, kernel_size, groups, strides=1, padding="valid", dilation_rate=1, use_bias=True, activation="linear", **kwargs):
        super().__init__(**kwargs)
        axes = lambda v: tuple(v) if isinstance(v, (list, tuple)) else (v,) * ${dims}
        self.filters, self.groups, self.padding, self.use_bias = filters, groups, padding, use_bias
        self.kernel_size, self.strides, self.dilation_rate = axes(kernel_size), axes(strides), axes(dilation_rate)
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        channels = int(input_shape[-1])
        self.kernel = self.add_weight(name="kernel", shape=(*self.kernel_size, channels // self.groups, self.filters), initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros") if self.use_bias else None

    def call(self, x):
        parts = tf.split(x, self.groups, axis=-1)
        kernels = tf.split(self.kernel, self.groups, axis=-1)
        convolved = [tf.nn.convolution(part, kernel, strides=self.strides, padding=self.padding.upper(), dilations=self.dilation_rate) for part, kernel in zip(parts, kernels)]
        y = tf.concat(convolved, axis=-1)
        if self.bias is not None:
            y = y + self.bias
        return self.activation(y)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "groups": self.groups,
            "strides": self.strides,
            "padding": self.padding,
            "dilation_rate": self.dilation_rate,
            "use_bias": self.use_bias,
            "activation": keras.activations.serialize(self.activation),
        }`;

export const CNN_GROUPED_CONV_2D: KerasCustomLayer = {
  className: 'CnnGroupedConv2D',
  js: jsGroupedConvolution('CnnGroupedConv2D', 2),
  python: pyGroupedConvolution('CnnGroupedConv2D', 2),
};

export const CNN_GROUPED_CONV_1D: KerasCustomLayer = {
  className: 'CnnGroupedConv1D',
  js: jsGroupedConvolution('CnnGroupedConv1D', 1),
  python: pyGroupedConvolution('CnnGroupedConv1D', 1),
};

/** Keras' and TF.js' own depthwise convolution: groups equal to the input channels, filters a multiple of them. */
export const DEPTHWISE_CONV_2D = 'DepthwiseConv2D';
