import type { KerasCustomLayer, LayerType } from './layerType';
import { channelsOf, checkGroupsDivideChannels } from './channelAxes';

export interface ChannelShuffleParams {
  groups: number;
}

/** ShuffleNet's channel shuffle; Keras and TF.js have no layer for it. */
export const CNN_CHANNEL_SHUFFLE: KerasCustomLayer = {
  className: 'CnnChannelShuffle',
  js: `/** ShuffleNet's channel shuffle: the channels (last axis), seen as [groups, C / groups], transposed. */
class CnnChannelShuffle extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.groups = config.groups;
  }
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => {
      const rank = x.shape.length;
      const channels = x.shape[rank - 1];
      const split = tf.reshape(x, [...x.shape.slice(0, -1), this.groups, channels / this.groups]);
      const perm = [...Array(rank - 1).keys(), rank, rank - 1];
      return tf.reshape(tf.transpose(split, perm), x.shape);
    });
  }
  getConfig() {
    return { ...super.getConfig(), groups: this.groups };
  }
}
CnnChannelShuffle.className = 'CnnChannelShuffle';
tf.serialization.registerClass(CnnChannelShuffle);`,
  python: `class CnnChannelShuffle(layers.Layer):
    """ShuffleNet's channel shuffle: the channels (last axis), seen as [groups, C / groups], transposed."""

    def __init__(self, groups, **kwargs):
        super().__init__(**kwargs)
        self.groups = groups

    def call(self, x):
        shape = tf.shape(x)
        channels = x.shape[-1]
        split = tf.reshape(x, tf.concat([shape[:-1], [self.groups, channels // self.groups]], 0))
        rank = len(x.shape)
        return tf.reshape(tf.transpose(split, list(range(rank - 1)) + [rank, rank - 1]), shape)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups}`,
};

export const channelShuffleLayer: LayerType<ChannelShuffleParams> = {
  type: 'ChannelShuffle',
  label: 'Channel shuffle',
  group: 'reshape',
  description:
    "Interleaves the channels of its groups (ShuffleNet): channel j of group i moves to position j · groups + i, so that the next grouped convolution sees channels of every group. No parameters.",
  params: [{ name: 'groups', label: 'Groups', kind: 'int', min: 1, max: 65536, required: true, doc: 'Number of channel groups to interleave; must divide the channels.' }],
  inputs: { min: 1, max: 1 },
  summarize: (p) => `${p.groups} groups`,
  infer: ({ node, params, inputShapes, report }) => {
    const input = inputShapes[0];
    const channels = channelsOf(input);
    if (!checkGroupsDivideChannels('Channel shuffle', node.id, channels, params.groups, report)) return undefined;
    return { outputShape: [...input], trainableParams: 0, nonTrainableParams: 0, macs: 0 };
  },
  toPyTorch: (p, inputShapes, ctx) => {
    const channels = channelsOf(inputShapes[0]);
    return {
      modules: [],
      forward: `${ctx.inputs[0]}.unflatten(1, (${p.groups}, ${channels / p.groups})).transpose(1, 2).flatten(1, 2)`,
      comment: `channel shuffle: the ${channels} channels as ${p.groups} groups × ${channels / p.groups}, transposed`,
    };
  },
  toOnnx: (p, inputShapes, ctx) => {
    const input = inputShapes[0];
    const channels = channelsOf(input);
    const spatial = input.slice(0, -1);
    const split = ctx.op('Reshape', [ctx.inputs[0], ctx.ints([0, p.groups, channels / p.groups, ...spatial])]);
    const perm = [0, 2, 1, ...spatial.map((_, i) => i + 3)];
    const swapped = ctx.op('Transpose', [split], { perm: { kind: 'ints', value: perm } });
    return ctx.op('Reshape', [swapped, ctx.ints([0, channels, ...spatial])]);
  },
  fromOnnx: {
    // The import's fusion of Reshape (N, groups, C / groups, …), Transpose of those two axes, Reshape back; input 1 is the first Reshape's target.
    ops: ['ChannelShuffle'],
    read: (_node, ctx) => {
      const input = ctx.inputShapes[0];
      const target = ctx.constant(1)?.ints;
      if (!input) return undefined;
      const channels = channelsOf(input);
      if (!target || target.length !== input.length + 2 || target[1] < 1 || target[1] * target[2] !== channels) return `a channel shuffle whose split [${target?.join(', ') ?? 'computed'}] is not the ${channels} channels in groups`;
      return { params: { groups: target[1] } };
    },
  },
  keras: {
    classNames: [CNN_CHANNEL_SHUFFLE.className],
    toLayers: (p) => [{ className: CNN_CHANNEL_SHUFFLE.className, config: { groups: p.groups }, custom: CNN_CHANNEL_SHUFFLE, suffix: '' }],
    fromConfig: (layer) => ({ groups: layer.get('groups') }),
  },
};
