import type { LayerType } from './layerType';
import { pyNumber } from './pytorchCode';
import { attributeFloat, attributeInt, onnxFloat, onnxInt } from './onnxCode';
import { channelsOf, pyOverChannelsLast } from './channelAxes';

/** ONNX's operator (opset 17), which the import also fuses torch's older arithmetic into. */
export const ONNX_LAYER_NORMALIZATION = 'LayerNormalization';

export interface LayerNormParams {
  epsilon: number;
  elementwiseAffine: boolean;
}

/** float32 attributes (ONNX stores epsilon so) back to the decimal they were written as. */
const float32Decimal = (value: number): number => Number(value.toPrecision(7));

/** ONNX's permutations between channels-first and channels-last, by sample rank (a vector needs none). */
const TO_LAST: Record<number, number[]> = { 3: [0, 2, 3, 1], 2: [0, 2, 1] };
const TO_FIRST: Record<number, number[]> = { 3: [0, 3, 1, 2], 2: [0, 2, 1] };

export const layerNormLayer: LayerType<LayerNormParams> = {
  type: 'LayerNorm',
  label: 'Layer norm',
  group: 'normalization',
  description:
    'Normalizes the channels of each position (each pixel, step or vector) to mean 0 and variance 1 on its own, then scales and shifts each channel (γ, β learned). Needs no batch statistics: the same in training and inference (ConvNeXt, transformers).',
  params: [
    { name: 'epsilon', label: 'Epsilon', kind: 'number', min: 0, max: 1, default: 0.00001, doc: "Added to the variance to avoid dividing by zero (PyTorch's default 1e-5; ConvNeXt uses 1e-6)." },
    { name: 'elementwiseAffine', label: 'Affine', kind: 'bool', default: true, doc: 'Learns a scale γ and shift β per channel after normalizing.' },
  ],
  inputs: { min: 1, max: 1 },
  summarize: (p) => `ε=${p.epsilon}${p.elementwiseAffine ? '' : ', no affine'}`,
  infer: ({ params, inputShapes }) => {
    const input = inputShapes[0];
    return { outputShape: [...input], trainableParams: params.elementwiseAffine ? 2 * channelsOf(input) : 0, nonTrainableParams: 0, macs: 0 };
  },
  toPyTorch: (p, inputShapes, ctx) => {
    const input = inputShapes[0];
    const args = [String(channelsOf(input)), `eps=${pyNumber(p.epsilon)}`];
    if (!p.elementwiseAffine) args.push('elementwise_affine=False');
    return {
      modules: [{ suffix: '', init: `nn.LayerNorm(${args.join(', ')})` }],
      forward: pyOverChannelsLast(ctx.inputs[0], input.length, (y) => `${ctx.module()}(${y})`),
      ...(input.length > 1 ? { comment: 'nn.LayerNorm normalizes the last axis: the channels are moved there and back' } : {}),
    };
  },
  toOnnx: (p, inputShapes, ctx) => {
    const input = inputShapes[0];
    const channels = [channelsOf(input)];
    const scale = p.elementwiseAffine ? ctx.parameter('weight', channels, 'ones') : ctx.floats(new Array<number>(channels[0]).fill(1), channels);
    const bias = p.elementwiseAffine ? ctx.parameter('bias', channels, 'zeros') : ctx.floats(new Array<number>(channels[0]).fill(0), channels);
    const rank = input.length;
    // LayerNormalization (opset 17) normalizes from `axis` to the end: the channels go last and back.
    const x = rank > 1 ? ctx.op('Transpose', [ctx.inputs[0]], { perm: { kind: 'ints', value: TO_LAST[rank] } }) : ctx.inputs[0];
    const y = ctx.op(ONNX_LAYER_NORMALIZATION, [x, scale, bias], { axis: onnxInt(-1), epsilon: onnxFloat(p.epsilon) });
    return rank > 1 ? ctx.op('Transpose', [y], { perm: { kind: 'ints', value: TO_FIRST[rank] } }) : y;
  },
  fromOnnx: {
    ops: [ONNX_LAYER_NORMALIZATION],
    readsChannelsLastView: true,
    read: (node, ctx) => {
      const input = ctx.inputShapes[0];
      // Over the channels: of a vector (nn.LayerNorm after pooling), or of an image or sequence moved
      // channels-last by a Transpose (torchvision's LayerNorm2d, and this export), which a Transpose back follows.
      if (!input || (input.length > 1 && !ctx.channelsLastView)) return 'LayerNormalization over the spatial axes of a channels-first tensor (only over the channels)';
      const axis = attributeInt(node, 'axis', -1);
      if (axis !== -1 && axis !== input.length) return `LayerNormalization over axes from ${axis} (only the channels)`;
      const scale = ctx.constant(1);
      const bias = ctx.constant(2);
      const params: Record<string, unknown> = { epsilon: float32Decimal(attributeFloat(node, 'epsilon', 1e-5)) };
      // No scale: the import's fusion of a LayerNorm without affine terms.
      if (!scale && !bias) return { params: { ...params, elementwiseAffine: false } };
      if (!scale?.floats) return 'its scale is not a constant tensor';
      const weights = { gamma: { shape: scale.dims, data: scale.floats }, beta: { shape: scale.dims, data: bias?.floats ?? new Float32Array(scale.floats.length) } };
      return { params, weights };
    },
  },
  keras: {
    classNames: ['LayerNormalization'],
    toLayers: (p, inputShapes) => {
      const channels = [channelsOf(inputShapes[0])];
      return [
        {
          className: 'LayerNormalization',
          // The channel axis by its index after the batch, as TF.js keeps it once built (its -1 becomes [3] for an image).
          config: { axis: inputShapes[0].length, epsilon: p.epsilon, center: p.elementwiseAffine, scale: p.elementwiseAffine },
          defaults: { epsilon: 0.001, center: true, scale: true },
          ...(p.elementwiseAffine ? { weights: { gamma: { param: 'weight', shape: channels }, beta: { param: 'bias', shape: channels } } } : {}),
          suffix: '',
        },
      ];
    },
    fromConfig: (layer) => {
      const axis = layer.get('axis');
      // TF.js saves the axis as a positive index ([3] for an image), the last one only for a known rank, as BatchNorm's.
      if (!(axis === undefined || typeof axis === 'number' || (Array.isArray(axis) && axis.length === 1))) {
        layer.report(`normalizing over axis ${JSON.stringify(axis)} is not supported (only the channel axis, -1).`);
        return undefined;
      }
      const center = layer.get('center') !== false;
      const scale = layer.get('scale') !== false;
      if (center !== scale) {
        layer.report('layer normalization with only one of scale and center is not supported (PyTorch learns both or neither).');
        return undefined;
      }
      const params: Record<string, unknown> = { epsilon: layer.get('epsilon') ?? 0.001 };
      if (!center) params.elementwiseAffine = false;
      return params;
    },
  },
};
