import { ACTIVATIONS, type LayerType } from './layerType';
import { activationLayerSpec } from './commonParams';
import { pyActivation } from './pytorchCode';
import { onnxActivation } from './onnxCode';

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
  toKeras: (p) => [activationLayerSpec(p.fn, '')],
};
