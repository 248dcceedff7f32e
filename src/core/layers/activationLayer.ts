import { ACTIVATIONS, type LayerType } from './layerType';
import { ALPHA_DEFAULTS, ELU_ALPHA, LEAKY_RELU_SLOPE } from './commonParams';
import { ACTIVATION_CLASS_NAMES, activationLayerSpec, activationParamsOfLayer } from './kerasActivations';
import { pyActivation, pyActivationModule, pyNumber } from './pytorchCode';
import { attributeFloat, attributeInt, attributeString, HARD_SIGMOID_ALPHA, HARD_SIGMOID_BETA, onnxActivation } from './onnxCode';

export interface ActivationParams {
  fn: string;
  /** Leaky ReLU's slope for x < 0, or ELU's α; absent: their defaults. */
  alpha?: number;
}

const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-6;

/** Only these take `alpha` (as params; anything else with `alpha` is an error). */
const ALPHA_FUNCTIONS = Object.keys(ALPHA_DEFAULTS);

export const activationLayer: LayerType<ActivationParams> = {
  type: 'Activation',
  label: 'Activation',
  group: 'activation',
  description:
    "Applies a function to every value: ReLU, ReLU6, leaky ReLU, ELU, GELU (exact or tanh), SiLU (swish), Mish, softplus, PyTorch's hardsigmoid and hardswish, sigmoid, tanh, softmax or log-softmax (last axis).",
  params: [
    { name: 'fn', label: 'Function', kind: 'enum', options: ACTIVATIONS, default: 'relu', doc: 'The function applied.' },
    {
      name: 'alpha',
      label: 'Alpha',
      kind: 'number',
      min: 0,
      max: 1000,
      doc: `leakyRelu: slope for x < 0 (default ${LEAKY_RELU_SLOPE}); elu: α, the value approached as x → −∞ is −α (default ${ELU_ALPHA}). Only for these two.`,
    },
  ],
  inputs: { min: 1, max: 1 },
  summarize: (p) => (p.alpha === undefined ? p.fn : `${p.fn} α=${pyNumber(p.alpha)}`),
  infer: ({ node, params, inputShapes, report }) => {
    if (params.alpha !== undefined && !ALPHA_FUNCTIONS.includes(params.fn)) {
      report({
        severity: 'error',
        code: 'alpha-without-slope',
        param: 'alpha',
        message: `alpha sets the slope of leakyRelu or the α of elu; ${params.fn} has none, so alpha ${pyNumber(params.alpha)} would do nothing.`,
        fixes: [{ title: 'Remove alpha', edit: { kind: 'setParams', nodeId: node.id, params: { alpha: null } } }],
      });
    }
    return { outputShape: [...inputShapes[0]], trainableParams: 0, nonTrainableParams: 0, macs: 0 };
  },
  toPyTorch: (p, _shapes, ctx) => {
    const asModule = pyActivationModule(p.fn, p.alpha);
    return { modules: [], forward: pyActivation(p.fn, ctx.inputs[0], p.alpha), ...(asModule ? { asModule } : {}) };
  },
  toOnnx: (p, _shapes, ctx) => onnxActivation(p.fn, ctx.inputs[0], ctx, p.alpha),
  fromOnnx: {
    // Gelu, SiLU and Mish are the import's fusions of the arithmetic torch.onnx.export writes for them (x · sigmoid(x) …).
    ops: ['Relu', 'Clip', 'LeakyRelu', 'Elu', 'Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax', 'Softplus', 'HardSigmoid', 'HardSwish', 'Gelu', 'SiLU', 'Mish'],
    // Element-wise (Softmax excepted, which checks its axis): a channels-last view (ConvNeXt's GELU between its Linears) stays one.
    readsChannelsLastView: true,
    read: (node, ctx) => {
      const rank = ctx.inputShapes[0]?.length ?? 0;
      // ONNX stores alpha as float32: 0.2 arrives as 0.20000000298…, written back as the 0.2 it was.
      const withAlpha = (fn: string, stored: number): { params: Record<string, unknown> } | string => {
        const alpha = Number(stored.toPrecision(7));
        return alpha < 0 ? `${node.opType} with a negative alpha ${alpha}` : { params: close(alpha, ALPHA_DEFAULTS[fn]) ? { fn } : { fn, alpha } };
      };
      switch (node.opType) {
        case 'LeakyRelu':
          return withAlpha('leakyRelu', attributeFloat(node, 'alpha', 0.01));
        case 'Elu':
          return withAlpha('elu', attributeFloat(node, 'alpha', 1));
        case 'Clip': {
          // Opset 11+: min and max are inputs; before, attributes.
          const bound = (index: number, attribute: string): number | undefined => {
            const c = ctx.constant(index);
            if (c?.floats?.length === 1) return c.floats[0];
            return node.attributes[attribute]?.kind === 'float' ? attributeFloat(node, attribute, NaN) : undefined;
          };
          const min = bound(1, 'min');
          const max = bound(2, 'max');
          return min === 0 && max === 6 ? { params: { fn: 'relu6' } } : `Clip to [${min ?? '−∞'}, ${max ?? '∞'}] (only [0, 6], ReLU6, is a layer)`;
        }
        case 'HardSigmoid': {
          const alpha = attributeFloat(node, 'alpha', 0.2);
          const beta = attributeFloat(node, 'beta', 0.5);
          return close(alpha, HARD_SIGMOID_ALPHA) && close(beta, HARD_SIGMOID_BETA)
            ? { params: { fn: 'hardsigmoid' } }
            : `HardSigmoid with alpha ${alpha}, beta ${beta} (only PyTorch's 1/6 and 0.5 is a layer)`;
        }
        case 'HardSwish':
          return { params: { fn: 'hardswish' } };
        case 'Gelu':
          return { params: { fn: attributeString(node, 'approximate', 'none') === 'tanh' ? 'geluTanh' : 'gelu' } };
        case 'SiLU':
          return { params: { fn: 'silu' } };
        case 'Mish':
          return { params: { fn: 'mish' } };
        case 'Softplus':
          return { params: { fn: 'softplus' } };
        case 'Softmax':
        case 'LogSoftmax': {
          // Over channels: ONNX axis 1, or the last axis of a (N, C) tensor.
          const axis = attributeInt(node, 'axis', -1);
          const overChannels = ctx.channelsLastView ? axis === -1 || axis === rank : axis === 1 || (rank === 1 && axis === -1);
          if (!overChannels) return `${node.opType} over axis ${axis} (not channels)`;
          return { params: { fn: node.opType === 'Softmax' ? 'softmax' : 'logSoftmax' } };
        }
        default:
          return { params: { fn: node.opType.toLowerCase() } };
      }
    },
  },
  keras: {
    classNames: ACTIVATION_CLASS_NAMES,
    toLayers: (p) => [activationLayerSpec(p.fn, '', p.alpha)],
    fromConfig: (layer) => {
      const read = activationParamsOfLayer(layer.className, layer.get);
      if (read) return read.alpha === undefined ? { fn: read.fn } : { fn: read.fn, alpha: read.alpha };
      layer.report(
        layer.className === 'Activation'
          ? `activation "${String(layer.get('activation'))}" is not one the designer has${layer.get('activation') === 'hard_sigmoid' ? " (Keras' hard_sigmoid, 0.2·x + 0.5, differs from PyTorch's hardsigmoid, which the designer has)" : ''}.`
          : `this ${layer.className} configuration is not one the designer has.`,
      );
      return undefined;
    },
  },
};
