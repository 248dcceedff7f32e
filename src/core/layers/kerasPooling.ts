/**
 * PyTorch's pooling where Keras' differs: `ceil_mode` (a last, partial window at the end, kept
 * when it starts inside the input or its left padding) and average pooling that leaves explicit
 * padding out of the count (`count_include_pad=False`), or counts it but not the partial window's
 * part past the padding (PyTorch's divisor with ceil_mode). Max pooling pads with -Infinity;
 * average pooling divides the sum by the count of what PyTorch counts, both of one avgPool.
 */
import type { KerasCustomLayer } from './layerType';

/** Output size of a PyTorch pooling window with explicit padding p, floor or ceil mode. */
export function pooledSize(size: number, kernel: number, stride: number, padding: number, ceilMode: boolean): number {
  const span = size + 2 * padding - kernel;
  if (!ceilMode) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  // The last window must start inside the input or its left padding.
  if ((out - 1) * stride >= size + padding) out--;
  return out;
}

function poolingClass(kind: 'max' | 'avg', dims: 1 | 2): KerasCustomLayer {
  const className = `Cnn${kind === 'max' ? 'Max' : 'Avg'}Pool${dims}D`;
  const doc =
    kind === 'max'
      ? `PyTorch's MaxPool${dims}d with ceil_mode: the last, partial window counts where it starts inside the input or its padding.`
      : `PyTorch's AvgPool${dims}d with ceil_mode and count_include_pad: the divisor counts what PyTorch counts.`;
  const expand = dims === 1 ? 'tf.expandDims(x, 2)' : 'x';
  const squeeze = (y: string): string => (dims === 1 ? `tf.squeeze(${y}, [2])` : y);
  const pyExpand = dims === 1 ? 'tf.expand_dims(x, 2)' : 'x';
  const pySqueeze = (y: string): string => (dims === 1 ? `tf.squeeze(${y}, 2)` : y);
  const axes = dims === 2 ? '[0, 1]' : '[0]';
  const pyAxes = dims === 2 ? 'range(2)' : 'range(1)';
  const jsBody =
    kind === 'max'
      ? `return tf.maxPool(tf.pad(x2, pads, -Infinity), kernel, strides, 'valid');`
      : `// Sum over count: the count is the pooled mask of what PyTorch counts (padding when countIncludePad, never the ceil extension).
      const mask = tf.pad(tf.pad(tf.ones([1, ...x2.shape.slice(1, 3), 1]), pads.map(([b], i) => (i === 0 || i === 3 ? [0, 0] : [b, b])), this.countIncludePad ? 1 : 0), pads.map(([b, a], i) => (i === 0 || i === 3 ? [0, 0] : [0, a - b])));
      return tf.div(tf.avgPool(tf.pad(x2, pads), kernel, strides, 'valid'), tf.avgPool(mask, kernel, strides, 'valid'));`;
  const pyBody =
    kind === 'max'
      ? `return tf.nn.max_pool2d(tf.pad(x2, pads, constant_values=float("-inf")), kernel, strides, "VALID")`
      : `mask = tf.pad(tf.ones((1, int(x2.shape[1]), int(x2.shape[2]), 1)), [[0, 0], [pads[1][0]] * 2, [pads[2][0]] * 2, [0, 0]], constant_values=1.0 if self.count_include_pad else 0.0)
        mask = tf.pad(mask, [[0, 0], [0, pads[1][1] - pads[1][0]], [0, pads[2][1] - pads[2][0]], [0, 0]])
        return tf.nn.avg_pool2d(tf.pad(x2, pads), kernel, strides, "VALID") / tf.nn.avg_pool2d(mask, kernel, strides, "VALID")`;
  return {
    className,
    js: `/** ${doc} */
class ${className} extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.poolSize = config.poolSize;
    this.strides = config.strides;
    this.padding = config.padding;
    this.ceilMode = config.ceilMode;
    this.countIncludePad = config.countIncludePad;
  }
  outputSize(size, i) {
    if (size === null) return null;
    const [k, s, p] = [this.poolSize[i], this.strides[i], this.padding[i]];
    const span = size + 2 * p - k;
    if (!this.ceilMode) return Math.floor(span / s) + 1;
    const out = Math.ceil(span / s) + 1;
    return (out - 1) * s >= size + p ? out - 1 : out;
  }
  computeOutputShape(shape) {
    return [shape[0], ...${axes}.map((i) => this.outputSize(shape[i + 1], i)), shape[shape.length - 1]];
  }
  call(inputs) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const x2 = ${expand};
      const kernel = [this.poolSize[0], ${dims === 2 ? 'this.poolSize[1]' : '1'}];
      const strides = [this.strides[0], ${dims === 2 ? 'this.strides[1]' : '1'}];
      const pad = [this.padding[0], ${dims === 2 ? 'this.padding[1]' : '0'}];
      // Padding after grows by the part of the last (ceil mode) window past the padded input.
      const after = [0, 1].map((i) => {
        const size = x2.shape[i + 1];
        const out = i < ${dims} ? this.outputSize(size, i) : size;
        return Math.max(pad[i], (out - 1) * strides[i] + kernel[i] - size - pad[i]);
      });
      const pads = [[0, 0], [pad[0], after[0]], [pad[1], after[1]], [0, 0]];
      const y = (() => {
      ${jsBody}
      })();
      return ${squeeze('y')};
    });
  }
  getConfig() {
    return { ...super.getConfig(), poolSize: this.poolSize, strides: this.strides, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad };
  }
}
${className}.className = '${className}';
tf.serialization.registerClass(${className});`,
    python: `class ${className}(layers.Layer):
    """${doc}"""

    def __init__(self, pool_size, strides, padding, ceil_mode=False, count_include_pad=True, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = list(pool_size)
        self.strides = list(strides)
        self.padding = list(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def output_size(self, size, i):
        k, s, p = self.pool_size[i], self.strides[i], self.padding[i]
        span = size + 2 * p - k
        if not self.ceil_mode:
            return span // s + 1
        out = -(-span // s) + 1
        return out - 1 if (out - 1) * s >= size + p else out

    def call(self, x):
        x2 = ${pyExpand}
        kernel = [self.pool_size[0], ${dims === 2 ? 'self.pool_size[1]' : '1'}]
        strides = [self.strides[0], ${dims === 2 ? 'self.strides[1]' : '1'}]
        pad = [self.padding[0], ${dims === 2 ? 'self.padding[1]' : '0'}]
        sizes = [int(x2.shape[1]), int(x2.shape[2])]
        outs = [self.output_size(sizes[i], i) if i < ${dims} else sizes[i] for i in range(2)]
        after = [max(pad[i], (outs[i] - 1) * strides[i] + kernel[i] - sizes[i] - pad[i]) for i in range(2)]
        pads = [[0, 0], [pad[0], after[0]], [pad[1], after[1]], [0, 0]]
        return ${pySqueeze('self.pool(x2, pads, kernel, strides)')}

    def pool(self, x2, pads, kernel, strides):
        ${pyBody}

    def compute_output_shape(self, shape):
        return (shape[0], *[self.output_size(shape[i + 1], i) for i in ${pyAxes}], shape[-1])

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides, "padding": self.padding, "ceil_mode": self.ceil_mode, "count_include_pad": self.count_include_pad}`,
  };
}

export const CNN_MAX_POOL_2D = poolingClass('max', 2);
export const CNN_AVG_POOL_2D = poolingClass('avg', 2);
export const CNN_MAX_POOL_1D = poolingClass('max', 1);
export const CNN_AVG_POOL_1D = poolingClass('avg', 1);

/** The class for a pooling type, by kind and axes. */
export const poolingCustomLayer = (kind: 'max' | 'avg', dims: 1 | 2): KerasCustomLayer =>
  kind === 'max' ? (dims === 2 ? CNN_MAX_POOL_2D : CNN_MAX_POOL_1D) : dims === 2 ? CNN_AVG_POOL_2D : CNN_AVG_POOL_1D;
