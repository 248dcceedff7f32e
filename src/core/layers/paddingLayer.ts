import type { AxisFormula, KerasCustomLayer, LayerType } from './layerType';
import { attributeString } from './onnxCode';
import { pyNumber } from './pytorchCode';
import { compactSides, kerasSides, pySides, sidesFromKeras } from './sides';

export type PaddingMode = 'constant' | 'reflect' | 'replicate' | 'circular';

export interface Padding2DParams {
  /** [top, bottom, left, right]. */
  padding: number[];
  mode: PaddingMode;
  value: number;
}

const MODES: readonly PaddingMode[] = ['constant', 'reflect', 'replicate', 'circular'];
const AXES = ['height', 'width'] as const;

/**
 * Padding of [batch, H, W, C] by any of PyTorch's F.pad modes (Keras' ZeroPadding2D has zeros only):
 * a constant, the mirror without the edge (reflect), the edge repeated (replicate) or the other
 * side's rows (circular). Built of slices, reversals and concatenations, which TF.js differentiates
 * (its mirrorPad's gradient only slices, dropping what the mirrored rows pass back).
 */
export const CNN_PADDING_2D: KerasCustomLayer = {
  className: 'CnnPadding2D',
  js: `/** Pads height and width as PyTorch's F.pad: constant, reflect, replicate or circular. */
class CnnPadding2D extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.padding = config.padding;
    this.mode = config.mode;
    this.value = config.value;
  }
  computeOutputShape(shape) {
    const grow = (size, [before, after]) => (size === null ? null : size + before + after);
    return [shape[0], grow(shape[1], this.padding[0]), grow(shape[2], this.padding[1]), shape[3]];
  }
  static padAxis(x, axis, before, after, mode) {
    if (before === 0 && after === 0) return x;
    const size = x.shape[axis];
    const take = (start, length) => tf.slice(x, x.shape.map((_, i) => (i === axis ? start : 0)), x.shape.map((s, i) => (i === axis ? length : -1)));
    const repeat = (t, times) => tf.tile(t, x.shape.map((_, i) => (i === axis ? times : 1)));
    const mirror = (start, length) => tf.reverse(take(start, length), axis);
    const parts =
      mode === 'replicate'
        ? [repeat(take(0, 1), before), x, repeat(take(size - 1, 1), after)]
        : mode === 'reflect'
          ? [mirror(1, before), x, mirror(size - 1 - after, after)]
          : [take(size - before, before), x, take(0, after)];
    return tf.concat(parts.filter((p) => p.shape[axis] > 0), axis);
  }
  call(inputs) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const pads = [[0, 0], this.padding[0], this.padding[1], [0, 0]];
      if (this.mode === 'constant') return tf.pad(x, pads, this.value);
      const rows = CnnPadding2D.padAxis(x, 1, this.padding[0][0], this.padding[0][1], this.mode);
      return CnnPadding2D.padAxis(rows, 2, this.padding[1][0], this.padding[1][1], this.mode);
    });
  }
  getConfig() {
    return { ...super.getConfig(), padding: this.padding, mode: this.mode, value: this.value };
  }
}
CnnPadding2D.className = 'CnnPadding2D';
tf.serialization.registerClass(CnnPadding2D);`,
  python: `class CnnPadding2D(layers.Layer):
    """Pads height and width as PyTorch's F.pad: constant, reflect, replicate or circular."""

    def __init__(self, padding, mode="constant", value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.padding = [list(p) for p in padding]
        self.mode = mode
        self.value = value

    @staticmethod
    def pad_axis(x, axis, before, after, mode):
        if before == 0 and after == 0:
            return x
        size = x.shape[axis]
        take = lambda start, stop: tf.gather(x, tf.range(start, stop), axis=axis)
        if mode == "replicate":
            multiples = lambda n: [n if i == axis else 1 for i in range(4)]
            parts = [tf.tile(take(0, 1), multiples(before)), x, tf.tile(take(size - 1, size), multiples(after))]
        else:
            parts = [take(size - before, size), x, take(0, after)]
        return tf.concat(parts, axis=axis)

    def call(self, x):
        pads = [[0, 0], self.padding[0], self.padding[1], [0, 0]]
        if self.mode == "constant":
            return tf.pad(x, pads, constant_values=self.value)
        if self.mode == "reflect":
            return tf.pad(x, pads, mode="REFLECT")
        rows = self.pad_axis(x, 1, *self.padding[0], self.mode)
        return self.pad_axis(rows, 2, *self.padding[1], self.mode)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "mode": self.mode, "value": self.value}`,
};

/** F.pad, ZeroPad2d, ConstantPad2d, ReflectionPad2d, ReplicationPad2d: rows and columns added around an image. */
export const padding2dLayer: LayerType<Padding2DParams> = {
  type: 'Padding2D',
  label: 'Padding 2D',
  group: 'reshape',
  description:
    'Adds rows and columns around an image, as PyTorch\'s F.pad: a constant (zeros by default), the mirror image (reflect), the edge repeated (replicate) or the opposite edge (circular).',
  params: [
    { name: 'padding', label: 'Padding', kind: 'sides', dims: 2, required: true, doc: 'Rows and columns added: 1, [top/bottom, left/right] or [top, bottom, left, right].', unit: 'px' },
    { name: 'mode', label: 'Mode', kind: 'enum', options: MODES, default: 'constant', doc: 'What fills them: a constant, the mirror without the edge (reflect), the edge repeated (replicate), the opposite edge (circular).' },
    { name: 'value', label: 'Value', kind: 'number', default: 0, doc: 'The constant, for mode "constant".' },
  ],
  inputs: { min: 1, max: 1 },
  summarize: (p) => `pad ${p.padding.every((x) => x === p.padding[0]) ? p.padding[0] : p.padding.join('/')}${p.mode === 'constant' ? (p.value ? `, ${p.value}` : '') : `, ${p.mode}`}`,
  infer: ({ node, params, inputShapes, inputFields, report }) => {
    const input = inputShapes[0];
    if (input.length !== 3) {
      report({ severity: 'error', code: 'wrong-input-rank', message: `Padding 2D needs an image [height, width, channels], but gets [${input.join(', ')}].` });
      return undefined;
    }
    const { padding, mode } = params;
    // Reflection mirrors around the edge row, so it has one row fewer to take from; circular wraps around once.
    const limit = mode === 'reflect' ? [input[0] - 1, input[1] - 1] : mode === 'circular' ? [input[0], input[1]] : undefined;
    if (limit && padding.some((p, i) => p > limit[Math.floor(i / 2)])) {
      const fit = padding.map((p, i) => Math.min(p, limit[Math.floor(i / 2)]));
      report({
        severity: 'error',
        code: 'padding-larger-than-input',
        param: 'padding',
        message: `${mode === 'reflect' ? 'Reflect' : 'Circular'} padding takes its rows from the ${input[0]}×${input[1]} input, so it can add at most ${limit[0]} rows and ${limit[1]} columns per side (PyTorch refuses more), not ${padding.join('/')}.`,
        fixes: [
          { title: `Use padding ${JSON.stringify(compactSides(fit))}`, edit: { kind: 'setParams', nodeId: node.id, params: { padding: compactSides(fit) } } },
          { title: 'Use replicate padding', edit: { kind: 'setParams', nodeId: node.id, params: { mode: 'replicate' } } },
        ],
      });
      return undefined;
    }
    if (mode !== 'constant' && params.value !== 0) {
      report({
        severity: 'warning',
        code: 'padding-value-unused',
        param: 'value',
        message: `Value ${params.value} fills only constant padding; ${mode} padding ignores it.`,
        fixes: [{ title: 'Remove the value', edit: { kind: 'setParams', nodeId: node.id, params: { value: null } } }],
      });
    }
    const output = [input[0] + padding[0] + padding[1], input[1] + padding[2] + padding[3]];
    const formulas: AxisFormula[] = output.map((out, i) => ({
      axis: AXES[i],
      input: input[i],
      kernel: 1,
      stride: 1,
      dilation: 1,
      padBefore: padding[2 * i],
      padAfter: padding[2 * i + 1],
      exact: out,
      output: out,
      text: `${input[i]} + ${padding[2 * i]} + ${padding[2 * i + 1]} = ${out}`,
    }));
    const field = inputFields[0];
    return { outputShape: [...output, input[2]], trainableParams: 0, nonTrainableParams: 0, macs: 0, receptiveField: field?.receptiveField, effectiveStride: field?.effectiveStride, formulas };
  },
  toPyTorch: (p, _shapes, ctx) => {
    const mode = p.mode === 'constant' ? '' : `, mode="${p.mode}"`;
    const value = p.mode === 'constant' && p.value !== 0 ? `, value=${pyNumber(p.value)}` : '';
    return { modules: [], forward: `F.pad(${ctx.inputs[0]}, ${pySides(p.padding)}${mode}${value})` };
  },
  toOnnx: (p, inputShapes, ctx) => {
    const [top, bottom, left, right] = p.padding;
    if (p.mode !== 'circular') {
      const inputs = [ctx.inputs[0], ctx.ints([0, 0, top, left, 0, 0, bottom, right])];
      if (p.mode === 'constant') inputs.push(ctx.floats([p.value], []));
      return ctx.op('Pad', inputs, { mode: { kind: 'string', value: p.mode === 'replicate' ? 'edge' : p.mode } });
    }
    // Opset 17's Pad has no wrap mode: the opposite edges, sliced and concatenated.
    const [h, w] = inputShapes[0];
    const wrap = (x: string, axis: number, size: number, before: number, after: number): string => {
      if (before === 0 && after === 0) return x;
      const slice = (start: number, end: number): string => ctx.op('Slice', [x, ctx.ints([start]), ctx.ints([end]), ctx.ints([axis])]);
      const parts = [...(before ? [slice(size - before, size)] : []), x, ...(after ? [slice(0, after)] : [])];
      return ctx.op('Concat', parts, { axis: { kind: 'int', value: axis } });
    };
    return wrap(wrap(ctx.inputs[0], 2, h, top, bottom), 3, w, left, right);
  },
  fromOnnx: {
    ops: ['Pad'],
    read: (node, ctx) => {
      if (ctx.inputShapes[0]?.length !== 3) return undefined;
      const pads = node.attributes.pads?.kind === 'ints' ? node.attributes.pads.value : ctx.constant(1)?.ints;
      if (!pads || pads.length !== 8) return 'its pads are not constant';
      if (pads[0] || pads[1] || pads[4] || pads[5]) return 'padding of the batch or channel axis has no layer type';
      if (pads.some((p) => p < 0)) return 'negative pads (cropping) have no Padding2D parameter; they are a crop';
      const onnxMode = attributeString(node, 'mode', 'constant');
      const mode = onnxMode === 'edge' ? 'replicate' : onnxMode;
      if (!MODES.includes(mode as PaddingMode)) return `pad mode "${onnxMode}" has no layer parameter`;
      const value = node.attributes.value?.kind === 'float' ? node.attributes.value.value : ctx.constant(2)?.floats?.[0] ?? 0;
      const params: Record<string, unknown> = { padding: compactSides([pads[2], pads[6], pads[3], pads[7]]) };
      if (mode !== 'constant') params.mode = mode;
      else if (value !== 0) params.value = value;
      return { params };
    },
  },
  keras: {
    // Keras' ZeroPadding2D is also what convolutions write before themselves; one that feeds no convolution is this type.
    classNames: ['CnnPadding2D', 'ZeroPadding2D'],
    toLayers: (p) =>
      p.mode === 'constant' && p.value === 0
        ? [{ className: 'ZeroPadding2D', config: { padding: kerasSides(p.padding) }, suffix: '' }]
        : [{ className: CNN_PADDING_2D.className, config: { padding: kerasSides(p.padding), mode: p.mode, value: p.value }, suffix: '', custom: CNN_PADDING_2D }],
    fromConfig: (layer) => {
      const sides = sidesFromKeras(layer.get('padding'));
      if (!sides) {
        layer.report(`padding ${JSON.stringify(layer.get('padding'))} is not one the designer reads (n, [h, w] or [[top, bottom], [left, right]]).`);
        return undefined;
      }
      const params: Record<string, unknown> = { padding: compactSides(sides) };
      const mode = layer.get('mode') ?? 'constant';
      if (!MODES.includes(mode as PaddingMode)) {
        layer.report(`padding mode ${JSON.stringify(mode)} is not one the designer has (${MODES.join(', ')}).`);
        return undefined;
      }
      if (mode !== 'constant') params.mode = mode;
      const value = layer.get('value');
      if (typeof value === 'number' && value !== 0) params.value = value;
      return params;
    },
  },
};
