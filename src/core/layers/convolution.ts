import type { LayerType } from './layerType';
import { activationParam, activationSuffix, useBiasParam, windowText } from './commonParams';
import { fusedActivation, withActivation } from './kerasActivations';
import { isUnitWindow, kerasPadding, kerasWindow } from './kerasConfig';
import { paddingClassNames, paddingLayers } from './kerasPadding';
import type { ResolvedPadding } from './resolveParams';
import { resolvePads, slidingWindow } from './slidingWindow';
import { pyActivation, pyPadTuple, pyWindow } from './pytorchCode';
import { attributeInt, attributeInts, importedPadding, onnxActivation, onnxInts, onnxPads, windowParam } from './onnxCode';
import { transposeTensor } from '../tensors/transposeTensor';

export interface ConvolutionParams {
  filters: number;
  kernelSize: number[];
  strides: number[];
  padding: ResolvedPadding;
  dilationRate: number[];
  activation: string;
  useBias: boolean;
}

/** Conv1D and Conv2D share every rule but the number of spatial axes. */
function convolution(dims: 1 | 2): LayerType<ConvolutionParams> {
  const type = dims === 2 ? 'Conv2D' : 'Conv1D';
  const label = dims === 2 ? 'Conv 2D' : 'Conv 1D';
  const rank = dims + 1;
  return {
    type,
    label,
    group: 'convolution',
    description:
      dims === 2
        ? 'Slides learned filters over an image; each filter shares its weights across all positions.'
        : 'Slides learned filters along a sequence; each filter shares its weights across all positions.',
    params: [
      { name: 'filters', label: 'Filters', kind: 'int', min: 1, max: 65536, required: true, doc: 'Number of filters, i.e. output channels.' },
      {
        name: 'kernelSize',
        label: 'Kernel size',
        kind: 'window',
        dims,
        min: 1,
        required: true,
        doc: dims === 2 ? 'Filter size: 3, or [height, width].' : 'Filter length.',
        unit: 'px',
      },
      { name: 'strides', label: 'Strides', kind: 'window', dims, min: 1, default: 1, doc: 'Step between filter positions.', unit: 'px' },
      { name: 'padding', label: 'Padding', kind: 'padding', dims, default: 'valid', doc: '"valid" (none), "same" (keeps size at stride 1), or zeros on each side.' },
      { name: 'dilationRate', label: 'Dilation', kind: 'window', dims, min: 1, default: 1, doc: 'Spacing between filter taps (atrous convolution).' },
      activationParam,
      useBiasParam,
    ],
    inputs: { min: 1, max: 1 },
    summarize: (p) =>
      `${p.filters} @ ${windowText(p.kernelSize)}, s${windowText(p.strides)}, ${Array.isArray(p.padding) ? `p${windowText(p.padding)}` : p.padding}${
        p.dilationRate.some((d) => d > 1) ? `, d${windowText(p.dilationRate)}` : ''
      }${activationSuffix(p.activation)}`,
    infer: ({ node, params, inputShapes, inputFields, report }) => {
      const input = inputShapes[0];
      if (input.length !== rank) {
        report({
          severity: 'error',
          code: 'wrong-input-rank',
          message:
            dims === 2
              ? `${label} needs an image [height, width, channels], but gets [${input.join(', ')}]. ${input.length === 1 ? 'A vector has no spatial layout left: convolve before Flatten/Dense, or reshape.' : ''}`.trim()
              : `${label} needs a sequence [length, channels], but gets [${input.join(', ')}].`,
        });
        return undefined;
      }
      if (params.dilationRate.some((d) => d > 1) && params.strides.some((s) => s > 1)) {
        report({
          severity: 'error',
          code: 'dilation-with-stride',
          param: 'dilationRate',
          message: 'Keras and TF.js cannot combine a dilation above 1 with a stride above 1 (PyTorch can), so this layer could not be trained or exported to them.',
          fixes: [
            { title: 'Use stride 1', edit: { kind: 'setParams', nodeId: node.id, params: { strides: 1 } } },
            { title: 'Use dilation 1', edit: { kind: 'setParams', nodeId: node.id, params: { dilationRate: 1 } } },
          ],
        });
      }
      const channels = input[dims];
      const window = slidingWindow({
        nodeId: node.id,
        layerLabel: label,
        input: input.slice(0, dims),
        kernel: params.kernelSize,
        strides: params.strides,
        dilation: params.dilationRate,
        padding: params.padding,
        kernelParam: 'kernelSize',
        stridesParam: 'strides',
        report,
      });
      if (!window.output) return undefined;
      const taps = params.kernelSize.reduce((a, b) => a * b, 1);
      const positions = window.output.reduce((a, b) => a * b, 1);
      const field = inputFields[0];
      const effective = params.kernelSize.map((k, i) => params.dilationRate[i] * (k - 1) + 1);
      return {
        outputShape: [...window.output, params.filters],
        trainableParams: taps * channels * params.filters + (params.useBias ? params.filters : 0),
        nonTrainableParams: 0,
        macs: positions * params.filters * taps * channels,
        receptiveField: field?.receptiveField && field.effectiveStride ? field.receptiveField.map((r, i) => r + (effective[i] - 1) * field.effectiveStride![i]) : undefined,
        effectiveStride: field?.effectiveStride ? field.effectiveStride.map((j, i) => j * params.strides[i]) : undefined,
        formulas: window.formulas,
      };
    },
    toPyTorch: (p, inputShapes, ctx) => {
      const input = inputShapes[0];
      const effective = p.kernelSize.map((k, i) => p.dilationRate[i] * (k - 1) + 1);
      const pads = resolvePads(input.slice(0, dims), effective, p.strides, p.padding);
      const symmetric = pads.every(([before, after]) => before === after);
      const args = [String(input[dims]), String(p.filters), `kernel_size=${pyWindow(p.kernelSize)}`];
      if (p.strides.some((s) => s !== 1)) args.push(`stride=${pyWindow(p.strides)}`);
      if (symmetric && pads.some(([before]) => before > 0)) args.push(`padding=${pyWindow(pads.map(([before]) => before))}`);
      if (p.dilationRate.some((d) => d !== 1)) args.push(`dilation=${pyWindow(p.dilationRate)}`);
      if (!p.useBias) args.push('bias=False');
      const x = symmetric ? ctx.inputs[0] : `F.pad(${ctx.inputs[0]}, ${pyPadTuple(pads)})`;
      return {
        modules: [{ suffix: '', init: `nn.Conv${dims}d(${args.join(', ')})` }],
        forward: pyActivation(p.activation, `${ctx.module()}(${x})`),
        comment: symmetric ? undefined : '"same" padding with an uneven total: the extra zero goes after, as in Keras',
      };
    },
    toOnnx: (p, inputShapes, ctx) => {
      const input = inputShapes[0];
      const channels = input[dims];
      const effective = p.kernelSize.map((k, i) => p.dilationRate[i] * (k - 1) + 1);
      const pads = resolvePads(input.slice(0, dims), effective, p.strides, p.padding);
      const fanIn = channels * p.kernelSize.reduce((a, b) => a * b, 1);
      const weight = ctx.parameter('weight', [p.filters, channels, ...p.kernelSize], { uniformFanIn: fanIn });
      const inputs = [ctx.inputs[0], weight];
      if (p.useBias) inputs.push(ctx.parameter('bias', [p.filters], { uniformFanIn: fanIn }));
      // ONNX's Conv pads each side on its own, so "same" with an uneven total needs no Pad node.
      const conv = ctx.op('Conv', inputs, {
        kernel_shape: onnxInts(p.kernelSize),
        strides: onnxInts(p.strides),
        dilations: onnxInts(p.dilationRate),
        pads: onnxPads(pads),
      });
      return onnxActivation(p.activation, conv, ctx);
    },
    fromOnnx: {
      ops: ['Conv'],
      read: (node, ctx) => {
        const input = ctx.inputShapes[0];
        if (input?.length !== rank) return undefined;
        const weight = ctx.constant(1);
        if (!weight?.floats || weight.dims.length !== dims + 2) return 'its weights are not a constant tensor of the right rank';
        if (attributeInt(node, 'group', 1) !== 1) return 'grouped convolution (group > 1) has no layer parameter yet';
        const [filters, , ...kernel] = weight.dims;
        const strides = attributeInts(node, 'strides', kernel.map(() => 1));
        const dilations = attributeInts(node, 'dilations', kernel.map(() => 1));
        const padding = importedPadding(node, input.slice(0, dims), kernel.map((k, i) => dilations[i] * (k - 1) + 1), strides);
        if (typeof padding === 'string' && padding !== 'valid' && padding !== 'same') return padding;
        // ONNX [out, in, (h,) w] → Keras [(h,) w, in, out].
        const kernelWeights = transposeTensor(weight.floats, weight.dims, dims === 2 ? [2, 3, 1, 0] : [2, 1, 0]);
        const bias = ctx.constant(2);
        const weights: Record<string, { shape: number[]; data: Float32Array }> = { kernel: kernelWeights };
        if (bias?.floats) weights.bias = { shape: [filters], data: bias.floats };
        const params = {
          filters,
          kernelSize: windowParam(kernel),
          strides: windowParam(strides),
          padding: Array.isArray(padding) ? windowParam(padding) : padding,
          dilationRate: windowParam(dilations),
          useBias: Boolean(bias),
        };
        return { params, weights };
      },
    },
    keras: {
      classNames: [type],
      paddingClassNames: paddingClassNames('zero', dims),
      toLayers: (p, inputShapes) => {
        const channels = inputShapes[0][dims];
        const axes = dims === 2 ? (v: number[]) => v : (v: number[]) => v[0];
        const main = {
          className: type,
          config: {
            filters: p.filters,
            kernelSize: axes(p.kernelSize),
            strides: axes(p.strides),
            padding: p.padding === 'same' ? 'same' : 'valid',
            dilationRate: axes(p.dilationRate),
            useBias: p.useBias,
          },
          defaults: { strides: 1, padding: 'valid', dilationRate: 1, activation: 'linear', useBias: true },
          weights: {
            // Keras [...window, in, out] → PyTorch [out, in, ...window].
            kernel: { param: 'weight', axes: dims === 2 ? [3, 2, 0, 1] : [2, 1, 0], shape: [...p.kernelSize, channels, p.filters] },
            ...(p.useBias ? { bias: { param: 'bias', shape: [p.filters] } } : {}),
          },
        };
        return [...(Array.isArray(p.padding) ? paddingLayers('zero', p.padding) : []), ...withActivation(main, p.activation)];
      },
      fromConfig: (layer) => {
        const activation = fusedActivation(layer);
        const padding = kerasPadding(layer);
        if (!activation || !padding) return undefined;
        if (layer.get('groups') !== undefined && layer.get('groups') !== 1) {
          layer.report('grouped convolutions are not supported.');
          return undefined;
        }
        const params: Record<string, unknown> = { filters: layer.get('filters'), kernelSize: kerasWindow(layer.get('kernel_size')) };
        if (!isUnitWindow(layer.get('strides'))) params.strides = kerasWindow(layer.get('strides'));
        Object.assign(params, padding);
        if (!isUnitWindow(layer.get('dilation_rate'))) params.dilationRate = kerasWindow(layer.get('dilation_rate'));
        if (activation !== 'linear') params.activation = activation;
        if (layer.get('use_bias') === false) params.useBias = false;
        return params;
      },
    },
  };
}

export const conv2dLayer = convolution(2);
export const conv1dLayer = convolution(1);
