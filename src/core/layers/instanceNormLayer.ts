import type { LayerType } from './layerType';
import { pyNumber } from './pytorchCode';
import { attributeFloat, onnxFloat } from './onnxCode';
import { channelsOf } from './channelAxes';
import { CNN_INSTANCE_NORM, INSTANCE_NORM_MOMENTUM } from './kerasNormalization';

export interface InstanceNormParams {
  epsilon: number;
  affine: boolean;
  trackRunningStats: boolean;
}

const float32Decimal = (value: number): number => Number(value.toPrecision(7));

export const instanceNormLayer: LayerType<InstanceNormParams> = {
  type: 'InstanceNorm',
  label: 'Instance norm',
  group: 'normalization',
  description:
    'Normalizes each channel of each sample over its positions (style transfer, GANs). PyTorch\'s defaults: no learned scale and shift, no running statistics (the same in training and inference).',
  params: [
    { name: 'epsilon', label: 'Epsilon', kind: 'number', min: 0, max: 1, default: 0.00001, doc: "Added to the variance to avoid dividing by zero (PyTorch's default 1e-5)." },
    { name: 'affine', label: 'Affine', kind: 'bool', default: false, doc: 'Learns a scale γ and shift β per channel after normalizing.' },
    {
      name: 'trackRunningStats',
      label: 'Running statistics',
      kind: 'bool',
      default: false,
      doc: `Keeps running means and variances per channel (momentum ${INSTANCE_NORM_MOMENTUM}, as PyTorch) and uses them at inference instead of each sample's own.`,
    },
  ],
  inputs: { min: 1, max: 1 },
  summarize: (p) => [p.affine ? 'affine' : '', p.trackRunningStats ? 'running stats' : ''].filter(Boolean).join(', ') || `ε=${p.epsilon}`,
  infer: ({ params, inputShapes, report }) => {
    const input = inputShapes[0];
    if (input.length < 2) {
      report({
        severity: 'error',
        code: 'wrong-input-rank',
        message: `Instance norm normalizes each channel over its positions, so it needs an image [height, width, channels] or a sequence [length, channels], but gets [${input.join(', ')}].`,
      });
      return undefined;
    }
    const positions = input.slice(0, -1).reduce((a, b) => a * b, 1);
    if (positions === 1) {
      report({
        severity: 'error',
        code: 'single-position-norm',
        message: `Instance norm normalizes each channel over its positions, but [${input.join(', ')}] has one: every value would become 0 (PyTorch refuses it). Normalize before the spatial size reaches 1, or use layer norm over the channels.`,
      });
      return undefined;
    }
    const channels = channelsOf(input);
    return {
      outputShape: [...input],
      trainableParams: params.affine ? 2 * channels : 0,
      nonTrainableParams: params.trackRunningStats ? 2 * channels : 0,
      macs: 0,
    };
  },
  toPyTorch: (p, inputShapes, ctx) => {
    const input = inputShapes[0];
    const args = [String(channelsOf(input)), `eps=${pyNumber(p.epsilon)}`];
    if (p.affine) args.push('affine=True');
    if (p.trackRunningStats) args.push('track_running_stats=True');
    return { modules: [{ suffix: '', init: `nn.InstanceNorm${input.length === 3 ? 2 : 1}d(${args.join(', ')})` }], forward: `${ctx.module()}(${ctx.inputs[0]})` };
  },
  toOnnx: (p, inputShapes, ctx) => {
    const channels = [channelsOf(inputShapes[0])];
    const constant = (value: number): string => ctx.floats(new Array<number>(channels[0]).fill(value), channels);
    const scale = p.affine ? ctx.parameter('weight', channels, 'ones') : constant(1);
    const bias = p.affine ? ctx.parameter('bias', channels, 'zeros') : constant(0);
    // With running statistics, inference normalizes with them: a BatchNormalization.
    if (p.trackRunningStats) {
      const mean = ctx.parameter('running_mean', channels, 'zeros');
      const variance = ctx.parameter('running_var', channels, 'ones');
      return ctx.op('BatchNormalization', [ctx.inputs[0], scale, bias, mean, variance], { epsilon: onnxFloat(p.epsilon) });
    }
    return ctx.op('InstanceNormalization', [ctx.inputs[0], scale, bias], { epsilon: onnxFloat(p.epsilon) });
  },
  fromOnnx: {
    ops: ['InstanceNormalization'],
    read: (node, ctx) => {
      const input = ctx.inputShapes[0];
      if (!input || input.length < 2) return undefined;
      const scale = ctx.constant(1);
      const bias = ctx.constant(2);
      if (!scale?.floats || !bias?.floats) return 'its scale and bias are not constant tensors';
      // Learned (a module's weight) or not: torch.onnx.export writes constant ones and zeros for affine=False.
      const learned = /\.(weight|bias)$/.test(scale.name) || scale.floats.some((v) => v !== 1) || bias.floats.some((v) => v !== 0);
      const params: Record<string, unknown> = { epsilon: float32Decimal(attributeFloat(node, 'epsilon', 1e-5)) };
      if (!learned) return { params };
      params.affine = true;
      return { params, weights: { gamma: { shape: scale.dims, data: scale.floats }, beta: { shape: bias.dims, data: bias.floats } } };
    },
  },
  keras: {
    classNames: [CNN_INSTANCE_NORM.className],
    toLayers: (p, inputShapes) => {
      const channels = [channelsOf(inputShapes[0])];
      return [
        {
          className: CNN_INSTANCE_NORM.className,
          config: { epsilon: p.epsilon, affine: p.affine, trackRunningStats: p.trackRunningStats },
          defaults: { epsilon: 0.00001, affine: false, trackRunningStats: false },
          ...(p.affine || p.trackRunningStats
            ? {
                weights: {
                  ...(p.affine ? { gamma: { param: 'weight', shape: channels }, beta: { param: 'bias', shape: channels } } : {}),
                  ...(p.trackRunningStats ? { moving_mean: { param: 'running_mean', shape: channels }, moving_variance: { param: 'running_var', shape: channels } } : {}),
                },
              }
            : {}),
          custom: CNN_INSTANCE_NORM,
          suffix: '',
        },
      ];
    },
    fromConfig: (layer) => {
      const params: Record<string, unknown> = { epsilon: layer.get('epsilon') ?? 0.00001 };
      if (layer.get('affine') === true) params.affine = true;
      if (layer.get('track_running_stats') === true) params.trackRunningStats = true;
      return params;
    },
  },
};
