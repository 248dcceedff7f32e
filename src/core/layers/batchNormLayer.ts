import type { LayerType } from './layerType';
import { pyNumber } from './pytorchCode';
import { attributeFloat, onnxFloat } from './onnxCode';

export interface BatchNormParams {
  momentum: number;
  epsilon: number;
}

/** Keras' and TF.js' class for this layer. */
export const KERAS_BATCH_NORMALIZATION = 'BatchNormalization';

export const batchNormLayer: LayerType<BatchNormParams> = {
  type: 'BatchNorm',
  label: 'Batch norm',
  group: 'normalization',
  description:
    'Normalizes each channel over the batch, then scales and shifts it (γ, β learned; running mean and variance kept for test time).',
  params: [
    {
      name: 'momentum',
      label: 'Momentum',
      kind: 'number',
      min: 0,
      max: 1,
      default: 0.99,
      doc: 'Keras convention: weight of the old running average (PyTorch momentum = 1 − this).',
    },
    { name: 'epsilon', label: 'Epsilon', kind: 'number', min: 0, max: 1, default: 0.001, doc: 'Added to the variance to avoid dividing by zero.' },
  ],
  // Keras' defaults stay the type's; PyTorch's (eps 1e-5, momentum 0.1 of the new batch) are one click away.
  presets: [{ title: "Use PyTorch's defaults", detail: 'epsilon 1e-5, momentum 0.9 (PyTorch writes it as 0.1, the weight of the new batch)', params: { momentum: 0.9, epsilon: 0.00001 } }],
  inputs: { min: 1, max: 1 },
  summarize: (p) => `m=${p.momentum}`,
  infer: ({ inputShapes }) => {
    const channels = inputShapes[0][inputShapes[0].length - 1];
    return { outputShape: [...inputShapes[0]], trainableParams: 2 * channels, nonTrainableParams: 2 * channels, macs: 0 };
  },
  toPyTorch: (p, inputShapes, ctx) => {
    const input = inputShapes[0];
    return {
      modules: [
        {
          suffix: '',
          // PyTorch's momentum is the weight of the new batch: 1 − Keras' momentum.
          init: `nn.BatchNorm${input.length === 3 ? 2 : 1}d(${input[input.length - 1]}, eps=${pyNumber(p.epsilon)}, momentum=${pyNumber(1 - p.momentum)})`,
        },
      ],
      forward: `${ctx.module()}(${ctx.inputs[0]})`,
    };
  },
  toOnnx: (p, inputShapes, ctx) => {
    const input = inputShapes[0];
    const channels = [input[input.length - 1]];
    const x = ctx.inputs[0];
    const inputs = [
      x,
      ctx.parameter('weight', channels, 'ones'),
      ctx.parameter('bias', channels, 'zeros'),
      ctx.parameter('running_mean', channels, 'zeros'),
      ctx.parameter('running_var', channels, 'ones'),
    ];
    return ctx.op('BatchNormalization', inputs, { epsilon: onnxFloat(p.epsilon) });
  },
  fromOnnx: {
    ops: ['BatchNormalization'],
    read: (node, ctx) => {
      const names = ['gamma', 'beta', 'moving_mean', 'moving_variance'];
      const weights: Record<string, { shape: number[]; data: Float32Array }> = {};
      for (const [i, name] of names.entries()) {
        const tensor = ctx.constant(i + 1);
        if (!tensor?.floats) return 'its scale, bias, mean and variance are not constant tensors';
        weights[name] = { shape: tensor.dims, data: tensor.floats };
      }
      // ONNX's momentum weighs the old average as Keras' does; it only matters for further training.
      return { params: { epsilon: attributeFloat(node, 'epsilon', 1e-5), momentum: attributeFloat(node, 'momentum', 0.9) }, weights };
    },
  },
  keras: {
    classNames: [KERAS_BATCH_NORMALIZATION],
    toLayers: (p, inputShapes) => {
      const channels = [inputShapes[0][inputShapes[0].length - 1]];
      return [
        {
          className: 'BatchNormalization',
          config: { axis: -1, momentum: p.momentum, epsilon: p.epsilon },
          defaults: { axis: -1, momentum: 0.99, epsilon: 0.001 },
          weights: {
            gamma: { param: 'weight', shape: channels },
            beta: { param: 'bias', shape: channels },
            moving_mean: { param: 'running_mean', shape: channels },
            moving_variance: { param: 'running_var', shape: channels },
          },
          suffix: '',
        },
      ];
    },
    fromConfig: (layer) => {
      const axis = layer.get('axis');
      // A positive axis is the last one only for a known rank; the shapes check it after import.
      if (!(axis === undefined || typeof axis === 'number' || (Array.isArray(axis) && axis.length === 1))) {
        layer.report(`normalizing over axis ${JSON.stringify(axis)} is not supported (only the channel axis).`);
        return undefined;
      }
      if (layer.get('center') === false || layer.get('scale') === false) {
        layer.report('batch normalization without scale or center is not supported.');
        return undefined;
      }
      return { momentum: layer.get('momentum') ?? 0.99, epsilon: layer.get('epsilon') ?? 0.001 };
    },
  },
};
