import type { LayerType } from './layerType';
import { activationParam, activationSuffix, useBiasParam } from './commonParams';
import { fusedActivation, withActivation } from './kerasActivations';
import { pyActivation, toChannelsFirst, toChannelsLast } from './pytorchCode';
import { attributeFloat, attributeInt, channelsFirstPermutation, channelsLastPermutation, onnxActivation, onnxInt, onnxInts } from './onnxCode';
import { transposeTensor } from '../tensors/transposeTensor';

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
  fromOnnx: {
    // MatMul: nn.Linear on a channels-last view (ConvNeXt's pointwise layers), with its bias as input 2 when the import fused the Add.
    ops: ['Gemm', 'MatMul'],
    readsChannelsLastView: true,
    read: (node, ctx) => {
      if (node.opType === 'MatMul') {
        const input = ctx.inputShapes[0];
        if (!input || ctx.inputShapes.length !== 1 || (input.length > 1 && !ctx.channelsLastView)) return 'MatMul over the spatial axes of a channels-first tensor (only a Linear over the channels is a layer)';
        const w = ctx.constant(1);
        if (!w?.floats || w.dims.length !== 2 || w.dims[0] !== input[input.length - 1]) return 'MatMul by something other than a constant matrix of one row per input feature';
        const units = w.dims[1];
        const bias = ctx.constant(2);
        if (bias && (!bias.floats || bias.floats.length !== units)) return 'its bias is not a constant vector of one value per unit';
        const weights: Record<string, { shape: number[]; data: Float32Array }> = { kernel: { shape: w.dims, data: w.floats } };
        if (bias?.floats) weights.bias = { shape: [units], data: bias.floats };
        return { params: { units, useBias: Boolean(bias) }, weights };
      }
      if (ctx.inputShapes[0]?.length !== 1) return undefined;
      if (attributeInt(node, 'transA', 0) !== 0 || attributeFloat(node, 'alpha', 1) !== 1 || attributeFloat(node, 'beta', 1) !== 1) return 'only Gemm with transA=0, alpha=1, beta=1 is a Dense layer';
      const b = ctx.constant(1);
      if (!b?.floats || b.dims.length !== 2) return 'its weights are not a constant matrix';
      // Keras' kernel is [in, out]; Gemm's B is [out, in] when transB=1.
      let kernel = attributeInt(node, 'transB', 0) === 1 ? transposeTensor(b.floats, b.dims, [1, 0]) : { data: b.floats, shape: b.dims };
      const [inputs, units] = kernel.shape;
      if (ctx.flattenedFrom) {
        // ONNX flattened channels-first (C, H, W); the designer flattens channels-last (H, W, C): reorder the rows.
        const spatial = ctx.flattenedFrom.slice(0, -1);
        const channels = ctx.flattenedFrom[ctx.flattenedFrom.length - 1];
        const rows = transposeTensor(kernel.data, [channels, ...spatial, units], [...spatial.map((_, i) => i + 1), 0, spatial.length + 1]);
        kernel = { data: rows.data, shape: [inputs, units] };
      }
      const bias = ctx.constant(2);
      if (bias && (!bias.floats || bias.floats.length !== units)) return 'its bias is not a constant vector of one value per unit';
      const weights: Record<string, { shape: number[]; data: Float32Array }> = { kernel };
      if (bias?.floats) weights.bias = { shape: [units], data: bias.floats };
      return { params: { units, useBias: Boolean(bias) }, weights };
    },
  },
  keras: {
    classNames: ['Dense'],
    toLayers: (p, inputShapes) => {
      const features = inputShapes[0][inputShapes[0].length - 1];
      const weights = {
        // Keras [in, out] → PyTorch [out, in].
        kernel: { param: 'weight', axes: [1, 0], shape: [features, p.units] },
        ...(p.useBias ? { bias: { param: 'bias', shape: [p.units] } } : {}),
      };
      return withActivation({ className: 'Dense', config: { units: p.units, useBias: p.useBias }, defaults: { activation: 'linear', useBias: true }, weights }, p.activation);
    },
    fromConfig: (layer) => {
      const activation = fusedActivation(layer);
      if (!activation) return undefined;
      const params: Record<string, unknown> = { units: layer.get('units') };
      if (activation !== 'linear') params.activation = activation;
      if (layer.get('use_bias') === false) params.useBias = false;
      return params;
    },
  },
};
