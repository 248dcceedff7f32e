import type { LayerType } from './layerType';
import { kerasPadding, kerasWindow } from './kerasConfig';
import { paddingClassNames, paddingLayers } from './kerasPadding';
import { windowText } from './commonParams';
import type { ResolvedPadding } from './resolveParams';
import { resolvePads, slidingWindow } from './slidingWindow';
import { pyPadTuple, pyWindow } from './pytorchCode';
import { attributeInt, attributeInts, importedPadding, onnxInt, onnxInts, onnxPads, windowParam } from './onnxCode';
import { pooledSize, poolingCustomLayer } from './kerasPooling';
import type { AxisFormula, KerasImportContext, OnnxContext } from './layerType';

export interface PoolingParams {
  poolSize: number[];
  /** Absent means "same as poolSize", as in Keras and PyTorch. */
  strides?: number[];
  padding: ResolvedPadding;
  /** PyTorch's ceil_mode: a last, partial window (explicit padding only). */
  ceilMode: boolean;
  /** Average pooling: explicit padding counts in the average (PyTorch's default). Absent for max pooling. */
  countIncludePad?: boolean;
}

/** The explicit padding per axis (0 for "valid"); undefined for "same". */
const explicitPads = (p: PoolingParams, dims: number): number[] | undefined => (p.padding === 'same' ? undefined : p.padding === 'valid' ? new Array<number>(dims).fill(0) : p.padding);

/** Keras' own pooling cannot: ceil mode, or average pooling leaving explicit padding out of the count. */
const needsOwnClass = (p: PoolingParams): boolean => p.ceilMode || p.countIncludePad === false;

/** The design parameters of the project's own pooling class. */
function fromOwnClass(layer: KerasImportContext, kind: 'max' | 'avg'): Record<string, unknown> | undefined {
  const poolSize = kerasWindow(layer.get('pool_size'));
  const strides = kerasWindow(layer.get('strides'));
  const padding = kerasWindow(layer.get('padding'));
  if (poolSize === undefined || strides === undefined || padding === undefined) {
    layer.report('its pool_size, strides and padding must be window sizes.');
    return undefined;
  }
  const params: Record<string, unknown> = { poolSize };
  if (JSON.stringify(strides) !== JSON.stringify(poolSize)) params.strides = strides;
  if (padding !== 0) params.padding = padding;
  if (layer.get('ceil_mode') === true) params.ceilMode = true;
  if (kind === 'avg' && layer.get('count_include_pad') === false) params.countIncludePad = false;
  return params;
}

/** Rows past the padded input that ceil mode's last, partial window covers. */
function ceilExtra(size: number, kernel: number, stride: number, padding: number): number {
  return Math.max(0, (pooledSize(size, kernel, stride, padding, true) - 1) * stride + kernel - size - 2 * padding);
}

/**
 * Ceil mode in ONNX without `ceil_mode`, whose size rule checkers and runtimes disagree on: the
 * partial window's rows become padding after, which MaxPool never picks and AveragePool, with
 * count_include_pad=0, never counts. Counted explicit padding is then a Pad of zeros before it.
 */
function ceilModeOnnx(p: PoolingParams, kind: 'max' | 'avg', spatial: number[], strides: number[], ctx: OnnxContext): string {
  const pads = explicitPads(p, spatial.length)!;
  const extra = spatial.map((size, i) => ceilExtra(size, p.poolSize[i], strides[i], pads[i]));
  const attributes = { kernel_shape: onnxInts(p.poolSize), strides: onnxInts(strides) };
  if (kind === 'max') return ctx.op('MaxPool', [ctx.inputs[0]], { ...attributes, pads: onnxPads(pads.map((b, i) => [b, b + extra[i]])) });
  const counted = p.countIncludePad !== false && pads.some((b) => b > 0);
  const x = counted ? ctx.op('Pad', [ctx.inputs[0], ctx.ints([0, 0, ...pads, 0, 0, ...pads])]) : ctx.inputs[0];
  const begin = counted ? pads.map(() => 0) : pads;
  return ctx.op('AveragePool', [x], { ...attributes, pads: onnxPads(begin.map((b, i) => [b, b + extra[i]])), count_include_pad: onnxInt(0) });
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
            : '"valid", "same", or zeros on each side, counted in the average unless countIncludePad is false (PyTorch semantics).',
      },
      {
        name: 'ceilMode',
        label: 'Ceil mode',
        kind: 'bool',
        default: false,
        doc: 'PyTorch\'s ceil_mode: round the output size up, adding a last, partial window where it starts inside the input or its padding (explicit padding only).',
      },
      ...(kind === 'avg'
        ? [
            {
              name: 'countIncludePad',
              label: 'Count padding',
              kind: 'bool' as const,
              default: true,
              doc: 'Explicit padding zeros count in the average (PyTorch\'s default); false averages real values only, as "same" always does.',
            },
          ]
        : []),
    ],
    inputs: { min: 1, max: 1 },
    summarize: (p) => {
      const strides = p.strides ?? p.poolSize;
      return `${windowText(p.poolSize)}${strides.every((s, i) => s === p.poolSize[i]) ? '' : `, s${windowText(strides)}`}${
        p.padding === 'valid' ? '' : Array.isArray(p.padding) ? `, p${windowText(p.padding)}` : `, ${p.padding}`
      }${p.ceilMode ? ', ceil' : ''}${p.countIncludePad === false ? ', real only' : ''}`;
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
      if (params.padding === 'same' && (params.ceilMode || params.countIncludePad === false)) {
        const param = params.ceilMode ? 'ceilMode' : 'countIncludePad';
        report({
          severity: 'error',
          code: 'pool-mode-with-same',
          param,
          message: `${param} goes with explicit padding: "same" already ${params.ceilMode ? 'rounds the output up' : 'averages real values only'} (Keras' rule).`,
          fixes: [
            { title: `Remove ${param}`, edit: { kind: 'setParams', nodeId: node.id, params: { [param]: null } } },
            { title: 'Use padding 0', edit: { kind: 'setParams', nodeId: node.id, params: { padding: 0 } } },
          ],
        });
        return undefined;
      }
      if (params.ceilMode) {
        const pads = explicitPads(params, dims)!;
        const axes: AxisFormula['axis'][] = dims === 2 ? ['height', 'width'] : ['length'];
        const formulas: AxisFormula[] = input.slice(0, dims).map((size, i) => {
          const [k, s, p] = [params.poolSize[i], strides[i], pads[i]];
          const out = pooledSize(size, k, s, p, true);
          const text = `⌈(${size} + 2·${p} − ${k}) / ${s}⌉ + 1${out !== Math.ceil((size + 2 * p - k) / s) + 1 ? ' − 1 (the last window would start in the right padding)' : ''} = ${out} (ceil mode)`;
          return { axis: axes[i], input: size, kernel: k, stride: s, dilation: 1, padBefore: p, padAfter: p, exact: (size + 2 * p - k) / s + 1, output: out, text };
        });
        if (formulas.some((f) => f.input + 2 * f.padBefore < f.kernel)) {
          report({
            severity: 'error',
            code: 'window-larger-than-input',
            param: 'poolSize',
            message: `The ${windowText(params.poolSize)} window of this ${label} is larger than its padded input, so there is no output: ${formulas.map((f) => f.text).join('; ')}.`,
            fixes: [{ title: 'Use padding "same"', edit: { kind: 'setParams', nodeId: node.id, params: { padding: 'same', ceilMode: null } } }],
          });
          return undefined;
        }
        const field = inputFields[0];
        return {
          outputShape: [...formulas.map((f) => f.output), input[dims]],
          trainableParams: 0,
          nonTrainableParams: 0,
          macs: 0,
          receptiveField: field?.receptiveField && field.effectiveStride ? field.receptiveField.map((r, i) => r + (params.poolSize[i] - 1) * field.effectiveStride![i]) : undefined,
          effectiveStride: field?.effectiveStride ? field.effectiveStride.map((j, i) => j * strides[i]) : undefined,
          formulas,
        };
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
      if (kind === 'avg' && padded && symmetric && (p.padding === 'same' || p.countIncludePad === false)) args.push('count_include_pad=False');
      if (p.ceilMode) args.push('ceil_mode=True');
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
      const spatial = inputShapes[0].slice(0, dims);
      if (p.ceilMode) return ceilModeOnnx(p, kind, spatial, strides, ctx);
      const pads = resolvePads(spatial, p.poolSize, strides, p.padding);
      const attributes = { kernel_shape: onnxInts(p.poolSize), strides: onnxInts(strides), pads: onnxPads(pads) };
      // ONNX's MaxPool never lets padding win; its AveragePool counts padding only when told to:
      // explicit padding counts the zeros (PyTorch) unless countIncludePad is false, "same" averages real values only (Keras).
      if (kind === 'max') return ctx.op('MaxPool', [ctx.inputs[0]], attributes);
      return ctx.op('AveragePool', [ctx.inputs[0]], { ...attributes, count_include_pad: onnxInt(p.padding === 'same' || p.countIncludePad === false ? 0 : 1) });
    },
    fromOnnx: {
      ops: [kind === 'max' ? 'MaxPool' : 'AveragePool'],
      read: (node, ctx) => {
        const input = ctx.inputShapes[0];
        if (input?.length !== dims + 1) return undefined;
        if (node.outputs.length > 1 && node.outputs[1]) return 'the indices output of MaxPool has no layer type';
        const poolSize = attributeInts(node, 'kernel_shape', []);
        if (poolSize.length !== dims) return 'its kernel_shape does not match the input';
        const strides = attributeInts(node, 'strides', poolSize.map(() => 1));
        const dilations = attributeInts(node, 'dilations', poolSize.map(() => 1));
        if (dilations.some((d) => d !== 1)) return 'dilated pooling has no layer parameter';
        const counts = attributeInt(node, 'count_include_pad', 0) === 1;
        let padding = importedPadding(node, input.slice(0, dims), poolSize, strides);
        let ceilMode = attributeInt(node, 'ceil_mode', 0) !== 0;
        if (typeof padding === 'string' && padding !== 'valid' && padding !== 'same') {
          // Uneven pads that only add the last, partial window are how ceil mode is written (see ceilModeOnnx).
          const pads = attributeInts(node, 'pads', []);
          const begin = pads.slice(0, dims);
          const end = pads.slice(dims);
          const partial = begin.every((b, i) => end[i] === b + ceilExtra(input[i], poolSize[i], strides[i], b));
          if (ceilMode || !partial || (kind === 'avg' && counts)) return padding;
          padding = begin.every((b) => b === 0) ? 'valid' : begin;
          ceilMode = true;
        }
        if (ceilMode && padding === 'same') return 'ceil_mode with "same" padding has no layer parameter';
        const params: Record<string, unknown> = { poolSize: windowParam(poolSize), strides: windowParam(strides), padding: Array.isArray(padding) ? windowParam(padding) : padding };
        if (ceilMode) params.ceilMode = true;
        // "same" leaves padding out of the average (Keras); explicit padding counts it unless countIncludePad is false (PyTorch).
        if (kind === 'avg' && padding !== 'valid') {
          if (padding === 'same' && counts) return 'count_include_pad=1 with "same" padding has no layer parameter';
          if (Array.isArray(padding) && !counts) params.countIncludePad = false;
        }
        return { params };
      },
    },
    keras: {
      classNames: [kerasName, poolingCustomLayer(kind, dims).className],
      paddingClassNames: paddingClassNames(kind === 'max' ? 'max' : 'zero', dims),
      toLayers: (p) => {
        const strides = p.strides ?? p.poolSize;
        if (needsOwnClass(p)) {
          const custom = poolingCustomLayer(kind, dims);
          const config: Record<string, unknown> = { poolSize: p.poolSize, strides, padding: explicitPads(p, dims), ceilMode: p.ceilMode };
          if (kind === 'avg') config.countIncludePad = p.countIncludePad !== false;
          return [{ className: custom.className, config, suffix: '', custom }];
        }
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
        if (layer.className === poolingCustomLayer(kind, dims).className) return fromOwnClass(layer, kind);
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
