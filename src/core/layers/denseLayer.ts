import type { LayerType } from './layerType';
import { activationParam, activationSuffix, useBiasParam, withActivation } from './commonParams';
import { pyActivation, toChannelsFirst, toChannelsLast } from './pytorchCode';
import { channelsFirstPermutation, channelsLastPermutation, onnxActivation, onnxInt, onnxInts } from './onnxCode';

export interface DenseParams {
  units: number;
  activation: string;
  useBias: boolean;
}

export const denseLayer: LayerType<DenseParams> = {
  type: 'Dense',
  label: 'Dense',
  group: 'dense',
  description: 'Fully connected: every output unit sees every input value (PyTorch: nn.Linear).',
  params: [
    { name: 'units', label: 'Units', kind: 'int', min: 1, max: 1_000_000, required: true, doc: 'Number of output units.' },
    activationParam,
    useBiasParam,
  ],
  inputs: { min: 1, max: 1 },
  summarize: (p) => `${p.units}${activationSuffix(p.activation)}`,
  infer: ({ node, params, inputShapes, report }) => {
    const input = inputShapes[0];
    const features = input[input.length - 1];
    const positions = input.slice(0, -1).reduce((a, b) => a * b, 1);
    if (input.length > 1) {
      report({
        severity: 'warning',
        code: 'dense-without-flatten',
        message: `Dense gets the ${input.length === 3 ? 'image' : 'sequence'} [${input.join(', ')}] without Flatten. Keras applies it to the last axis at every position, giving [${[...input.slice(0, -1), params.units].join(', ')}] with ${features * params.units + (params.useBias ? params.units : 0)} parameters; PyTorch's nn.Linear would act on the width axis of its channels-first tensor instead. You most likely want Flatten first (${input.reduce((a, b) => a * b, 1)} inputs).`,
        fixes: [{ title: 'Insert Flatten before this Dense', edit: { kind: 'insertLayer', source: '', target: node.id, layer: { type: 'Flatten', params: {} } } }],
      });
    }
    return {
      outputShape: [...input.slice(0, -1), params.units],
      trainableParams: features * params.units + (params.useBias ? params.units : 0),
      nonTrainableParams: 0,
      macs: positions * features * params.units,
    };
  },
  toPyTorch: (p, inputShapes, ctx) => {
    const input = inputShapes[0];
    const rank = input.length;
    const linear = `${ctx.module()}(${ctx.inputs[0]}${toChannelsLast(rank)})${toChannelsFirst(rank)}`;
    return {
      modules: [{ suffix: '', init: `nn.Linear(${input[rank - 1]}, ${p.units}${p.useBias ? '' : ', bias=False'})` }],
      forward: pyActivation(p.activation, linear),
      comment: rank > 1 ? 'Dense on a spatial tensor acts on the channels at every position, as in Keras' : undefined,
    };
  },
  toOnnx: (p, inputShapes, ctx) => {
    const input = inputShapes[0];
    const rank = input.length;
    const fanIn = input[rank - 1];
    const weight = ctx.parameter('weight', [p.units, fanIn], { uniformFanIn: fanIn });
    const bias = p.useBias ? [ctx.parameter('bias', [p.units], { uniformFanIn: fanIn })] : [];
    if (rank === 1) return onnxActivation(p.activation, ctx.op('Gemm', [ctx.inputs[0], weight, ...bias], { transB: onnxInt(1) }), ctx);
    // On a spatial tensor Dense acts on the channels at every position, as in Keras.
    const channelsLast = ctx.op('Transpose', [ctx.inputs[0]], { perm: onnxInts(channelsLastPermutation(rank)) });
    let y = ctx.op('MatMul', [channelsLast, ctx.op('Transpose', [weight], { perm: onnxInts([1, 0]) })]);
    if (p.useBias) y = ctx.op('Add', [y, bias[0]]);
    return onnxActivation(p.activation, ctx.op('Transpose', [y], { perm: onnxInts(channelsFirstPermutation(rank)) }), ctx);
  },
  toKeras: (p) => withActivation({ className: 'Dense', config: { units: p.units, useBias: p.useBias } }, p.activation),
};
