import type { DiagnosticInput, SuggestedFix } from '../analysis/diagnostic';
import type { KerasLayerSpec, KerasWeight, LayerType } from './layerType';
import { activationParam, activationSuffix, useBiasParam, windowText } from './commonParams';
import { fusedActivation, withActivation } from './kerasActivations';
import { isUnitWindow, kerasPadding, kerasWindow } from './kerasConfig';
import { paddingClassNames, paddingLayers } from './kerasPadding';
import type { ResolvedPadding } from './resolveParams';
import { resolvePads, slidingWindow } from './slidingWindow';
import { pyActivation, pyPadTuple, pyWindow } from './pytorchCode';
import { attributeInt, attributeInts, importedPadding, onnxActivation, onnxInt, onnxInts, onnxPads, windowParam } from './onnxCode';
import { torchToKeras } from '../tensors/kerasWeightLayout';
import { CNN_GROUPED_CONV_1D, CNN_GROUPED_CONV_2D, DEPTHWISE_CONV_2D } from './kerasGroupedConvolution';
import { divisors } from './channelAxes';

const DILATION_WITH_STRIDE =
  'Keras and TF.js cannot combine a dilation above 1 with a stride above 1, so the Keras and TF.js exports and training with TF.js refuse this layer; PyTorch and ONNX export it, and the PyTorch engine trains it.';

export interface ConvolutionParams {
  filters: number;
  kernelSize: number[];
  strides: number[];
  padding: ResolvedPadding;
  dilationRate: number[];
  groups: number;
  paddingMode: PaddingMode;
  activation: string;
  useBias: boolean;
}

/** What fills a convolution's padding, as PyTorch's padding_mode (circular, which ONNX 17 lacks, is not offered). */
const PADDING_MODES = ['zeros', 'reflect', 'replicate'] as const;
type PaddingMode = (typeof PADDING_MODES)[number];

/** ONNX Pad's name for each mode that is not zeros. */
const ONNX_PAD_MODE: Record<string, string> = { reflect: 'reflect', replicate: 'edge' };

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Groups must split both the input channels and the filters evenly. Reports which does not, with
 * the nearest groups that divide both (and depthwise, groups = channels, where the filters allow)
 * and, when only the filters do not split, the nearest multiples of groups.
 */
function checkGroups(nodeId: string, channels: number, filters: number, groups: number, report: (d: DiagnosticInput) => void): boolean {
  const channelsSplit = channels % groups === 0;
  const filtersSplit = filters % groups === 0;
  if (channelsSplit && filtersSplit) return true;
  const common = divisors(gcd(channels, filters));
  const below = common.filter((d) => d < groups).pop();
  const above = common.find((d) => d > groups);
  const groupFixes: SuggestedFix[] = [...new Set([below, above, filters % channels === 0 ? channels : undefined].filter((g): g is number => g !== undefined))].map((g) => ({
    title: g === 1 ? 'Use groups 1 (an ordinary convolution)' : g === channels ? `Use groups ${g} (depthwise: one group per input channel)` : `Use groups ${g}`,
    edit: { kind: 'setParams', nodeId, params: { groups: g } },
  }));
  if (!channelsSplit) {
    report({
      severity: 'error',
      code: 'groups-do-not-divide-channels',
      param: 'groups',
      message: `Groups (groups) is ${groups}, but the ${channels} input channels do not split into ${groups} equal groups: groups must divide the input channels and the filters.`,
      fixes: groupFixes,
    });
    return false;
  }
  const up = Math.ceil(filters / groups) * groups;
  const down = Math.floor(filters / groups) * groups;
  report({
    severity: 'error',
    code: 'groups-do-not-divide-filters',
    param: 'filters',
    message: `Filters (filters) is ${filters}, which does not split into ${groups} groups: each group needs the same number of filters, so filters must be a multiple of ${groups}.`,
    fixes: [
      { title: `Use ${up} filters (${up / groups} per group)`, edit: { kind: 'setParams', nodeId, params: { filters: up } } },
      ...(down >= groups ? [{ title: `Use ${down} filters (${down / groups} per group)`, edit: { kind: 'setParams', nodeId, params: { filters: down } } } as SuggestedFix] : []),
      ...groupFixes,
    ],
  });
  return false;
}

/** Conv1D and Conv2D share every rule but the number of spatial axes. */
function convolution(dims: 1 | 2): LayerType<ConvolutionParams> {
  const type = dims === 2 ? 'Conv2D' : 'Conv1D';
  const label = dims === 2 ? 'Conv 2D' : 'Conv 1D';
  const rank = dims + 1;
  const groupedClass = dims === 2 ? CNN_GROUPED_CONV_2D : CNN_GROUPED_CONV_1D;
  const axes = dims === 2 ? (v: number[]) => v : (v: number[]) => v[0];
  // Keras [...window, in, out] → PyTorch [out, in, ...window].
  const kernelAxes = dims === 2 ? [3, 2, 0, 1] : [2, 1, 0];
  const defaults = { strides: 1, padding: 'valid', dilationRate: 1, activation: 'linear', useBias: true };

  /**
   * Keras' Conv1D / Conv2D; an undilated depthwise convolution (groups = input channels) as
   * Keras' DepthwiseConv2D; other groups as the project's grouped convolution layer. Explicit padding
   * is a padding layer before it, unless it equals 'same'.
   */
  function kerasLayers(p: ConvolutionParams, inputShapes: number[][]): KerasLayerSpec[] {
    const channels = inputShapes[0][dims];
    // Explicit padding that is exactly Keras' 'same' (stride 1, d·(k − 1)/2 zeros on each side: what
    // PyTorch's padding=1 is for 3×3) is written as 'same': one layer instead of a padding layer and a
    // convolution, so training skips a pad and, backwards, a slice of every such activation.
    const explicit = Array.isArray(p.padding) ? p.padding : undefined;
    const sameAsExplicit = explicit !== undefined && p.paddingMode === 'zeros' && p.strides.every((s) => s === 1) && explicit.every((pad, i) => 2 * pad === p.dilationRate[i] * (p.kernelSize[i] - 1));
    const window = { kernelSize: axes(p.kernelSize), strides: axes(p.strides), padding: p.padding === 'same' || sameAsExplicit ? 'same' : 'valid', dilationRate: axes(p.dilationRate) };
    const bias: Record<string, KerasWeight> = p.useBias ? { bias: { param: 'bias', shape: [p.filters] } } : {};
    let main: Omit<KerasLayerSpec, 'suffix'>;
    if (p.groups === 1) {
      main = {
        className: type,
        config: { filters: p.filters, ...window, useBias: p.useBias },
        defaults,
        weights: { kernel: { param: 'weight', axes: kernelAxes, shape: [...p.kernelSize, channels, p.filters] }, ...bias },
      };
    } else if (dims === 2 && p.groups === channels && p.dilationRate.every((d) => d === 1)) {
      // (TF.js' DepthwiseConv2D ignores its dilation, so a dilated one is a grouped layer below.)
      const multiplier = p.filters / channels;
      main = {
        className: DEPTHWISE_CONV_2D,
        config: { ...window, depthMultiplier: multiplier, useBias: p.useBias },
        defaults: { ...defaults, depthMultiplier: 1 },
        weights: {
          // Keras [kh, kw, C, m] → [C, m, kh, kw], which is PyTorch's [C·m, 1, kh, kw]: output channel c·m + j.
          depthwise_kernel: { param: 'weight', axes: [2, 3, 0, 1], shape: [...p.kernelSize, channels, multiplier], torchShape: [p.filters, 1, ...p.kernelSize] },
          ...bias,
        },
      };
    } else {
      main = {
        className: groupedClass.className,
        config: { filters: p.filters, ...window, groups: p.groups, useBias: p.useBias },
        defaults,
        weights: { kernel: { param: 'weight', axes: kernelAxes, shape: [...p.kernelSize, channels / p.groups, p.filters] }, ...bias },
        custom: groupedClass,
      };
    }
    return [...(explicit && !sameAsExplicit ? paddingLayers('zero', explicit) : []), ...withActivation(main, p.activation)];
  }

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
      {
        name: 'groups',
        label: 'Groups',
        kind: 'int',
        min: 1,
        max: 65536,
        default: 1,
        doc: 'Splits input channels and filters into this many groups, each filter seeing only its group (PyTorch\'s groups); groups = input channels is a depthwise convolution.',
      },
      {
        name: 'paddingMode',
        label: 'Padding mode',
        kind: 'enum',
        options: PADDING_MODES,
        default: 'zeros',
        doc: "What fills the padding: zeros, the input mirrored at its edge (reflect) or its edge repeated (replicate), as PyTorch's padding_mode.",
      },
      activationParam,
      useBiasParam,
    ],
    inputs: { min: 1, max: 1 },
    summarize: (p) =>
      `${p.filters} @ ${windowText(p.kernelSize)}, s${windowText(p.strides)}, ${Array.isArray(p.padding) ? `p${windowText(p.padding)}` : p.padding}${
        p.dilationRate.some((d) => d > 1) ? `, d${windowText(p.dilationRate)}` : ''
      }${p.groups > 1 ? `, ${p.groups} groups` : ''}${p.paddingMode !== 'zeros' ? `, ${p.paddingMode}` : ''}${activationSuffix(p.activation)}`,
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
        // Only Keras and TF.js lack it: their exports and TF.js training refuse the layer, the rest go on.
        report({
          severity: 'warning',
          code: 'dilation-with-stride',
          param: 'dilationRate',
          message: DILATION_WITH_STRIDE,
          fixes: [
            { title: 'Use stride 1', edit: { kind: 'setParams', nodeId: node.id, params: { strides: 1 } } },
            { title: 'Use dilation 1', edit: { kind: 'setParams', nodeId: node.id, params: { dilationRate: 1 } } },
          ],
        });
      }
      const channels = input[dims];
      if (!checkGroups(node.id, channels, params.filters, params.groups, report)) return undefined;
      const groupChannels = channels / params.groups;
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
      if (params.paddingMode === 'reflect') {
        // A mirror reaches at most size − 1 values past the edge (PyTorch refuses more).
        const tooWide = window.formulas.find((f, i) => Math.max(f.padBefore, f.padAfter) >= input[i]);
        if (tooWide) {
          report({
            severity: 'error',
            code: 'reflect-padding-too-wide',
            param: 'paddingMode',
            message: `Reflect padding mirrors the input at its edge, so it can add at most ${tooWide.input - 1} on the ${tooWide.axis} axis of ${tooWide.input}, but this layer pads ${Math.max(tooWide.padBefore, tooWide.padAfter)}.`,
            fixes: [
              { title: 'Use replicate padding', edit: { kind: 'setParams', nodeId: node.id, params: { paddingMode: 'replicate' } } },
              { title: 'Use zero padding', edit: { kind: 'setParams', nodeId: node.id, params: { paddingMode: 'zeros' } } },
            ],
          });
          return undefined;
        }
      }
      // Plain loops: this runs for every convolution on every keystroke.
      let taps = 1;
      let positions = 1;
      for (let i = 0; i < dims; i++) {
        taps *= params.kernelSize[i];
        positions *= window.output[i];
      }
      const field = inputFields[0];
      const effective = params.kernelSize.map((k, i) => params.dilationRate[i] * (k - 1) + 1);
      return {
        outputShape: dims === 2 ? [window.output[0], window.output[1], params.filters] : [...window.output, params.filters],
        // Each filter sees only its group's channels.
        trainableParams: taps * groupChannels * params.filters + (params.useBias ? params.filters : 0),
        nonTrainableParams: 0,
        macs: positions * params.filters * taps * groupChannels,
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
      if (p.groups !== 1) args.push(`groups=${p.groups}`);
      if (!p.useBias) args.push('bias=False');
      const padded = pads.some(([before, after]) => before > 0 || after > 0);
      if (symmetric && padded && p.paddingMode !== 'zeros') args.push(`padding_mode=${JSON.stringify(p.paddingMode)}`);
      const mode = p.paddingMode !== 'zeros' ? `, mode=${JSON.stringify(p.paddingMode)}` : '';
      const x = symmetric ? ctx.inputs[0] : `F.pad(${ctx.inputs[0]}, ${pyPadTuple(pads)}${mode})`;
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
      // PyTorch's layout and initialization: each filter's fan-in is its group's channels.
      const fanIn = (channels / p.groups) * p.kernelSize.reduce((a, b) => a * b, 1);
      const weight = ctx.parameter('weight', [p.filters, channels / p.groups, ...p.kernelSize], { uniformFanIn: fanIn });
      // Reflect or replicate padding is a Pad of its own; the convolution then pads nothing.
      const padMode = pads.some(([before, after]) => before > 0 || after > 0) ? ONNX_PAD_MODE[p.paddingMode] : undefined;
      const source = padMode
        ? ctx.op('Pad', [ctx.inputs[0], ctx.ints([0, 0, ...pads.map(([before]) => before), 0, 0, ...pads.map(([, after]) => after)])], { mode: { kind: 'string', value: padMode } })
        : ctx.inputs[0];
      const inputs = [source, weight];
      if (p.useBias) inputs.push(ctx.parameter('bias', [p.filters], { uniformFanIn: fanIn }));
      // ONNX's Conv pads each side on its own, so "same" with an uneven total needs no Pad node.
      const conv = ctx.op('Conv', inputs, {
        kernel_shape: onnxInts(p.kernelSize),
        strides: onnxInts(p.strides),
        dilations: onnxInts(p.dilationRate),
        pads: onnxPads(padMode ? pads.map((): [number, number] => [0, 0]) : pads),
        ...(p.groups !== 1 ? { group: onnxInt(p.groups) } : {}),
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
        const groups = attributeInt(node, 'group', 1);
        const [filters, groupChannels, ...kernel] = weight.dims;
        if (groups < 1 || groupChannels * groups !== input[dims] || filters % groups !== 0) return `its weights [${weight.dims.join(', ')}] do not fit ${input[dims]} input channels in ${groups} group(s)`;
        const strides = attributeInts(node, 'strides', kernel.map(() => 1));
        const dilations = attributeInts(node, 'dilations', kernel.map(() => 1));
        const padding = importedPadding(node, input.slice(0, dims), kernel.map((k, i) => dilations[i] * (k - 1) + 1), strides);
        if (typeof padding === 'string' && padding !== 'valid' && padding !== 'same') return padding;
        const bias = ctx.constant(2);
        const resolved: ConvolutionParams = {
          filters,
          kernelSize: kernel,
          strides,
          padding: padding as ResolvedPadding,
          dilationRate: dilations,
          groups,
          paddingMode: 'zeros',
          activation: 'linear',
          useBias: Boolean(bias?.floats),
        };
        // ONNX holds PyTorch's layout; the Keras layer this node becomes says where each value goes.
        const places = kerasLayers(resolved, ctx.inputShapes).find((l) => l.weights)!.weights!;
        const weights: Record<string, { shape: number[]; data: Float32Array }> = {};
        for (const [name, place] of Object.entries(places)) {
          const tensor = place.param === 'weight' ? { data: weight.floats, shape: weight.dims } : { data: bias!.floats!, shape: [filters] };
          weights[name] = torchToKeras(place, tensor);
        }
        const params = {
          filters,
          kernelSize: windowParam(kernel),
          strides: windowParam(strides),
          padding: Array.isArray(padding) ? windowParam(padding) : padding,
          dilationRate: windowParam(dilations),
          ...(groups !== 1 ? { groups } : {}),
          useBias: Boolean(bias?.floats),
        };
        return { params, weights };
      },
    },
    keras: {
      classNames: [type, ...(dims === 2 ? [DEPTHWISE_CONV_2D] : []), groupedClass.className],
      paddingClassNames: paddingClassNames('zero', dims),
      toLayers: kerasLayers,
      limitation: (p) =>
        p.dilationRate.some((d) => d > 1) && p.strides.some((s) => s > 1)
          ? DILATION_WITH_STRIDE
          : p.paddingMode !== 'zeros' && p.padding !== 'valid' && !(Array.isArray(p.padding) && p.padding.every((x) => x === 0))
            ? `Keras and TF.js have no ${p.paddingMode} padding for a convolution (PyTorch and ONNX export it, and the PyTorch engine trains it).`
            : undefined,
      fromConfig: (layer) => {
        const activation = fusedActivation(layer);
        const padding = kerasPadding(layer);
        if (!activation || !padding) return undefined;
        const params: Record<string, unknown> = {};
        if (layer.className === DEPTHWISE_CONV_2D) {
          // Keras' depthwise layer names its multiplier, not its channels: they come from its input.
          const channels = layer.inputChannels();
          const multiplier = layer.get('depth_multiplier') ?? 1;
          if (channels === undefined || typeof multiplier !== 'number') {
            layer.report('its input channels are unknown, so its filters (channels × depth multiplier) are too.');
            return undefined;
          }
          params.filters = channels * multiplier;
          if (channels !== 1) params.groups = channels;
        } else {
          params.filters = layer.get('filters');
          const groups = layer.get('groups');
          if (groups !== undefined && groups !== 1) params.groups = groups;
        }
        params.kernelSize = kerasWindow(layer.get('kernel_size'));
        if (!isUnitWindow(layer.get('strides'))) params.strides = kerasWindow(layer.get('strides'));
        Object.assign(params, padding);
        if (!isUnitWindow(layer.get('dilation_rate'))) params.dilationRate = kerasWindow(layer.get('dilation_rate'));
        if (activation !== 'linear') params.activation = activation;
        if (layer.get('use_bias') === false) params.useBias = false;
        // Groups first after the window, as the catalog lists them.
        const { groups, ...rest } = params;
        return groups === undefined ? rest : { ...rest, groups };
      },
    },
  };
}

export const conv2dLayer = convolution(2);
export const conv1dLayer = convolution(1);
