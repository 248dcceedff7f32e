import type { SuggestedFix } from '../analysis/diagnostic';
import type { KerasCustomLayer, LayerType } from './layerType';
import { attributeInts } from './onnxCode';
import { channelsOf } from './channelAxes';

export interface ChannelSliceParams {
  start: number;
  end: number;
}

/** A range of channels; Keras and TF.js have no layer for it. */
export const CNN_CHANNEL_SLICE: KerasCustomLayer = {
  className: 'CnnChannelSlice',
  js: `/** Channels start to end (end excluded) of the last axis, as PyTorch's x[:, start:end]. */
class CnnChannelSlice extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.start = config.start;
    this.end = config.end;
  }
  computeOutputShape(inputShape) {
    return [...inputShape.slice(0, -1), this.end - this.start];
  }
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.slice(x, [...x.shape.slice(0, -1).map(() => 0), this.start], [...x.shape.slice(0, -1).map(() => -1), this.end - this.start]));
  }
  getConfig() {
    return { ...super.getConfig(), start: this.start, end: this.end };
  }
}
CnnChannelSlice.className = 'CnnChannelSlice';
tf.serialization.registerClass(CnnChannelSlice);`,
  python: `class CnnChannelSlice(layers.Layer):
    """Channels start to end (end excluded) of the last axis, as PyTorch's x[:, start:end]."""

    def __init__(self, start, end, **kwargs):
        super().__init__(**kwargs)
        self.start = start
        self.end = end

    def call(self, x):
        return x[..., self.start : self.end]

    def get_config(self):
        return {**super().get_config(), "start": self.start, "end": self.end}`,
};

export const channelSliceLayer: LayerType<ChannelSliceParams> = {
  type: 'ChannelSlice',
  label: 'Channel slice',
  group: 'reshape',
  description:
    "Keeps the channels from start up to end (end excluded), as PyTorch's x[:, start:end] or one piece of x.chunk(k, 1): ShuffleNet v2 splits its input in two halves this way. No parameters.",
  params: [
    { name: 'start', label: 'Start', kind: 'int', min: 0, max: 65535, required: true, doc: 'First channel kept (counting from 0).' },
    { name: 'end', label: 'End', kind: 'int', min: 1, max: 65536, required: true, doc: 'Channel after the last one kept: end − start channels come out.' },
  ],
  inputs: { min: 1, max: 1 },
  summarize: (p) => `[${p.start}:${p.end}]`,
  infer: ({ node, params, inputShapes, report }) => {
    const input = inputShapes[0];
    const channels = channelsOf(input);
    if (params.end > channels || params.start >= params.end) {
      const half = Math.max(1, Math.floor(channels / 2));
      const fixes: SuggestedFix[] =
        params.start < channels
          ? [{ title: `Keep channels ${params.start} to ${channels} (end ${channels})`, edit: { kind: 'setParams', nodeId: node.id, params: { end: channels } } }]
          : [];
      fixes.push(
        { title: `Keep the first half (0 to ${half})`, edit: { kind: 'setParams', nodeId: node.id, params: { start: 0, end: half } } },
        ...(channels > 1 ? [{ title: `Keep the second half (${half} to ${channels})`, edit: { kind: 'setParams' as const, nodeId: node.id, params: { start: half, end: channels } } }] : []),
      );
      report({
        severity: 'error',
        code: 'slice-out-of-range',
        param: params.end > channels ? 'end' : 'start',
        message:
          params.start >= params.end
            ? `Channel slice keeps channels ${params.start} up to ${params.end}, which is none: start must be below end.`
            : `Channel slice keeps channels up to ${params.end}, but its input has only ${channels} (0 to ${channels - 1}).`,
        fixes,
      });
      return undefined;
    }
    return { outputShape: [...input.slice(0, -1), params.end - params.start], trainableParams: 0, nonTrainableParams: 0, macs: 0 };
  },
  toPyTorch: (p, _shapes, ctx) => ({ modules: [], forward: `${ctx.inputs[0]}[:, ${p.start}:${p.end}]` }),
  toOnnx: (p, _shapes, ctx) => ctx.op('Slice', [ctx.inputs[0], ctx.ints([p.start]), ctx.ints([p.end]), ctx.ints([1])]),
  fromOnnx: {
    ops: ['Slice'],
    read: (node, ctx) => {
      const input = ctx.inputShapes[0];
      if (!input) return undefined;
      // Opset 10+: starts, ends, axes and steps are inputs; before, attributes.
      const ints = (index: number, attribute: string): number[] | undefined => ctx.constant(index)?.ints ?? (node.attributes[attribute] ? attributeInts(node, attribute, []) : undefined);
      const starts = ints(1, 'starts');
      const ends = ints(2, 'ends');
      const axes = ints(3, 'axes') ?? starts?.map((_, i) => i);
      const steps = ctx.constant(4)?.ints;
      const channels = channelsOf(input);
      const rank = input.length + 1;
      if (!starts || !ends || !axes || starts.length !== 1 || ends.length !== 1 || axes.length !== 1) return 'Slice with computed or several ranges (only one constant range of channels is a layer)';
      if ((axes[0] + rank) % rank !== 1) return `Slice along axis ${axes[0]} (only the channels, axis 1)`;
      if (steps && steps[0] !== 1) return `Slice with step ${steps[0]}`;
      const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + channels : v, 0), channels);
      return { params: { start: clamp(starts[0]), end: clamp(ends[0]) } };
    },
  },
  keras: {
    classNames: [CNN_CHANNEL_SLICE.className],
    toLayers: (p) => [{ className: CNN_CHANNEL_SLICE.className, config: { start: p.start, end: p.end }, custom: CNN_CHANNEL_SLICE, suffix: '' }],
    fromConfig: (layer) => ({ start: layer.get('start'), end: layer.get('end') }),
  },
};
