import type { LayerType } from './layerType';
import { channelsOf } from './channelAxes';

export interface PReLUParams {
  sharedAxes: 'spatial' | 'all';
}

/** PyTorch's initial slope of nn.PReLU. */
const TORCH_PRELU_INIT = 0.25;

/** Keras' shared_axes (1-based, after the batch) for a sample of `rank` axes. */
const kerasSharedAxes = (sharedAxes: string, rank: number): number[] | null => {
  const spatial = Array.from({ length: rank - 1 }, (_, i) => i + 1);
  const axes = sharedAxes === 'all' ? [...spatial, rank] : spatial;
  return axes.length ? axes : null;
};

export const preluLayer: LayerType<PReLUParams> = {
  type: 'PReLU',
  label: 'PReLU',
  group: 'activation',
  description:
    'Leaky ReLU whose negative slope α is learned: x for x > 0, α·x below. One α per channel (nn.PReLU(C)), or one for the whole tensor (nn.PReLU()).',
  params: [
    {
      name: 'sharedAxes',
      label: 'Shared over',
      kind: 'enum',
      options: ['spatial', 'all'],
      default: 'spatial',
      doc: '"spatial": one α per channel, shared over positions; "all": a single α. PyTorch starts α at 0.25, Keras and TF.js at 0.',
    },
  ],
  inputs: { min: 1, max: 1 },
  summarize: (p) => (p.sharedAxes === 'all' ? 'one α' : 'α per channel'),
  infer: ({ params, inputShapes }) => {
    const input = inputShapes[0];
    return { outputShape: [...input], trainableParams: params.sharedAxes === 'all' ? 1 : channelsOf(input), nonTrainableParams: 0, macs: 0 };
  },
  toPyTorch: (p, inputShapes, ctx) => ({
    modules: [{ suffix: '', init: p.sharedAxes === 'all' ? 'nn.PReLU()' : `nn.PReLU(${channelsOf(inputShapes[0])})` }],
    forward: `${ctx.module()}(${ctx.inputs[0]})`,
  }),
  toOnnx: (p, inputShapes, ctx) => {
    const input = inputShapes[0];
    const count = p.sharedAxes === 'all' ? 1 : channelsOf(input);
    const weight = ctx.parameter('weight', [count], { constant: TORCH_PRELU_INIT });
    // ONNX broadcasts from the last axis: a per-channel slope of (N, C, H, W) is (C, 1, 1).
    const slope = input.length > 1 && count > 1 ? ctx.op('Reshape', [weight, ctx.ints([count, ...new Array<number>(input.length - 1).fill(1)])]) : weight;
    return ctx.op('PRelu', [ctx.inputs[0], slope]);
  },
  fromOnnx: {
    ops: ['PRelu'],
    read: (_node, ctx) => {
      const input = ctx.inputShapes[0];
      const slope = ctx.constant(1);
      if (!input || !slope?.floats) return 'its slope is not a constant tensor';
      const channels = channelsOf(input);
      const all = slope.floats.length === 1;
      if (!all && slope.floats.length !== channels) return `PRelu with ${slope.floats.length} slopes for ${channels} channels (one per channel, or one)`;
      const shape = all ? new Array<number>(input.length).fill(1) : [...new Array<number>(input.length - 1).fill(1), channels];
      return { params: all ? { sharedAxes: 'all' } : {}, weights: { alpha: { shape, data: slope.floats } } };
    },
  },
  keras: {
    classNames: ['PReLU'],
    toLayers: (p, inputShapes) => {
      const input = inputShapes[0];
      const count = p.sharedAxes === 'all' ? 1 : channelsOf(input);
      // Keras' α has the sample's rank, with 1 on the shared axes: [1, 1, C] for one α per channel of an image.
      const shape = [...new Array<number>(input.length - 1).fill(1), count];
      return [{ className: 'PReLU', config: { sharedAxes: kerasSharedAxes(p.sharedAxes, input.length) }, defaults: { sharedAxes: null }, weights: { alpha: { param: 'weight', shape, torchShape: [count] } }, suffix: '' }];
    },
    fromConfig: (layer) => {
      const axes = layer.get('shared_axes');
      const list = axes == null ? [] : Array.isArray(axes) ? (axes as number[]) : [axes as number];
      // Keras' shared_axes does not say the sample's rank: 3 shared axes can only be an image's all; fewer read as per channel.
      if (list.length >= 3) return { sharedAxes: 'all' };
      return {};
    },
  },
};
