import type { KerasImportContext, KerasLayerSpec, LayerType } from './layerType';
import type { AxisFormula } from './layerType';
import type { SuggestedFix } from '../analysis/diagnostic';
import { activationParam, activationSuffix, useBiasParam, windowText } from './commonParams';
import { activationLayerSpec, fusedActivation, withActivation } from './kerasActivations';
import { isUnitWindow, kerasWindow } from './kerasConfig';
import { CNN_CONV_1D_TRANSPOSE, CNN_CONV_2D_TRANSPOSE } from './kerasTransposedConv';
import type { ResolvedPadding } from './resolveParams';
import { pyActivation, pyWindow } from './pytorchCode';
import { attributeInt, attributeInts, attributeString, onnxActivation, onnxInt, onnxInts, windowParam } from './onnxCode';
import { transposeTensor } from '../tensors/transposeTensor';

export interface TransposedConvolutionParams {
  filters: number;
  kernelSize: number[];
  strides: number[];
  padding: ResolvedPadding;
  outputPadding: number[];
  dilationRate: number[];
  groups: number;
  activation: string;
  useBias: boolean;
}

/**
 * Rows (or columns) cropped from the full transposed convolution, (in − 1)·s + d·(k − 1) + 1 long,
 * before and after; a negative `after` extends it (output padding past the full output).
 * Explicit padding p crops p on both sides and output padding adds back op after (PyTorch);
 * "same" gives in·s, cropping as TensorFlow does (the extra row after).
 */
export function transposedCrops(kernel: number, stride: number, dilation: number, padding: number | 'same', outputPadding: number): [number, number] {
  if (padding === 'same') {
    const total = dilation * (kernel - 1) + 1 - stride;
    return total >= 0 ? [Math.floor(total / 2), total - Math.floor(total / 2)] : [0, total];
  }
  return [padding, padding - outputPadding];
}

const axisPadding = (padding: ResolvedPadding, axis: number): number | 'same' => (padding === 'same' ? 'same' : padding === 'valid' ? 0 : padding[axis]);

/** Per axis: full length, crops and output size. */
function axesOf(p: TransposedConvolutionParams, spatial: number[]): { full: number; crops: [number, number]; output: number }[] {
  return spatial.map((size, i) => {
    const full = (size - 1) * p.strides[i] + p.dilationRate[i] * (p.kernelSize[i] - 1) + 1;
    const crops = transposedCrops(p.kernelSize[i], p.strides[i], p.dilationRate[i], axisPadding(p.padding, i), p.outputPadding[i]);
    return { full, crops, output: full - crops[0] - crops[1] };
  });
}

/** Keras' own Conv2DTranspose computes exactly this: "same", or no padding with Keras' implied output padding max(0, s − k). */
function kerasNative(p: TransposedConvolutionParams, dims: 1 | 2): boolean {
  if (dims !== 2 || p.groups !== 1 || p.dilationRate.some((d) => d !== 1)) return false;
  if (p.padding === 'same') return p.outputPadding.every((o) => o === 0);
  const pads = p.padding === 'valid' ? [0, 0] : p.padding;
  return pads.every((x) => x === 0) && p.outputPadding.every((o, i) => o === Math.max(0, p.strides[i] - p.kernelSize[i]));
}

/** The layers of the node's own class, with the activation as a layer after it (it has no activation of its own). */
function customWithActivation(main: Omit<KerasLayerSpec, 'suffix'>, fn: string): KerasLayerSpec[] {
  const layer = { ...main, config: { ...main.config, activation: 'linear' } };
  return fn === 'linear' ? [{ ...layer, suffix: '' }] : [{ ...layer, suffix: '_linear' }, activationLayerSpec(fn, '')];
}

/** Keras' Conv1DTranspose / Conv2DTranspose (and the project's own classes) as design parameters. */
function fromKerasConfig(layer: KerasImportContext, dims: 1 | 2, custom: string): Record<string, unknown> | undefined {
  const activation = fusedActivation(layer);
  if (!activation) return undefined;
  const axes = (v: unknown, fallback: number): number[] => {
    const w = kerasWindow(v);
    return w === undefined ? new Array(dims).fill(fallback) : Array.isArray(w) ? w : new Array(dims).fill(w);
  };
  const kernel = axes(layer.get('kernel_size'), 1);
  const strides = axes(layer.get('strides'), 1);
  const dilation = axes(layer.get('dilation_rate'), 1);
  const groups = layer.get('groups') ?? 1;
  const mode = layer.get('padding');
  const rawOutputPadding = layer.get('output_padding');
  const params: Record<string, unknown> = { filters: layer.get('filters'), kernelSize: windowParam(kernel) };
  if (strides.some((s) => s !== 1)) params.strides = windowParam(strides);
  let outputPadding = rawOutputPadding == null ? new Array(dims).fill(0) : axes(rawOutputPadding, 0);
  if (layer.className === custom) {
    const explicit = axes(mode, 0);
    if (mode === 'same') params.padding = 'same';
    else if (explicit.some((x) => x !== 0)) params.padding = windowParam(explicit);
  } else if (mode === 'same') {
    if (rawOutputPadding != null) {
      layer.report('padding "same" with output_padding crops by a rule PyTorch has no padding for; use "valid" with output_padding.');
      return undefined;
    }
    params.padding = 'same';
  } else if (mode === 'valid' || mode === undefined) {
    // Keras' "valid" without output_padding ends with max(0, s − k) rows of bias only: PyTorch's output padding.
    if (rawOutputPadding == null) outputPadding = strides.map((s, i) => Math.max(0, s - (dilation[i] * (kernel[i] - 1) + 1)));
  } else {
    layer.report(`padding "${String(mode)}" is not supported (valid or same).`);
    return undefined;
  }
  if (outputPadding.some((o) => o !== 0)) params.outputPadding = windowParam(outputPadding);
  if (!isUnitWindow(layer.get('dilation_rate'))) params.dilationRate = windowParam(dilation);
  if (groups !== 1) params.groups = groups;
  if (activation !== 'linear') params.activation = activation;
  if (layer.get('use_bias') === false) params.useBias = false;
  return params;
}

/** Conv1DTranspose and Conv2DTranspose: PyTorch's ConvTranspose1d / ConvTranspose2d. */
function transposedConvolution(dims: 1 | 2): LayerType<TransposedConvolutionParams> {
  const type = dims === 2 ? 'Conv2DTranspose' : 'Conv1DTranspose';
  const label = dims === 2 ? 'Transposed conv 2D' : 'Transposed conv 1D';
  const rank = dims + 1;
  const custom = dims === 2 ? CNN_CONV_2D_TRANSPOSE : CNN_CONV_1D_TRANSPOSE;
  const axisNames: readonly AxisFormula['axis'][] = dims === 2 ? ['height', 'width'] : ['length'];
  const windowValue = (values: number[]): number | number[] => (values.every((v) => v === values[0]) ? values[0] : values);
  return {
    type,
    label,
    group: 'convolution',
    description:
      (dims === 2 ? 'Learned upsampling of an image' : 'Learned upsampling of a sequence') +
      ' (PyTorch\'s ConvTranspose, "deconvolution"): each input position stamps the filter, scaled, onto the output, stride apart. Output = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + outputPadding + 1. Receptive field: each output reaches ⌈(dilation·(kernel − 1) + 1) / stride⌉ inputs, and an output step is 1/stride of an input step.',
    params: [
      { name: 'filters', label: 'Filters', kind: 'int', min: 1, max: 65536, required: true, doc: 'Number of filters, i.e. output channels.' },
      { name: 'kernelSize', label: 'Kernel size', kind: 'window', dims, min: 1, required: true, doc: dims === 2 ? 'Filter size: 2, or [height, width].' : 'Filter length.', unit: 'px' },
      { name: 'strides', label: 'Strides', kind: 'window', dims, min: 1, default: 1, doc: 'Upsampling factor: output positions between neighbouring input positions.', unit: 'px' },
      {
        name: 'padding',
        label: 'Padding',
        kind: 'padding',
        dims,
        default: 'valid',
        doc: 'Rows removed from each side of the full output (PyTorch semantics); "valid" removes none, "same" gives input × stride (Keras).',
      },
      {
        name: 'outputPadding',
        label: 'Output padding',
        kind: 'window',
        dims,
        min: 0,
        default: 0,
        doc: 'Rows added after the output (bias only where they pass the full output), to reach an exact size; less than the stride or the dilation.',
        unit: 'px',
      },
      { name: 'dilationRate', label: 'Dilation', kind: 'window', dims, min: 1, default: 1, doc: 'Spacing between filter taps.' },
      { name: 'groups', label: 'Groups', kind: 'int', min: 1, max: 65536, default: 1, doc: 'Splits input and output channels into this many independent groups; both must divide by it.' },
      activationParam,
      useBiasParam,
    ],
    inputs: { min: 1, max: 1 },
    summarize: (p) =>
      `${p.filters} @ ${windowText(p.kernelSize)}, ↑s${windowText(p.strides)}${
        p.padding === 'valid' ? '' : Array.isArray(p.padding) ? (p.padding.some((x) => x > 0) ? `, p${windowText(p.padding)}` : '') : `, ${p.padding}`
      }${p.outputPadding.some((o) => o > 0) ? `, op${windowText(p.outputPadding)}` : ''}${p.dilationRate.some((d) => d > 1) ? `, d${windowText(p.dilationRate)}` : ''}${activationSuffix(p.activation)}`,
    infer: ({ node, params, inputShapes, inputFields, report }) => {
      const input = inputShapes[0];
      if (input.length !== rank) {
        report({
          severity: 'error',
          code: 'wrong-input-rank',
          message: dims === 2 ? `${label} needs an image [height, width, channels], but gets [${input.join(', ')}].` : `${label} needs a sequence [length, channels], but gets [${input.join(', ')}].`,
        });
        return undefined;
      }
      const channels = input[dims];
      let ok = true;
      // PyTorch refuses output padding that is not below the stride or the dilation: it would only repeat what a larger padding gives.
      const tooLarge = params.outputPadding.some((o, i) => o >= params.strides[i] && o >= params.dilationRate[i]);
      if (tooLarge) {
        const largest = params.outputPadding.map((o, i) => Math.min(o, Math.max(params.strides[i], params.dilationRate[i]) - 1));
        report({
          severity: 'error',
          code: 'output-padding-too-large',
          param: 'outputPadding',
          message: `Output padding ${windowText(params.outputPadding)} must be less than the stride (${windowText(params.strides)}) or the dilation (${windowText(params.dilationRate)}) on every axis: PyTorch refuses more. Use a smaller padding to grow the output instead.`,
          fixes: [{ title: `Use output padding ${windowText(largest)}`, edit: { kind: 'setParams', nodeId: node.id, params: { outputPadding: windowValue(largest) } } }],
        });
        ok = false;
      }
      if (params.padding === 'same' && params.outputPadding.some((o) => o > 0)) {
        report({
          severity: 'error',
          code: 'output-padding-with-same',
          param: 'outputPadding',
          message: 'Padding "same" already gives input × stride; output padding goes with explicit padding only.',
          fixes: [
            { title: 'Use output padding 0', edit: { kind: 'setParams', nodeId: node.id, params: { outputPadding: 0 } } },
            { title: 'Use padding 0', edit: { kind: 'setParams', nodeId: node.id, params: { padding: 0 } } },
          ],
        });
        ok = false;
      }
      if (channels % params.groups !== 0 || params.filters % params.groups !== 0) {
        report({
          severity: 'error',
          code: 'groups-do-not-divide',
          param: 'groups',
          message: `Groups ${params.groups} must divide both the ${channels} input channels and the ${params.filters} filters.`,
          fixes: [{ title: 'Use groups 1', edit: { kind: 'setParams', nodeId: node.id, params: { groups: 1 } } }],
        });
        ok = false;
      }
      if (!ok) return undefined;
      const axes = axesOf(params, input.slice(0, dims));
      const formulas: AxisFormula[] = axes.map(({ crops, output }, i) => {
        const [s, k, d, op] = [params.strides[i], params.kernelSize[i], params.dilationRate[i], params.outputPadding[i]];
        const p = axisPadding(params.padding, i);
        const text =
          p === 'same'
            ? `${input[i]}·${s} = ${output} (same)`
            : `(${input[i]} − 1)·${s} − 2·${p} + ${d}·(${k} − 1) + ${op} + 1 = ${output}${output < 1 ? ', so there is no output' : ''}`;
        return { axis: axisNames[i], input: input[i], kernel: k, stride: s, dilation: d, padBefore: crops[0], padAfter: crops[1], exact: output, output, text };
      });
      if (axes.some((a) => a.output < 1)) {
        const fixes: SuggestedFix[] = [{ title: 'Use padding 0', edit: { kind: 'setParams', nodeId: node.id, params: { padding: 0 } } }];
        report({
          severity: 'error',
          code: 'transposed-output-empty',
          param: 'padding',
          message: `Padding ${Array.isArray(params.padding) ? windowText(params.padding) : params.padding} removes the whole output of this ${label}: ${formulas.map((f) => f.text).join('; ')}.`,
          fixes,
        });
        return undefined;
      }
      const taps = params.kernelSize.reduce((a, b) => a * b, 1);
      const positions = input.slice(0, dims).reduce((a, b) => a * b, 1);
      const perGroupOut = params.filters / params.groups;
      const field = inputFields[0];
      // Each output position is reached from ⌈k_eff / s⌉ neighbouring input positions: the field grows by
      // (⌈k_eff / s⌉ − 1) input steps, and an output step is 1/s of an input step.
      const reach = params.kernelSize.map((k, i) => Math.ceil((params.dilationRate[i] * (k - 1) + 1) / params.strides[i]));
      return {
        outputShape: [...axes.map((a) => a.output), params.filters],
        trainableParams: taps * channels * perGroupOut + (params.useBias ? params.filters : 0),
        nonTrainableParams: 0,
        // Every input value is multiplied into filters/groups × taps output positions.
        macs: positions * channels * perGroupOut * taps,
        // Input pixels are whole: a step finer than a pixel (after upsampling) widens the field by whole pixels.
        receptiveField: field?.receptiveField && field.effectiveStride ? field.receptiveField.map((r, i) => Math.ceil(r + (reach[i] - 1) * field.effectiveStride![i] - 1e-9)) : undefined,
        effectiveStride: field?.effectiveStride ? field.effectiveStride.map((j, i) => j / params.strides[i]) : undefined,
        formulas,
      };
    },
    toPyTorch: (p, inputShapes, ctx) => {
      const input = inputShapes[0];
      const axes = axesOf(p, input.slice(0, dims));
      // PyTorch crops `padding` from both sides and adds output padding after; "same" with an uneven
      // crop (the extra row after, as TensorFlow) slices that row off.
      const pads = axes.map((a) => a.crops[0]);
      const outputPadding = axes.map((a) => Math.max(0, a.crops[0] - a.crops[1]));
      const cut = axes.map((a) => Math.max(0, a.crops[1] - a.crops[0]));
      const args = [String(input[dims]), String(p.filters), `kernel_size=${pyWindow(p.kernelSize)}`];
      if (p.strides.some((s) => s !== 1)) args.push(`stride=${pyWindow(p.strides)}`);
      if (pads.some((x) => x > 0)) args.push(`padding=${pyWindow(pads)}`);
      if (outputPadding.some((x) => x > 0)) args.push(`output_padding=${pyWindow(outputPadding)}`);
      if (p.groups !== 1) args.push(`groups=${p.groups}`);
      if (!p.useBias) args.push('bias=False');
      if (p.dilationRate.some((d) => d !== 1)) args.push(`dilation=${pyWindow(p.dilationRate)}`);
      const sliced = cut.some((c) => c > 0);
      const index = cut.map((c) => (c ? `:${-c}` : ':')).join(', ');
      const y = `${ctx.module()}(${ctx.inputs[0]})${sliced ? `[:, :, ${index}]` : ''}`;
      return {
        modules: [{ suffix: '', init: `nn.ConvTranspose${dims}d(${args.join(', ')})` }],
        forward: pyActivation(p.activation, y),
        comment: sliced ? '"same" with an uneven crop: PyTorch crops both sides alike, the extra row after is sliced off as in Keras' : undefined,
      };
    },
    toOnnx: (p, inputShapes, ctx) => {
      const input = inputShapes[0];
      const channels = input[dims];
      const axes = axesOf(p, input.slice(0, dims));
      const taps = p.kernelSize.reduce((a, b) => a * b, 1);
      // PyTorch's initialization takes the fan-in from weight.size(1) × taps: filters / groups.
      const fanIn = (p.filters / p.groups) * taps;
      const weight = ctx.parameter('weight', [channels, p.filters / p.groups, ...p.kernelSize], { uniformFanIn: fanIn });
      const inputs = [ctx.inputs[0], weight];
      if (p.useBias) inputs.push(ctx.parameter('bias', [p.filters], { uniformFanIn: fanIn }));
      // ONNX crops each side on its own (pads) and extends after (output_padding).
      const conv = ctx.op('ConvTranspose', inputs, {
        kernel_shape: onnxInts(p.kernelSize),
        strides: onnxInts(p.strides),
        dilations: onnxInts(p.dilationRate),
        group: onnxInt(p.groups),
        pads: onnxInts([...axes.map((a) => a.crops[0]), ...axes.map((a) => Math.max(0, a.crops[1]))]),
        output_padding: onnxInts(axes.map((a) => Math.max(0, -a.crops[1]))),
      });
      return onnxActivation(p.activation, conv, ctx);
    },
    fromOnnx: {
      ops: ['ConvTranspose'],
      read: (node, ctx) => {
        const input = ctx.inputShapes[0];
        if (input?.length !== rank) return undefined;
        const weight = ctx.constant(1);
        if (!weight?.floats || weight.dims.length !== dims + 2) return 'its weights are not a constant tensor of the right rank';
        if (node.attributes.output_shape) return 'output_shape has no layer parameter; give pads and output_padding instead';
        const autoPad = attributeString(node, 'auto_pad', 'NOTSET');
        if (autoPad !== 'NOTSET' && autoPad !== 'VALID') return `auto_pad ${autoPad} is not supported (explicit pads)`;
        const groups = attributeInt(node, 'group', 1);
        const [inChannels, perGroup, ...kernel] = weight.dims;
        const filters = perGroup * groups;
        const strides = attributeInts(node, 'strides', kernel.map(() => 1));
        const dilations = attributeInts(node, 'dilations', kernel.map(() => 1));
        const pads = autoPad === 'VALID' ? new Array(2 * dims).fill(0) : attributeInts(node, 'pads', new Array(2 * dims).fill(0));
        const extend = attributeInts(node, 'output_padding', kernel.map(() => 0));
        const before = pads.slice(0, dims);
        const after = pads.slice(dims).map((a, i) => a - extend[i]);
        let padding: number[] | 'same';
        let outputPadding: number[];
        // PyTorch's form: the same crop on both sides, less the output padding after.
        if (before.every((b, i) => b - after[i] >= 0)) {
          padding = before;
          outputPadding = before.map((b, i) => b - after[i]);
        } else {
          const same = kernel.map((k, i) => transposedCrops(k, strides[i], dilations[i], 'same', 0));
          if (!same.every(([b, a], i) => b === before[i] && a === after[i])) return `uneven pads [${pads.join(', ')}] have no layer parameter yet`;
          padding = 'same';
          outputPadding = kernel.map(() => 0);
        }
        if (inChannels !== input[dims]) return `its weights take ${inChannels} channels, not ${input[dims]}`;
        // ONNX [in, out / groups, (h,) w] → Keras [(h,) w, out / groups, in].
        const kernelWeights = transposeTensor(weight.floats, weight.dims, dims === 2 ? [2, 3, 1, 0] : [2, 1, 0]);
        const bias = ctx.constant(2);
        const weights: Record<string, { shape: number[]; data: Float32Array }> = { kernel: kernelWeights };
        if (bias?.floats) weights.bias = { shape: [filters], data: bias.floats };
        const params: Record<string, unknown> = {
          filters,
          kernelSize: windowParam(kernel),
          strides: windowParam(strides),
          padding: padding === 'same' ? 'same' : windowParam(padding),
          dilationRate: windowParam(dilations),
          useBias: Boolean(bias),
        };
        if (outputPadding.some((o) => o > 0)) params.outputPadding = windowParam(outputPadding);
        if (groups !== 1) params.groups = groups;
        return { params, weights };
      },
    },
    keras: {
      classNames: dims === 2 ? ['Conv2DTranspose', custom.className] : [custom.className, 'Conv1DTranspose'],
      toLayers: (p, inputShapes) => {
        const channels = inputShapes[0][dims];
        const weights = {
          // Keras [...window, out / groups, in] → PyTorch [in, out / groups, ...window].
          kernel: { param: 'weight', axes: dims === 2 ? [3, 2, 0, 1] : [2, 1, 0], shape: [...p.kernelSize, p.filters / p.groups, channels] },
          ...(p.useBias ? { bias: { param: 'bias', shape: [p.filters] } } : {}),
        };
        if (kerasNative(p, dims)) {
          const main = {
            className: 'Conv2DTranspose',
            config: { filters: p.filters, kernelSize: p.kernelSize, strides: p.strides, padding: p.padding === 'same' ? 'same' : 'valid', useBias: p.useBias },
            defaults: { strides: 1, padding: 'valid', activation: 'linear', useBias: true },
            weights,
          };
          return withActivation(main, p.activation);
        }
        const main = {
          className: custom.className,
          config: {
            filters: p.filters,
            kernelSize: p.kernelSize,
            strides: p.strides,
            padding: p.padding === 'same' ? 'same' : p.padding === 'valid' ? p.kernelSize.map(() => 0) : p.padding,
            outputPadding: p.outputPadding,
            dilationRate: p.dilationRate,
            groups: p.groups,
            useBias: p.useBias,
          },
          defaults: { activation: 'linear' },
          weights,
          custom,
        };
        return customWithActivation(main, p.activation);
      },
      fromConfig: (layer) => fromKerasConfig(layer, dims, custom.className),
    },
  };
}

export const conv2dTransposeLayer = transposedConvolution(2);
export const conv1dTransposeLayer = transposedConvolution(1);
