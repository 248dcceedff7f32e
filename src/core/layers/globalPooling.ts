import type { LayerType } from './layerType';
import { onnxInt } from './onnxCode';

/** Global average / max pooling over height and width: one value per channel. */
function globalPooling(kind: 'avg' | 'max'): LayerType<Record<string, never>> {
  const label = kind === 'avg' ? 'Global average pool' : 'Global max pool';
  const kerasName = kind === 'avg' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
  return {
    type: kind === 'avg' ? 'GlobalAvgPool2D' : 'GlobalMaxPool2D',
    label,
    group: 'pooling',
    description:
      kind === 'avg'
        ? 'Averages each channel over the whole image: [H, W, C] → [C]. Replaces Flatten + big Dense layers in modern nets.'
        : 'Takes the maximum of each channel over the whole image: [H, W, C] → [C].',
    params: [],
    inputs: { min: 1, max: 1 },
    summarize: () => 'H×W → 1',
    infer: ({ inputShapes, report }) => {
      const input = inputShapes[0];
      if (input.length !== 3) {
        report({ severity: 'error', code: 'wrong-input-rank', message: `${label} needs an image [height, width, channels], but gets [${input.join(', ')}].` });
        return undefined;
      }
      return { outputShape: [input[2]], trainableParams: 0, nonTrainableParams: 0, macs: 0 };
    },
    toPyTorch: (_p, _shapes, ctx) => ({ modules: [], forward: `${ctx.inputs[0]}.${kind === 'avg' ? 'mean' : 'amax'}(dim=(2, 3))` }),
    toOnnx: (_p, _shapes, ctx) => ctx.op('Flatten', [ctx.op(kind === 'avg' ? 'GlobalAveragePool' : 'GlobalMaxPool', [ctx.inputs[0]])], { axis: onnxInt(1) }),
    fromOnnx: {
      ops: [kind === 'avg' ? 'GlobalAveragePool' : 'GlobalMaxPool'],
      read: (_node, ctx) => (ctx.inputShapes[0]?.length === 3 ? { params: {} } : undefined),
    },
    keras: {
      classNames: [kerasName],
      toLayers: () => [{ className: kerasName, config: {}, suffix: '' }],
      fromConfig: (layer) => {
        if (layer.get('keepdims') !== true) return {};
        layer.report('keepdims is not supported.');
        return undefined;
      },
    },
  };
}

export const globalAvgPool2dLayer = globalPooling('avg');
export const globalMaxPool2dLayer = globalPooling('max');
