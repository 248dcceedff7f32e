/**
 * The project's Keras / TF.js layers for resampling where Keras has no layer with PyTorch's
 * semantics: F.interpolate (TF.js' UpSampling2D resizes bilinearly without half-pixel centers,
 * Keras' with them, and neither takes a size or PyTorch's 1/scale mapping) and adaptive pooling
 * (which Keras lacks). Nearest, bilinear and adaptive averaging are one fixed matrix per axis
 * (resampleAxes.ts), applied with matrix products, so they train; adaptive max pooling is a max
 * over each window's slice; where adaptive windows are uniform, the TF.js classes pool plainly. The JavaScript and Python copies of the index rules follow
 * resampleAxes.ts line by line (the export tests run both against PyTorch).
 */
import type { KerasCustomLayer } from './layerType';

/** JavaScript: `resample(x, ah, aw, [outH, outW])` applies an (outH × H) and an (outW × W) matrix to [N, H, W, C]. */
const JS_APPLY_AXES = `  static applyAxes(x, ah, aw, outH, outW) {
    const [n, h, w, c] = x.shape;
    // Height: [H, N·W·C] → [outH, N·W·C]; then width the same way; matMul and transpose differentiate.
    let t = tf.matMul(ah, tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [h, n * w * c]));
    t = tf.transpose(tf.reshape(t, [outH, n, w, c]), [2, 1, 0, 3]);
    t = tf.matMul(aw, tf.reshape(t, [w, n * outH * c]));
    return tf.transpose(tf.reshape(t, [outW, n, outH, c]), [1, 2, 0, 3]);
  }`;

const JS_SHAPE = `  computeOutputShape(shape) {
    const s = Array.isArray(shape[0]) ? shape[0] : shape;
    return [s[0], this.size[0], this.size[1], s[3]];
  }`;

/** F.interpolate on [N, H, W, C]: to `size`, nearest or bilinear, PyTorch's index rules. */
export const CNN_RESIZE_2D: KerasCustomLayer = {
  className: 'CnnResize2D',
  js: `/**
 * Resizes height and width as PyTorch's F.interpolate: nearest (source index floor(dst * s)) or
 * bilinear (half-pixel centers, or alignCorners), s = 1 / scale when a scale factor is set, else
 * in / out. A 2nd input only gives the size. One matrix per axis, so it trains.
 */
class CnnResize2D extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.size = config.size;
    this.mode = config.mode || 'nearest';
    this.alignCorners = !!config.alignCorners;
    this.scale = config.scale == null ? null : config.scale;
    this.sizeFromInput = !!config.sizeFromInput;
  }
${JS_SHAPE}
  matrix(input, output) {
    const m = new Float32Array(output * input);
    const scale = this.scale;
    for (let o = 0; o < output; o++) {
      if (this.mode === 'nearest') {
        let i = o;
        if (output === 2 * input) i = o >> 1;
        else if (output !== input) {
          const step = Math.fround(scale ? 1 / scale : input / output);
          i = Math.min(Math.floor(Math.fround(o * step)), input - 1);
        }
        m[o * input + i] = 1;
        continue;
      }
      if (output === input && !this.alignCorners) {
        m[o * input + o] = 1;
        continue;
      }
      const src = this.alignCorners
        ? (output > 1 ? (o * (input - 1)) / (output - 1) : 0)
        : Math.max((o + 0.5) * (scale ? 1 / scale : input / output) - 0.5, 0);
      const i0 = Math.min(Math.floor(src), input - 1);
      const i1 = i0 < input - 1 ? i0 + 1 : i0;
      const w1 = Math.min(Math.max(src - i0, 0), 1);
      m[o * input + i0] += 1 - w1;
      m[o * input + i1] += w1;
    }
    return tf.tensor2d(m, [output, input]);
  }
  call(inputs) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [outH, outW] = this.size;
      return CnnResize2D.applyAxes(x, this.matrix(x.shape[1], outH), this.matrix(x.shape[2], outW), outH, outW);
    });
  }
${JS_APPLY_AXES}
  getConfig() {
    return { ...super.getConfig(), size: this.size, mode: this.mode, alignCorners: this.alignCorners, scale: this.scale, sizeFromInput: this.sizeFromInput };
  }
}
CnnResize2D.className = 'CnnResize2D';
tf.serialization.registerClass(CnnResize2D);`,
  python: `class CnnResize2D(layers.Layer):
    """Resizes height and width as PyTorch's F.interpolate: nearest (source index floor(dst * s)) or
    bilinear (half-pixel centers, or align_corners), s = 1 / scale when a scale factor is set, else
    in / out. A 2nd input only gives the size. One matrix per axis, so it trains."""

    def __init__(self, size, mode="nearest", align_corners=False, scale=None, size_from_input=False, **kwargs):
        super().__init__(**kwargs)
        self.size = list(size)
        self.mode = mode
        self.align_corners = bool(align_corners)
        self.scale = scale
        self.size_from_input = bool(size_from_input)

    def matrix(self, n_in, n_out):
        import numpy as np

        m = np.zeros((n_out, n_in), dtype=np.float32)
        for o in range(n_out):
            if self.mode == "nearest":
                i = o
                if n_out == 2 * n_in:
                    i = o >> 1
                elif n_out != n_in:
                    step = np.float32(1.0 / self.scale if self.scale else n_in / n_out)
                    i = min(int(np.floor(np.float32(o * step))), n_in - 1)
                m[o, i] = 1.0
                continue
            if n_out == n_in and not self.align_corners:
                m[o, o] = 1.0
                continue
            if self.align_corners:
                src = o * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
            else:
                src = max((o + 0.5) * (1.0 / self.scale if self.scale else n_in / n_out) - 0.5, 0.0)
            i0 = min(int(np.floor(src)), n_in - 1)
            i1 = i0 + 1 if i0 < n_in - 1 else i0
            w1 = min(max(src - i0, 0.0), 1.0)
            m[o, i0] += 1.0 - w1
            m[o, i1] += w1
        return tf.constant(m)

    def call(self, inputs):
        x = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        x = tf.einsum("oh,nhwc->nowc", self.matrix(int(x.shape[1]), self.size[0]), x)
        return tf.einsum("pw,nowc->nopc", self.matrix(int(x.shape[2]), self.size[1]), x)

    def compute_output_shape(self, shape):
        s = shape[0] if isinstance(shape, (list, tuple)) and isinstance(shape[0], (list, tuple)) else shape
        return (s[0], self.size[0], self.size[1], s[3])

    def get_config(self):
        return {**super().get_config(), "size": self.size, "mode": self.mode, "align_corners": self.align_corners, "scale": self.scale,
                "size_from_input": self.size_from_input}`,
};

/** PyTorch's adaptive average pooling on [N, H, W, C]: windows [floor(i·in/out), ceil((i+1)·in/out)). */
export const CNN_ADAPTIVE_AVG_POOL_2D: KerasCustomLayer = {
  className: 'CnnAdaptiveAvgPool2D',
  js: `/**
 * PyTorch's adaptive average pooling to size [outH, outW]: output i averages inputs
 * floor(i * in / out) to ceil((i + 1) * in / out) - 1 on each axis. One matrix per axis, so it trains.
 */
class CnnAdaptiveAvgPool2D extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.size = config.size;
  }
${JS_SHAPE}
  static matrix(input, output) {
    const m = new Float32Array(output * input);
    for (let o = 0; o < output; o++) {
      const start = Math.floor((o * input) / output);
      const end = Math.ceil(((o + 1) * input) / output);
      for (let i = start; i < end; i++) m[o * input + i] = 1 / (end - start);
    }
    return tf.tensor2d(m, [output, input]);
  }
  call(inputs) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [outH, outW] = this.size;
      // Windows of one size and step (the output divides the input): plain average pooling.
      if (x.shape[1] % outH === 0 && x.shape[2] % outW === 0) {
        const window = [x.shape[1] / outH, x.shape[2] / outW];
        return tf.avgPool(x, window, window, 'valid');
      }
      return CnnAdaptiveAvgPool2D.applyAxes(x, CnnAdaptiveAvgPool2D.matrix(x.shape[1], outH), CnnAdaptiveAvgPool2D.matrix(x.shape[2], outW), outH, outW);
    });
  }
${JS_APPLY_AXES}
  getConfig() {
    return { ...super.getConfig(), size: this.size };
  }
}
CnnAdaptiveAvgPool2D.className = 'CnnAdaptiveAvgPool2D';
tf.serialization.registerClass(CnnAdaptiveAvgPool2D);`,
  python: `class CnnAdaptiveAvgPool2D(layers.Layer):
    """PyTorch's adaptive average pooling to size [out_h, out_w]: output i averages inputs
    floor(i * in / out) to ceil((i + 1) * in / out) - 1 on each axis. One matrix per axis, so it trains."""

    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.size = list(size)

    @staticmethod
    def matrix(n_in, n_out):
        import numpy as np

        m = np.zeros((n_out, n_in), dtype=np.float32)
        for o in range(n_out):
            start, end = (o * n_in) // n_out, -((-(o + 1) * n_in) // n_out)
            m[o, start:end] = 1.0 / (end - start)
        return tf.constant(m)

    def call(self, x):
        x = tf.einsum("oh,nhwc->nowc", self.matrix(int(x.shape[1]), self.size[0]), x)
        return tf.einsum("pw,nowc->nopc", self.matrix(int(x.shape[2]), self.size[1]), x)

    def compute_output_shape(self, shape):
        return (shape[0], self.size[0], self.size[1], shape[3])

    def get_config(self):
        return {**super().get_config(), "size": self.size}`,
};

/** PyTorch's adaptive max pooling on [N, H, W, C]: the max of each window, one axis after the other. */
export const CNN_ADAPTIVE_MAX_POOL_2D: KerasCustomLayer = {
  className: 'CnnAdaptiveMaxPool2D',
  js: `/**
 * PyTorch's adaptive max pooling to size [outH, outW]: output i takes the max of inputs
 * floor(i * in / out) to ceil((i + 1) * in / out) - 1 on each axis (height, then width: a max over
 * a rectangle is a max of maxes). Slices, max and concat differentiate, so it trains.
 */
class CnnAdaptiveMaxPool2D extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.size = config.size;
  }
${JS_SHAPE}
  call(inputs) {
    return tf.tidy(() => {
      let x = Array.isArray(inputs) ? inputs[0] : inputs;
      // Windows of one size and step (the output divides the input): plain max pooling.
      if (x.shape[1] % this.size[0] === 0 && x.shape[2] % this.size[1] === 0) {
        const window = [x.shape[1] / this.size[0], x.shape[2] / this.size[1]];
        return tf.maxPool(x, window, window, 'valid');
      }
      for (const axis of [1, 2]) {
        const input = x.shape[axis];
        const output = this.size[axis - 1];
        const parts = [];
        for (let o = 0; o < output; o++) {
          const start = Math.floor((o * input) / output);
          const end = Math.ceil(((o + 1) * input) / output);
          const begin = [0, 0, 0, 0];
          const size = [-1, -1, -1, -1];
          begin[axis] = start;
          size[axis] = end - start;
          parts.push(tf.max(tf.slice(x, begin, size), axis, true));
        }
        x = tf.concat(parts, axis);
      }
      return x;
    });
  }
  getConfig() {
    return { ...super.getConfig(), size: this.size };
  }
}
CnnAdaptiveMaxPool2D.className = 'CnnAdaptiveMaxPool2D';
tf.serialization.registerClass(CnnAdaptiveMaxPool2D);`,
  python: `class CnnAdaptiveMaxPool2D(layers.Layer):
    """PyTorch's adaptive max pooling to size [out_h, out_w]: output i takes the max of inputs
    floor(i * in / out) to ceil((i + 1) * in / out) - 1 on each axis (height, then width)."""

    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.size = list(size)

    def call(self, x):
        for axis in (1, 2):
            n_in, n_out = int(x.shape[axis]), self.size[axis - 1]
            parts = []
            for o in range(n_out):
                start, end = (o * n_in) // n_out, -((-(o + 1) * n_in) // n_out)
                window = x[:, start:end] if axis == 1 else x[:, :, start:end]
                parts.append(tf.reduce_max(window, axis=axis, keepdims=True))
            x = tf.concat(parts, axis=axis)
        return x

    def compute_output_shape(self, shape):
        return (shape[0], self.size[0], self.size[1], shape[3])

    def get_config(self):
        return {**super().get_config(), "size": self.size}`,
};
