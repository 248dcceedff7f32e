import type { LayerType } from './layerType';
import type { OnnxImportContext } from './layerType';
import type { OnnxNode } from '../onnx/onnxModel';
import { attributeInt, onnxInt } from './onnxCode';

/**
 * Whether a ReduceMean / ReduceMax takes every spatial axis of a channels-first (N, C, …) tensor of
 * the given spatial rank (PyTorch's x.mean((2, 3)), as MNASNet and ShuffleNet end), and keeps them.
 */
function reducesSpatialAxes(node: OnnxNode, ctx: OnnxImportContext, spatialRank: number): { keepDims: boolean } | undefined {
  // Axes: an attribute before opset 18, an input since.
  const axes = node.attributes.axes?.kind === 'ints' ? node.attributes.axes.value : ctx.constant(1)?.ints;
  const rank = spatialRank + 2;
  const normalized = axes ? [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort() : undefined;
  const spatial = Array.from({ length: spatialRank }, (_, i) => i + 2);
  if (!normalized || normalized.join() !== spatial.join() || ctx.channelsLastView) return undefined;
  return { keepDims: attributeInt(node, 'keepdims', 1) === 1 };
}

export interface GlobalPoolingParams {
  keepDims: boolean;
}

/** Keras' GlobalAveragePooling2D takes `keepdims`, TF.js 4.22's does not: the kept axes come from a Reshape after it. */
const POOL_SUFFIX = '_pool';

/** Global average / max pooling over height and width: one value per channel, as [C] or (keepDims) [1, 1, C]. */
function globalPooling(kind: 'avg' | 'max'): LayerType<GlobalPoolingParams> {
  const label = kind === 'avg' ? 'Global average pool' : 'Global max pool';
  const kerasName = kind === 'avg' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
  return {
    type: kind === 'avg' ? 'GlobalAvgPool2D' : 'GlobalMaxPool2D',
    label,
    group: 'pooling',
    description:
      kind === 'avg'
        ? 'Averages each channel over the whole image: [H, W, C] → [C] (or [1, 1, C] with keepDims, as squeeze-and-excitation blocks use it). Replaces Flatten + big Dense layers in modern nets.'
        : 'Takes the maximum of each channel over the whole image: [H, W, C] → [C] (or [1, 1, C] with keepDims).',
    params: [
      {
        name: 'keepDims',
        label: 'Keep dims',
        kind: 'bool',
        default: false,
        doc: 'Keep height and width as 1: output [1, 1, C] instead of [C], so 1×1 convolutions can follow and Multiply can scale the input with it (squeeze-and-excitation).',
      },
    ],
    inputs: { min: 1, max: 1 },
    summarize: (p) => (p.keepDims ? 'H×W → 1×1' : 'H×W → 1'),
    infer: ({ params, inputShapes, inputFields, report }) => {
      const input = inputShapes[0];
      if (input.length !== 3) {
        report({ severity: 'error', code: 'wrong-input-rank', message: `${label} needs an image [height, width, channels], but gets [${input.join(', ')}].` });
        return undefined;
      }
      if (!params.keepDims) return { outputShape: [input[2]], trainableParams: 0, nonTrainableParams: 0, macs: 0 };
      // One window covering the whole image: it sees everything its input's positions see together.
      const field = inputFields[0];
      return {
        outputShape: [1, 1, input[2]],
        trainableParams: 0,
        nonTrainableParams: 0,
        macs: 0,
        receptiveField: field?.receptiveField && field.effectiveStride ? field.receptiveField.map((r, i) => r + (input[i] - 1) * field.effectiveStride![i]) : undefined,
        effectiveStride: field?.effectiveStride ? field.effectiveStride.map((j, i) => j * input[i]) : undefined,
      };
    },
    toPyTorch: (p, _shapes, ctx) => ({ modules: [], forward: `${ctx.inputs[0]}.${kind === 'avg' ? 'mean' : 'amax'}(dim=(2, 3)${p.keepDims ? ', keepdim=True' : ''})` }),
    toOnnx: (p, _shapes, ctx) => {
      // ONNX's global pooling keeps (N, C, 1, 1): exactly keepDims; a Flatten makes it (N, C).
      const pooled = ctx.op(kind === 'avg' ? 'GlobalAveragePool' : 'GlobalMaxPool', [ctx.inputs[0]]);
      return p.keepDims ? pooled : ctx.op('Flatten', [pooled], { axis: onnxInt(1) });
    },
    fromOnnx: {
      ops: [kind === 'avg' ? 'GlobalAveragePool' : 'GlobalMaxPool', kind === 'avg' ? 'ReduceMean' : 'ReduceMax'],
      // (N, C, 1, 1) read by a Flatten (or a flattening Reshape) only is the designer's [C]; anything else keeps the axes.
      read: (node, ctx) => {
        if (ctx.inputShapes[0]?.length !== 3) return undefined;
        if (node.opType.startsWith('Global')) return { params: ctx.onlyFlattened ? {} : { keepDims: true } };
        const reduce = reducesSpatialAxes(node, ctx, 2);
        return reduce ? { params: reduce.keepDims && !ctx.onlyFlattened ? { keepDims: true } : {} } : undefined;
      },
    },
    keras: {
      classNames: [kerasName],
      toLayers: (p, inputShapes) =>
        p.keepDims
          ? [
              { className: kerasName, config: {}, suffix: POOL_SUFFIX },
              { className: 'Reshape', config: { targetShape: [1, 1, inputShapes[0][2]] }, suffix: '' },
            ]
          : [{ className: kerasName, config: {}, suffix: '' }],
      fromConfig: (layer) => (layer.get('keepdims') === true || layer.keptDims ? { keepDims: true } : {}),
    },
  };
}

export const globalAvgPool2dLayer = globalPooling('avg');
export const globalMaxPool2dLayer = globalPooling('max');

/** Global average / max pooling over a sequence's length: [L, C] → [C] (M5-style audio nets end with it). */
function globalPooling1d(kind: 'avg' | 'max'): LayerType<Record<string, never>> {
  const label = kind === 'avg' ? 'Global average pool 1D' : 'Global max pool 1D';
  const kerasName = kind === 'avg' ? 'GlobalAveragePooling1D' : 'GlobalMaxPooling1D';
  return {
    type: kind === 'avg' ? 'GlobalAvgPool1D' : 'GlobalMaxPool1D',
    label,
    group: 'pooling',
    description:
      kind === 'avg' ? 'Averages each channel over the whole sequence: [L, C] → [C].' : 'Takes the maximum of each channel over the whole sequence: [L, C] → [C].',
    params: [],
    inputs: { min: 1, max: 1 },
    summarize: () => 'L → 1',
    infer: ({ inputShapes, report }) => {
      const input = inputShapes[0];
      if (input.length !== 2) {
        report({ severity: 'error', code: 'wrong-input-rank', message: `${label} needs a sequence [length, channels], but gets [${input.join(', ')}].` });
        return undefined;
      }
      return { outputShape: [input[1]], trainableParams: 0, nonTrainableParams: 0, macs: 0 };
    },
    toPyTorch: (_p, _shapes, ctx) => ({ modules: [], forward: `${ctx.inputs[0]}.${kind === 'avg' ? 'mean' : 'amax'}(dim=2)` }),
    // ONNX's global pooling keeps (N, C, 1); a Flatten makes it (N, C).
    toOnnx: (_p, _shapes, ctx) => ctx.op('Flatten', [ctx.op(kind === 'avg' ? 'GlobalAveragePool' : 'GlobalMaxPool', [ctx.inputs[0]])], { axis: onnxInt(1) }),
    fromOnnx: {
      ops: [kind === 'avg' ? 'GlobalAveragePool' : 'GlobalMaxPool', kind === 'avg' ? 'ReduceMean' : 'ReduceMax'],
      read: (node, ctx) => {
        if (ctx.inputShapes[0]?.length !== 2) return undefined;
        const keepDims = node.opType.startsWith('Global') ? true : reducesSpatialAxes(node, ctx, 1)?.keepDims;
        if (keepDims === undefined) return undefined;
        return !keepDims || ctx.onlyFlattened ? { params: {} } : 'keeping the length axis of size 1 has no layer parameter (flatten after it)';
      },
    },
    keras: {
      classNames: [kerasName],
      toLayers: () => [{ className: kerasName, config: {}, suffix: '' }],
      fromConfig: (layer) => {
        if (layer.get('keepdims') === true) {
          layer.report('keepdims has no layer parameter for 1-D global pooling.');
          return undefined;
        }
        return {};
      },
    },
  };
}

export const globalAvgPool1dLayer = globalPooling1d('avg');
export const globalMaxPool1dLayer = globalPooling1d('max');
