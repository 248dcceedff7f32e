import type { LayerType } from './layerType';
import { pyNumber } from './pytorchCode';

export interface DropoutParams {
  rate: number;
}

export const dropoutLayer: LayerType<DropoutParams> = {
  type: 'Dropout',
  label: 'Dropout',
  group: 'regularization',
  description: 'During training, zeroes a random fraction of its inputs (and rescales the rest); does nothing at test time.',
  params: [{ name: 'rate', label: 'Rate', kind: 'number', min: 0, max: 1, exclusiveMax: true, default: 0.5, doc: 'Fraction of inputs dropped during training.' }],
  inputs: { min: 1, max: 1 },
  summarize: (p) => `p=${p.rate}`,
  infer: ({ inputShapes }) => ({ outputShape: [...inputShapes[0]], trainableParams: 0, nonTrainableParams: 0, macs: 0 }),
  toPyTorch: (p, _shapes, ctx) => ({ modules: [{ suffix: '', init: `nn.Dropout(p=${pyNumber(p.rate)})` }], forward: `${ctx.module()}(${ctx.inputs[0]})` }),
  // An exported graph is for inference, where dropout passes its input through.
  toOnnx: (_p, _shapes, ctx) => ctx.inputs[0],
  fromOnnx: { ops: ['Dropout'], read: (node, ctx) => { const ratio = ctx.constant(1)?.floats?.[0] ?? (node.attributes.ratio?.kind === 'float' ? node.attributes.ratio.value : 0.5); return { params: { rate: ratio } }; } },
  keras: {
    classNames: ['Dropout'],
    toLayers: (p) => [{ className: 'Dropout', config: { rate: p.rate }, suffix: '' }],
    fromConfig: (layer) => ({ rate: layer.get('rate') }),
  },
};
