import type { LayerType } from './layerType';
import { pyNumber } from './pytorchCode';
import { attributeFloat, attributeInt, onnxFloat } from './onnxCode';
import { channelsFirstBroadcast, channelsOf, checkGroupsDivideChannels } from './channelAxes';
import { CNN_GROUP_NORM } from './kerasNormalization';

export interface GroupNormParams {
  groups: number;
  epsilon: number;
  affine: boolean;
}

export const groupNormLayer: LayerType<GroupNormParams> = {
  type: 'GroupNorm',
  label: 'Group norm',
  group: 'normalization',
  description:
    'Splits the channels into groups and normalizes each group of each sample over its positions and channels, then scales and shifts each channel (γ, β learned). Independent of the batch size: 1 group is layer norm over everything, one group per channel is instance norm.',
  params: [
    { name: 'groups', label: 'Groups', kind: 'int', min: 1, max: 65536, required: true, doc: 'Number of channel groups; must divide the channels.' },
    { name: 'epsilon', label: 'Epsilon', kind: 'number', min: 0, max: 1, default: 0.00001, doc: "Added to the variance to avoid dividing by zero (PyTorch's default 1e-5)." },
    { name: 'affine', label: 'Affine', kind: 'bool', default: true, doc: 'Learns a scale γ and shift β per channel after normalizing.' },
  ],
  inputs: { min: 1, max: 1 },
  summarize: (p) => `${p.groups} groups`,
  infer: ({ node, params, inputShapes, report }) => {
    const input = inputShapes[0];
    const channels = channelsOf(input);
    if (!checkGroupsDivideChannels('Group norm', node.id, channels, params.groups, report)) return undefined;
    return { outputShape: [...input], trainableParams: params.affine ? 2 * channels : 0, nonTrainableParams: 0, macs: 0 };
  },
  toPyTorch: (p, inputShapes, ctx) => {
    const args = [String(p.groups), String(channelsOf(inputShapes[0])), `eps=${pyNumber(p.epsilon)}`];
    if (!p.affine) args.push('affine=False');
    return { modules: [{ suffix: '', init: `nn.GroupNorm(${args.join(', ')})` }], forward: `${ctx.module()}(${ctx.inputs[0]})` };
  },
  toOnnx: (p, inputShapes, ctx) => {
    // As torch.onnx.export writes nn.GroupNorm: (N, G, rest) normalized per group by InstanceNormalization, then γ and β per channel.
    const input = inputShapes[0];
    const channels = channelsOf(input);
    const spatial = input.slice(0, -1);
    const grouped = ctx.op('Reshape', [ctx.inputs[0], ctx.ints([0, p.groups, -1])]);
    const ones = ctx.floats(new Array<number>(p.groups).fill(1), [p.groups]);
    const zeros = ctx.floats(new Array<number>(p.groups).fill(0), [p.groups]);
    const normalized = ctx.op('InstanceNormalization', [grouped, ones, zeros], { epsilon: onnxFloat(p.epsilon) });
    const y = ctx.op('Reshape', [normalized, ctx.ints([0, channels, ...spatial])]);
    if (!p.affine) return y;
    const broadcast = ctx.ints(channelsFirstBroadcast(input));
    const gamma = ctx.op('Reshape', [ctx.parameter('weight', [channels], 'ones'), broadcast]);
    const beta = ctx.op('Reshape', [ctx.parameter('bias', [channels], 'zeros'), broadcast]);
    return ctx.op('Add', [ctx.op('Mul', [y, gamma]), beta]);
  },
  fromOnnx: {
    // The import's fusion of torch.onnx.export's Reshape, InstanceNormalization, Reshape, Mul, Add (or ONNX's own operator).
    ops: ['GroupNormalization'],
    read: (node, ctx) => {
      const input = ctx.inputShapes[0];
      if (!input) return undefined;
      const channels = channelsOf(input);
      const groups = attributeInt(node, 'num_groups', 0);
      if (groups < 1 || channels % groups !== 0) return `GroupNormalization of ${channels} channels in ${groups} groups`;
      const params: Record<string, unknown> = { groups, epsilon: Number(attributeFloat(node, 'epsilon', 1e-5).toPrecision(7)) };
      const scale = ctx.constant(1);
      const bias = ctx.constant(2);
      if (!scale && !bias) return { params: { ...params, affine: false } };
      if (!scale?.floats || !bias?.floats) return 'its scale and bias are not constant tensors';
      // torch.onnx.export writes affine=False as a Mul by 1 and an Add of 0.
      if (scale.floats.length === 1 && bias.floats.length === 1 && scale.floats[0] === 1 && bias.floats[0] === 0) return { params: { ...params, affine: false } };
      // One value per channel, (C), (C, 1, 1) or (C, 1); opset 18's one per group is spread over the group's channels, and a single one over all.
      const perChannel = (t: Float32Array): Float32Array | undefined =>
        t.length === channels ? t : t.length === groups || t.length === 1 ? Float32Array.from({ length: channels }, (_, c) => t[Math.floor((c * t.length) / channels)]) : undefined;
      const gamma = perChannel(scale.floats);
      const beta = perChannel(bias.floats);
      if (!gamma || !beta) return `its scale has ${scale.floats.length} values (one per channel, ${channels}, or per group, ${groups})`;
      return { params, weights: { gamma: { shape: [channels], data: gamma }, beta: { shape: [channels], data: beta } } };
    },
  },
  keras: {
    classNames: [CNN_GROUP_NORM.className],
    toLayers: (p, inputShapes) => {
      const channels = [channelsOf(inputShapes[0])];
      return [
        {
          className: CNN_GROUP_NORM.className,
          config: { groups: p.groups, epsilon: p.epsilon, affine: p.affine },
          defaults: { epsilon: 0.00001, affine: true },
          ...(p.affine ? { weights: { gamma: { param: 'weight', shape: channels }, beta: { param: 'bias', shape: channels } } } : {}),
          custom: CNN_GROUP_NORM,
          suffix: '',
        },
      ];
    },
    fromConfig: (layer) => {
      const params: Record<string, unknown> = { groups: layer.get('groups'), epsilon: layer.get('epsilon') ?? 0.00001 };
      if (layer.get('affine') === false) params.affine = false;
      return params;
    },
  },
};
