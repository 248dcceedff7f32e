import type { LayerType } from './layerType';
import { toChannelsLast } from './pytorchCode';
import { channelsLastPermutation, onnxInt, onnxInts } from './onnxCode';

export const flattenLayer: LayerType<Record<string, never>> = {
  type: 'Flatten',
  label: 'Flatten',
  group: 'reshape',
  description: 'Unrolls an image or sequence into one vector (channels-last order, as Keras; the PyTorch export reorders to match).',
  params: [],
  inputs: { min: 1, max: 1 },
  summarize: () => '→ vector',
  infer: ({ inputShapes, report }) => {
    const input = inputShapes[0];
    if (input.length === 1) {
      report({ severity: 'info', code: 'flatten-of-vector', message: 'The input is already a vector; Flatten changes nothing here.' });
    }
    return { outputShape: [input.reduce((a, b) => a * b, 1)], trainableParams: 0, nonTrainableParams: 0, macs: 0 };
  },
  toPyTorch: (_p, inputShapes, ctx) =>
    inputShapes[0].length === 1
      ? { modules: [], forward: ctx.inputs[0] }
      : {
          modules: [],
          forward: `${ctx.inputs[0]}${toChannelsLast(inputShapes[0].length)}.flatten(1)`,
          comment: 'channels-last before flattening, so the order (and the next layer\'s weights) match Keras',
        },
  toOnnx: (_p, inputShapes, ctx) => {
    const rank = inputShapes[0].length;
    if (rank === 1) return ctx.inputs[0];
    // Channels-last before flattening, so the order (and the next layer's weights) match Keras.
    const channelsLast = ctx.op('Transpose', [ctx.inputs[0]], { perm: onnxInts(channelsLastPermutation(rank)) });
    return ctx.op('Flatten', [channelsLast], { axis: onnxInt(1) });
  },
  fromOnnx: { ops: ['Flatten'], read: (node, ctx) => (ctx.inputShapes[0]?.length > 1 && (node.attributes.axis?.kind !== 'int' || node.attributes.axis.value === 1) ? { params: {} } : undefined) },
  keras: {
    classNames: ['Flatten'],
    toLayers: () => [{ className: 'Flatten', config: {}, suffix: '' }],
    fromConfig: () => ({}),
  },
};
