/**
 * Transposed convolution with PyTorch's semantics in Keras / TF.js, for what Keras' own
 * Conv2DTranspose cannot say: explicit padding (rows cropped from the full output), output padding
 * beyond Keras' rule, dilation (TF.js' layer has none), groups, and 1-D (TF.js has no
 * Conv1DTranspose). The full transposed convolution is computed, extended with zeros where the
 * output padding reaches past it, cropped, and the bias added everywhere, as PyTorch does. Built of
 * ops TF.js and TensorFlow differentiate, so it trains; same class name and config keys in both.
 */
import type { KerasCustomLayer } from './layerType';

/** The JavaScript shared by both classes: crops, kernel dilation and the grouped full convolution. */
const JS_CORE = `  static crops(kernel, stride, dilation, padding, outputPadding) {
    const effective = dilation * (kernel - 1) + 1;
    if (padding === 'same') {
      const total = effective - stride;
      return total >= 0 ? [Math.floor(total / 2), total - Math.floor(total / 2)] : [0, total];
    }
    return [padding, padding - outputPadding];
  }
  constructor(config) {
    super(config);
    this.filters = config.filters;
    this.kernelSize = config.kernelSize;
    this.strides = config.strides;
    this.padding = config.padding;
    this.outputPadding = config.outputPadding;
    this.dilationRate = config.dilationRate;
    this.groups = config.groups;
    this.useBias = config.useBias;
  }
  axisCrops(i) {
    const padding = this.padding === 'same' ? 'same' : this.padding[i];
    return this.constructor.crops(this.kernelSize[i], this.strides[i], this.dilationRate[i], padding, this.outputPadding[i]);
  }
  outputSize(size, i) {
    if (size === null) return null;
    const [before, after] = this.axisCrops(i);
    return (size - 1) * this.strides[i] + this.dilationRate[i] * (this.kernelSize[i] - 1) + 1 - before - after;
  }
  build(inputShape) {
    const channels = inputShape[inputShape.length - 1];
    this.kernel = this.addWeight('kernel', [...this.kernelSize, this.filters / this.groups, channels], 'float32', tf.initializers.glorotUniform({}));
    this.bias = this.useBias ? this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros()) : null;
    this.built = true;
  }
  /** x [batch, H, W, C], kernel [kh, kw, filters / groups, C]; sizes per axis of the 2-D problem. */
  static transpose2d(x, kernel, bias, kernelSize, strides, dilation, crops, groups) {
    let k = kernel;
    if (dilation.some((d) => d > 1)) {
      // Zeros between the taps: [kh, 1, kw, 1, …] padded to [kh, dh, kw, dw, …], the trailing zeros cut.
      const [kh, kw, out, inC] = k.shape;
      k = tf.pad(tf.reshape(k, [kh, 1, kw, 1, out, inC]), [[0, 0], [0, dilation[0] - 1], [0, 0], [0, dilation[1] - 1], [0, 0], [0, 0]]);
      k = tf.reshape(k, [kh * dilation[0], kw * dilation[1], out, inC]);
      k = tf.slice(k, [0, 0, 0, 0], [dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1, out, inC]);
    }
    const [batch, h, w] = x.shape;
    const full = [0, 1].map((i) => ([h, w][i] - 1) * strides[i] + k.shape[i]);
    const xs = groups > 1 ? tf.split(x, groups, 3) : [x];
    const ks = groups > 1 ? tf.split(k, groups, 3) : [k];
    const parts = xs.map((xg, g) => tf.conv2dTranspose(xg, ks[g], [batch, full[0], full[1], k.shape[2]], strides, 'valid'));
    let y = parts.length > 1 ? tf.concat(parts, 3) : parts[0];
    // Output padding past the full output holds only the bias: zeros here, the bias below.
    const extend = crops.map(([, after]) => Math.max(0, -after));
    if (extend.some((e) => e > 0)) y = tf.pad(y, [[0, 0], [0, extend[0]], [0, extend[1]], [0, 0]]);
    const size = [0, 1].map((i) => full[i] - crops[i][0] - crops[i][1]);
    y = tf.slice(y, [0, crops[0][0], crops[1][0], 0], [-1, size[0], size[1], -1]);
    return bias ? tf.add(y, bias) : y;
  }
  getConfig() {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      outputPadding: this.outputPadding,
      dilationRate: this.dilationRate,
      groups: this.groups,
      useBias: this.useBias,
      activation: 'linear',
    };
  }`;

/** The Python shared by both classes (Keras calls the same arguments in snake_case). */
const PY_CORE = `    def __init__(self, filters, kernel_size, strides, padding, output_padding, dilation_rate, groups=1, use_bias=True, activation="linear", **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.kernel_size = list(kernel_size)
        self.strides = list(strides)
        self.padding = padding if padding == "same" else list(padding)
        self.output_padding = list(output_padding)
        self.dilation_rate = list(dilation_rate)
        self.groups = groups
        self.use_bias = use_bias

    def axis_crops(self, i):
        effective = self.dilation_rate[i] * (self.kernel_size[i] - 1) + 1
        if self.padding == "same":
            total = effective - self.strides[i]
            return (total // 2, total - total // 2) if total >= 0 else (0, total)
        return (self.padding[i], self.padding[i] - self.output_padding[i])

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(*self.kernel_size, self.filters // self.groups, int(input_shape[-1])), initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros") if self.use_bias else None

    @staticmethod
    def transpose2d(x, kernel, bias, strides, dilation, crops, groups):
        k = kernel
        if dilation[0] > 1 or dilation[1] > 1:
            kh, kw, out, in_c = k.shape
            k = tf.pad(tf.reshape(k, (kh, 1, kw, 1, out, in_c)), [[0, 0], [0, dilation[0] - 1], [0, 0], [0, dilation[1] - 1], [0, 0], [0, 0]])
            k = tf.reshape(k, (kh * dilation[0], kw * dilation[1], out, in_c))[: dilation[0] * (kh - 1) + 1, : dilation[1] * (kw - 1) + 1]
        # Static sizes (Keras models have them), so the layers after this one know their shapes.
        full = [(int(x.shape[1]) - 1) * strides[0] + int(k.shape[0]), (int(x.shape[2]) - 1) * strides[1] + int(k.shape[1])]
        xs = tf.split(x, groups, axis=3) if groups > 1 else [x]
        ks = tf.split(k, groups, axis=3) if groups > 1 else [k]
        output_shape = tf.stack([tf.shape(x)[0], full[0], full[1], int(k.shape[2])])
        parts = [tf.nn.conv2d_transpose(xg, kg, output_shape, strides, padding="VALID") for xg, kg in zip(xs, ks)]
        y = tf.concat(parts, axis=3) if len(parts) > 1 else parts[0]
        extend = [max(0, -after) for _, after in crops]
        y = tf.pad(y, [[0, 0], [0, extend[0]], [0, extend[1]], [0, 0]])
        y = y[:, crops[0][0] : full[0] - crops[0][1], crops[1][0] : full[1] - crops[1][1], :]
        return y + bias if bias is not None else y

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "use_bias": self.use_bias,
            "activation": "linear",
        }`;

const DOC_2D = "PyTorch's ConvTranspose2d: padding crops the full output, output padding extends it (bias only there).";
const DOC_1D = "PyTorch's ConvTranspose1d: padding crops the full output, output padding extends it (bias only there).";

/** Transposed 2-D convolution over [batch, H, W, C], kernel [kh, kw, filters / groups, C]. */
export const CNN_CONV_2D_TRANSPOSE: KerasCustomLayer = {
  className: 'CnnConv2DTranspose',
  js: `/** ${DOC_2D} */
class CnnConv2DTranspose extends tf.layers.Layer {
${JS_CORE}
  computeOutputShape(shape) {
    return [shape[0], this.outputSize(shape[1], 0), this.outputSize(shape[2], 1), this.filters];
  }
  call(inputs) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const crops = [this.axisCrops(0), this.axisCrops(1)];
      return CnnConv2DTranspose.transpose2d(x, this.kernel.read(), this.bias && this.bias.read(), this.kernelSize, this.strides, this.dilationRate, crops, this.groups);
    });
  }
}
CnnConv2DTranspose.className = 'CnnConv2DTranspose';
tf.serialization.registerClass(CnnConv2DTranspose);`,
  python: `class CnnConv2DTranspose(layers.Layer):
    """${DOC_2D}"""

${PY_CORE}

    def call(self, x):
        return self.transpose2d(x, self.kernel, self.bias, self.strides, self.dilation_rate, [self.axis_crops(0), self.axis_crops(1)], self.groups)`,
};

/** Transposed 1-D convolution over [batch, L, C], kernel [k, filters / groups, C]: a 2-D one of width 1. */
export const CNN_CONV_1D_TRANSPOSE: KerasCustomLayer = {
  className: 'CnnConv1DTranspose',
  js: `/** ${DOC_1D} */
class CnnConv1DTranspose extends tf.layers.Layer {
${JS_CORE}
  computeOutputShape(shape) {
    return [shape[0], this.outputSize(shape[1], 0), this.filters];
  }
  call(inputs) {
    return tf.tidy(() => {
      const x = tf.expandDims(Array.isArray(inputs) ? inputs[0] : inputs, 2);
      const kernel = tf.expandDims(this.kernel.read(), 1);
      const crops = [this.axisCrops(0), [0, 0]];
      const y = CnnConv1DTranspose.transpose2d(x, kernel, this.bias && this.bias.read(), [this.kernelSize[0], 1], [this.strides[0], 1], [this.dilationRate[0], 1], crops, this.groups);
      return tf.squeeze(y, [2]);
    });
  }
}
CnnConv1DTranspose.className = 'CnnConv1DTranspose';
tf.serialization.registerClass(CnnConv1DTranspose);`,
  python: `class CnnConv1DTranspose(layers.Layer):
    """${DOC_1D}"""

${PY_CORE}

    def call(self, x):
        y = self.transpose2d(tf.expand_dims(x, 2), tf.expand_dims(self.kernel, 1), self.bias, [self.strides[0], 1], [self.dilation_rate[0], 1], [self.axis_crops(0), (0, 0)], self.groups)
        return tf.squeeze(y, 2)`,
};
