import { ACTIVATIONS, type LayerType } from './layerType';
import { LEAKY_RELU_SLOPE } from './commonParams';
import { ACTIVATION_CLASS_NAMES, activationLayerSpec, activationOfLayer } from './kerasActivations';
import { pyActivation } from './pytorchCode';
import { attributeFloat, attributeInt, onnxActivation } from './onnxCode';

export interface ActivationParams {
  fn: string;
}

export const activationLayer: LayerType<ActivationParams> = {
  type: 'Activation',
  label: 'Activation',
  group: 'activation',
  description: 'Applies a function to every value: ReLU, leaky ReLU (slope 0.01), ELU, GELU, sigmoid, tanh, softmax or log-softmax (last axis).',
  params: [{ name: 'fn', label: 'Function', kind: 'enum', options: ACTIVATIONS, default: 'relu', doc: 'The function applied.' }],
  inputs: { min: 1, max: 1 },
  summarize: (p) => p.fn,
  infer: ({ inputShapes }) => ({ outputShape: [...inputShapes[0]], trainableParams: 0, nonTrainableParams: 0, macs: 0 }),
  toPyTorch: (p, _shapes, ctx) => ({ modules: [], forward: pyActivation(p.fn, ctx.inputs[0]) }),
  toOnnx: (p, _shapes, ctx) => onnxActivation(p.fn, ctx.inputs[0], ctx),
  fromOnnx: {
    ops: ['Relu', 'LeakyRelu', 'Elu', 'Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax'],
    read: (node, ctx) => {
      const rank = ctx.inputShapes[0]?.length ?? 0;
      switch (node.opType) {
        case 'LeakyRelu':
          return Math.abs(attributeFloat(node, 'alpha', 0.01) - LEAKY_RELU_SLOPE) < 1e-7 ? { params: { fn: 'leakyRelu' } } : `LeakyRelu with alpha ${attributeFloat(node, 'alpha', 0.01)} (only ${LEAKY_RELU_SLOPE} so far)`;
        case 'Elu':
          return attributeFloat(node, 'alpha', 1) === 1 ? { params: { fn: 'elu' } } : 'Elu with alpha ≠ 1 has no parameter yet';
        case 'Softmax':
        case 'LogSoftmax': {
          // Over channels: ONNX axis 1, or the last axis of a (N, C) tensor.
          const axis = attributeInt(node, 'axis', -1);
          if (axis !== 1 && !(rank === 1 && axis === -1)) return `${node.opType} over axis ${axis} (not channels)`;
          return { params: { fn: node.opType === 'Softmax' ? 'softmax' : 'logSoftmax' } };
        }
        default:
          return { params: { fn: node.opType.toLowerCase() } };
      }
    },
  },
  keras: {
    classNames: ACTIVATION_CLASS_NAMES,
    toLayers: (p) => [activationLayerSpec(p.fn, '')],
    fromConfig: (layer) => {
      const fn = activationOfLayer(layer.className, layer.get);
      if (fn) return { fn };
      layer.report(
        layer.className === 'LeakyReLU'
          ? `the designer's leaky ReLU has slope ${LEAKY_RELU_SLOPE}; this one has ${String(layer.get('alpha') ?? layer.get('negative_slope') ?? 0.3)}.`
          : `this ${layer.className} configuration is not one the designer has.`,
      );
      return undefined;
    },
  },
};
