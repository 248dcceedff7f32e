import type { LayerType } from './layerType';
import { kerasPadding, kerasWindow } from './kerasConfig';
import { paddingClassNames, paddingLayers } from './kerasPadding';
import { windowText } from './commonParams';
import type { ResolvedPadding } from './resolveParams';
import { resolvePads, slidingWindow } from './slidingWindow';
import { pyPadTuple, pyWindow } from './pytorchCode';
import { attributeInt, attributeInts, importedPadding, onnxInt, onnxInts, onnxPads, windowParam } from './onnxCode';

export interface PoolingParams {
  poolSize: number[];
  /** Absent means "same as poolSize", as in Keras and PyTorch. */
  strides?: number[];
  padding: ResolvedPadding;
}

/** Max and average pooling, 1-D and 2-D: no weights, a window and a stride. */
function pooling(kind: 'max' | 'avg', dims: 1 | 2): LayerType<PoolingParams> {
  const type = `${kind === 'max' ? 'Max' : 'Avg'}Pool${dims}D`;
  const label = `${kind === 'max' ? 'Max' : 'Average'} pool ${dims}D`;
  const kerasName = `${kind === 'max' ? 'Max' : 'Average'}Pooling${dims}D`;
  return {
    type,
    label,
    group: 'pooling',
    description:
      kind === 'max'
        ? 'Keeps the largest value of each window: downsamples and adds a little translation invariance.'
        : 'Averages each window: downsamples smoothly.',
    params: [
      { name: 'poolSize', label: 'Pool size', kind: 'window', dims, min: 1, required: true, doc: dims === 2 ? 'Window size: 2, or [height, width].' : 'Window length.', unit: 'px' },
      { name: 'strides', label: 'Strides', kind: 'window', dims, min: 1, doc: 'Step between windows; the pool size when absent.', unit: 'px' },
      {
        name: 'padding',
        label: 'Padding',
        kind: 'padding',
        dims,
        default: 'valid',
        doc:
          kind === 'max'
            ? '"valid", "same", or padding on each side that never wins the max (PyTorch semantics).'
            : '"valid", "same", or zeros on each side, counted in the average (PyTorch semantics).',
      },
    ],
    inputs: { min: 1, max: 1 },
    summarize: (p) => {
      const strides = p.strides ?? p.poolSize;
      return `${windowText(p.poolSize)}${strides.every((s, i) => s === p.poolSize[i]) ? '' : `, s${windowText(strides)}`}${
        p.padding === 'valid' ? '' : Array.isArray(p.padding) ? `, p${windowText(p.padding)}` : `, ${p.padding}`
      }`;
    },
    infer: ({ node, params, inputShapes, inputFields, report }) => {
      const input = inputShapes[0];
      if (input.length !== dims + 1) {
        report({
          severity: 'error',
          code: 'wrong-input-rank',
          message: `${label} needs ${dims === 2 ? 'an image [height, width, channels]' : 'a sequence [length, channels]'}, but gets [${input.join(', ')}].`,
        });
        return undefined;
      }
      const strides = params.strides ?? params.poolSize;
      if (Array.isArray(params.padding) && params.padding.some((p, i) => p > params.poolSize[i] / 2)) {
        const half = params.poolSize.map((k) => Math.floor(k / 2));
        report({
          severity: 'error',
          code: 'pool-padding-too-large',
          param: 'padding',
          message: `Padding ${params.padding.join('/')} is more than half the ${windowText(params.poolSize)} window: some windows would see only padding. PyTorch refuses this.`,
          fixes: [{ title: `Use padding ${windowText(half)}`, edit: { kind: 'setParams', nodeId: node.id, params: { padding: half.every((h) => h === half[0]) ? half[0] : half } } }],
        });
      }
      const window = slidingWindow({
        nodeId: node.id,
        layerLabel: label,
        input: input.slice(0, dims),
        kernel: params.poolSize,
        strides,
        dilation: params.poolSize.map(() => 1),
        padding: params.padding,
        kernelParam: 'poolSize',
        stridesParam: 'strides',
        report,
      });
      if (!window.output) return undefined;
      const field = inputFields[0];
      return {
        outputShape: [...window.output, input[dims]],
        trainableParams: 0,
        nonTrainableParams: 0,
        macs: 0,
        receptiveField: field?.receptiveField && field.effectiveStride ? field.receptiveField.map((r, i) => r + (params.poolSize[i] - 1) * field.effectiveStride![i]) : undefined,
        effectiveStride: field?.effectiveStride ? field.effectiveStride.map((j, i) => j * strides[i]) : undefined,
        formulas: window.formulas,
      };
    },
    toPyTorch: (p, inputShapes, ctx) => {
      const strides = p.strides ?? p.poolSize;
      const pads = resolvePads(inputShapes[0].slice(0, dims), p.poolSize, strides, p.padding);
      const symmetric = pads.every(([before, after]) => before === after);
      const padded = pads.some(([before, after]) => before + after > 0);
      const args = [`kernel_size=${pyWindow(p.poolSize)}`];
      if (strides.some((s, i) => s !== p.poolSize[i])) args.push(`stride=${pyWindow(strides)}`);
      if (padded && symmetric) args.push(`padding=${pyWindow(pads.map(([before]) => before))}`);
      // Keras' "same" average leaves padding out of the count; PyTorch's explicit padding counts it.
      if (kind === 'avg' && padded && symmetric && p.padding === 'same') args.push('count_include_pad=False');
      const module = `nn.${kind === 'max' ? 'Max' : 'Avg'}Pool${dims}d(${args.join(', ')})`;
      const x = ctx.inputs[0];
      const pool = ctx.module();
      if (!padded || symmetric) return { modules: [{ suffix: '', init: module }], forward: `${pool}(${x})` };
      if (kind === 'max') {
        return {
          modules: [{ suffix: '', init: module }],
          forward: `${pool}(F.pad(${x}, ${pyPadTuple(pads)}, value=float("-inf")))`,
          comment: '"same" padding with an uneven total: -inf never wins the max, the extra row goes after as in Keras',
        };
      }
      return {
        modules: [{ suffix: '', init: module }],
        forward: `${pool}(F.pad(${x}, ${pyPadTuple(pads)})) / ${pool}(F.pad(torch.ones_like(${x}[:, :1]), ${pyPadTuple(pads)}))`,
        comment: '"same" padding with an uneven total: average over real values only, as Keras does',
      };
    },
    toOnnx: (p, inputShapes, ctx) => {
      const strides = p.strides ?? p.poolSize;
      const pads = resolvePads(inputShapes[0].slice(0, dims), p.poolSize, strides, p.padding);
      const attributes = { kernel_shape: onnxInts(p.poolSize), strides: onnxInts(strides), pads: onnxPads(pads) };
      // ONNX's MaxPool never lets padding win; its AveragePool counts padding only when told to:
      // explicit padding counts the zeros (PyTorch), "same" averages real values only (Keras).
      if (kind === 'max') return ctx.op('MaxPool', [ctx.inputs[0]], attributes);
      return ctx.op('AveragePool', [ctx.inputs[0]], { ...attributes, count_include_pad: onnxInt(p.padding === 'same' ? 0 : 1) });
    },
    fromOnnx: {
      ops: [kind === 'max' ? 'MaxPool' : 'AveragePool'],
      read: (node, ctx) => {
        const input = ctx.inputShapes[0];
        if (input?.length !== dims + 1) return undefined;
        if (attributeInt(node, 'ceil_mode', 0) !== 0) return 'ceil_mode has no layer parameter yet';
        if (node.outputs.length > 1 && node.outputs[1]) return 'the indices output of MaxPool has no layer type';
        const poolSize = attributeInts(node, 'kernel_shape', []);
        if (poolSize.length !== dims) return 'its kernel_shape does not match the input';
        const strides = attributeInts(node, 'strides', poolSize.map(() => 1));
        const dilations = attributeInts(node, 'dilations', poolSize.map(() => 1));
        if (dilations.some((d) => d !== 1)) return 'dilated pooling has no layer parameter';
        const padding = importedPadding(node, input.slice(0, dims), poolSize, strides);
        if (typeof padding === 'string' && padding !== 'valid' && padding !== 'same') return padding;
        // The designer's average pooling counts explicit zeros (PyTorch) and leaves "same" padding out (Keras).
        if (kind === 'avg' && padding !== 'valid') {
          const counts = attributeInt(node, 'count_include_pad', 0) === 1;
          if (counts !== Array.isArray(padding)) return `count_include_pad=${counts ? 1 : 0} with this padding has no layer parameter yet`;
        }
        return { params: { poolSize: windowParam(poolSize), strides: windowParam(strides), padding: Array.isArray(padding) ? windowParam(padding) : padding } };
      },
    },
    keras: {
      classNames: [kerasName],
      paddingClassNames: paddingClassNames(kind === 'max' ? 'max' : 'zero', dims),
      toLayers: (p) => {
        const strides = p.strides ?? p.poolSize;
        const axes = dims === 2 ? (v: number[]) => v : (v: number[]) => v[0];
        const poolSize = axes(p.poolSize);
        return [
          ...(Array.isArray(p.padding) ? paddingLayers(kind === 'max' ? 'max' : 'zero', p.padding) : []),
          {
            className: kerasName,
            config: { poolSize, strides: axes(strides), padding: p.padding === 'same' ? 'same' : 'valid' },
            // Keras' strides default to the pool size.
            defaults: { strides: poolSize, padding: 'valid' },
            suffix: '',
          },
        ];
      },
      fromConfig: (layer) => {
        const padding = kerasPadding(layer);
        if (!padding) return undefined;
        const poolSize = kerasWindow(layer.get('pool_size')) ?? 2;
        const strides = kerasWindow(layer.get('strides'));
        const params: Record<string, unknown> = { poolSize };
        if (strides !== undefined && JSON.stringify(strides) !== JSON.stringify(poolSize)) params.strides = strides;
        return Object.assign(params, padding);
      },
    },
  };
}

export const maxPool2dLayer = pooling('max', 2);
export const avgPool2dLayer = pooling('avg', 2);
export const maxPool1dLayer = pooling('max', 1);
export const avgPool1dLayer = pooling('avg', 1);
