import type { Shape } from '../design';
import type { DiagnosticInput, SuggestedFix } from '../analysis/diagnostic';
import type { AxisFormula, InferArgs, LayerType } from './layerType';
import { CNN_RESIZE_2D } from './kerasResample';
import { kerasWindow } from './kerasConfig';
import { pyNumber, pyWindow } from './pytorchCode';
import { attributeString, onnxInt } from './onnxCode';
import { resampledLength, type ResampleMode } from './resampleAxes';

export interface Upsample2DParams {
  /** PyTorch's scale_factor: output ⌊in · scale⌋, source positions dst / scale. */
  scale?: number;
  /** The output [height, width]. */
  size?: number[];
  mode: ResampleMode;
  alignCorners: boolean;
}

const LABEL = 'Upsample 2D';
const AXES = ['height', 'width'] as const;
const shapeText = (shape: Shape): string => `[${shape.join(', ')}]`;

/** Where the output size comes from: the 2nd input wins, then size, then scale (only one may be set). */
function outputSpatial(params: Upsample2DParams, inputShapes: Shape[]): number[] | undefined {
  const input = inputShapes[0];
  if (inputShapes[1]) return inputShapes[1].slice(0, 2);
  if (params.size) return params.size;
  if (params.scale !== undefined) return input.slice(0, 2).map((x) => resampledLength(x, params.scale!));
  return undefined;
}

/** The checks PyTorch makes before resampling, as located errors with the edits that fix them. */
function checkSources(args: InferArgs<Upsample2DParams>): boolean {
  const { node, params, inputShapes, report } = args;
  const ref = inputShapes[1];
  const sourceId = args.inputIds?.[1];
  const error = (d: Omit<DiagnosticInput, 'severity'>): false => {
    report({ severity: 'error', ...d });
    return false;
  };
  const set = (title: string, values: Record<string, unknown>): SuggestedFix => ({ title, edit: { kind: 'setParams', nodeId: node.id, params: values } });
  if (ref && ref.length !== 3) {
    return error({
      code: 'wrong-input-rank',
      message: `The 2nd input of ${LABEL} gives the output's height and width, so it must be an image [height, width, channels], but it is ${shapeText(ref)}.`,
      fixes: sourceId
        ? [{ title: `Disconnect ${sourceId} and upsample by 2`, edit: { kind: 'combined', edits: [{ kind: 'removeEdge', source: sourceId, target: node.id }, { kind: 'setParams', nodeId: node.id, params: { scale: 2, size: null } }] } }]
        : [],
    });
  }
  const given = [params.scale !== undefined && 'scale', params.size && 'size', ref && '2nd input'].filter(Boolean) as string[];
  if (given.length === 0) {
    return error({
      code: 'upsample-no-size',
      message: `${LABEL} needs the output size: a scale, a size, or a 2nd input whose height and width it takes (PyTorch's F.interpolate needs size or scale_factor).`,
      fixes: [set('Upsample by 2 (scale 2)', { scale: 2 })],
    });
  }
  if (given.length > 1) {
    const fixes: SuggestedFix[] = [];
    if (ref) fixes.push(set(`Take the size from the 2nd input only`, { scale: null, size: null }));
    else {
      fixes.push(set(`Keep size ${params.size!.join('×')} only`, { scale: null }));
      fixes.push(set(`Keep scale ${params.scale} only`, { size: null }));
    }
    return error({
      code: 'upsample-size-conflict',
      param: params.size ? 'size' : 'scale',
      message: `${LABEL} gets its output size from ${given.join(' and ')}: give exactly one (PyTorch refuses both size and scale_factor).`,
      fixes,
    });
  }
  if (params.alignCorners && params.mode === 'nearest') {
    return error({
      code: 'align-corners-needs-bilinear',
      param: 'alignCorners',
      message: `alignCorners only applies to bilinear resampling; nearest has no corners to align (PyTorch raises an error).`,
      fixes: [set('Remove alignCorners', { alignCorners: null }), set('Resample bilinearly', { mode: 'bilinear' })],
    });
  }
  if (params.scale !== undefined) {
    const input = inputShapes[0];
    const out = input.slice(0, 2).map((x) => resampledLength(x, params.scale!));
    if (out.some((o) => o < 1)) {
      // The smallest scale (to 4 decimals, rounded up) that leaves one pixel on the shorter axis.
      const fixed = Math.ceil(10_000 / Math.min(input[0], input[1])) / 10_000;
      return error({
        code: 'upsample-empty-output',
        param: 'scale',
        message: `Scale ${params.scale} turns ${input[0]}×${input[1]} into ${out.join('×')}: ⌊size · scale⌋ must be at least 1 on both axes.`,
        fixes: [set(`Use scale ${fixed}`, { scale: fixed })],
      });
    }
  }
  return true;
}

/** F.interpolate: nearest or bilinear, by a scale, to a size, or to the size of a 2nd input. */
export const upsample2dLayer: LayerType<Upsample2DParams> = {
  type: 'Upsample2D',
  label: LABEL,
  group: 'reshape',
  description:
    "Resizes height and width as PyTorch's F.interpolate: by a scale (⌊size · scale⌋), to a size, or to the height and width of a 2nd input (segmentation heads upsample to the image's size). Nearest copies the pixel ⌊dst / scale⌋; bilinear blends the 2 nearest on each axis, with half-pixel centers or alignCorners. No weights.",
  params: [
    { name: 'scale', label: 'Scale', kind: 'number', min: 0, doc: 'Factor for height and width (PyTorch scale_factor): output ⌊size · scale⌋, source position dst / scale. Leave out when size or a 2nd input gives the size.' },
    { name: 'size', label: 'Size', kind: 'window', dims: 2, min: 1, doc: 'Output size: 64, or [height, width]. Leave out when scale or a 2nd input gives the size.', unit: 'px' },
    { name: 'mode', label: 'Mode', kind: 'enum', options: ['nearest', 'bilinear'], default: 'nearest', doc: 'nearest: the pixel ⌊dst · in/out⌋ (PyTorch "nearest"); bilinear: the 2 nearest pixels per axis, weighted by distance.' },
    {
      name: 'alignCorners',
      label: 'Align corners',
      kind: 'bool',
      default: false,
      doc: 'Bilinear only: map the corner pixels onto each other, src = dst · (in − 1)/(out − 1), instead of half-pixel centers, src = (dst + 0.5) · in/out − 0.5.',
    },
  ],
  inputs: { min: 1, max: 2 },
  summarize: (p) =>
    `${p.scale !== undefined ? `×${pyNumber(p.scale)}` : p.size ? `→ ${p.size.join('×')}` : '→ 2nd input'}, ${p.mode}${p.alignCorners ? ', corners' : ''}`,
  infer: (args) => {
    const { params, inputShapes, inputFields, report } = args;
    const input = inputShapes[0];
    if (input.length !== 3) {
      report({ severity: 'error', code: 'wrong-input-rank', message: `${LABEL} needs an image [height, width, channels], but gets ${shapeText(input)}.` });
      return undefined;
    }
    if (!checkSources(args)) return undefined;
    const out = outputSpatial(params, inputShapes)!;
    const formulas: AxisFormula[] = AXES.map((axis, i) => ({
      axis,
      input: input[i],
      kernel: 1,
      stride: 1,
      dilation: 1,
      padBefore: 0,
      padAfter: 0,
      exact: params.scale !== undefined ? input[i] * params.scale : out[i],
      output: out[i],
      text:
        params.scale !== undefined
          ? `⌊${input[i]} · ${pyNumber(params.scale)}⌋ = ${out[i]}`
          : inputShapes[1]
            ? `${out[i]}, the ${axis} of the 2nd input`
            : `${out[i]}, the size set`,
    }));
    const field = inputFields[0];
    const bilinear = params.mode === 'bilinear';
    return {
      outputShape: [out[0], out[1], input[2]],
      trainableParams: 0,
      nonTrainableParams: 0,
      // Bilinear: 2 taps on each axis, 4 multiply-adds per output value; nearest only copies.
      macs: bilinear ? 4 * out[0] * out[1] * input[2] : 0,
      // Nearest reads 1 position of its input, bilinear 2 neighbours per axis (one more input step);
      // the step between outputs shrinks by in/out, so it is fractional after upsampling.
      receptiveField: field?.receptiveField && field.effectiveStride ? field.receptiveField.map((r, i) => Math.ceil(r + (bilinear && out[i] !== input[i] ? field.effectiveStride![i] : 0) - 1e-9)) : undefined,
      effectiveStride: field?.effectiveStride ? field.effectiveStride.map((j, i) => Number(((j * input[i]) / out[i]).toPrecision(6))) : undefined,
      formulas,
    };
  },
  toPyTorch: (p, _inputShapes, ctx) => {
    const x = ctx.inputs[0];
    const target = ctx.inputs[1] ? `size=${ctx.inputs[1]}.shape[-2:]` : p.size ? `size=${pyWindow(p.size)}` : `scale_factor=${pyNumber(p.scale!)}`;
    const mode = p.mode === 'bilinear' ? `mode='bilinear', align_corners=${p.alignCorners ? 'True' : 'False'}` : `mode='nearest'`;
    return { modules: [], forward: `F.interpolate(${x}, ${target}, ${mode})` };
  },
  toOnnx: (p, inputShapes, ctx) => {
    const x = ctx.inputs[0];
    const attributes = {
      mode: { kind: 'string' as const, value: p.mode === 'bilinear' ? 'linear' : 'nearest' },
      // PyTorch's nearest is floor(dst / scale) ("asymmetric", floor); bilinear's half-pixel centers are
      // "half_pixel", which, unlike "pytorch_half_pixel", also maps an output of length 1 as PyTorch does.
      coordinate_transformation_mode: { kind: 'string' as const, value: p.mode === 'nearest' ? 'asymmetric' : p.alignCorners ? 'align_corners' : 'half_pixel' },
      ...(p.mode === 'nearest' ? { nearest_mode: { kind: 'string' as const, value: 'floor' } } : {}),
    };
    if (p.scale !== undefined && inputShapes.length === 1) {
      // Scales, not sizes: ONNX then maps dst / scale, as PyTorch does with a scale factor.
      return ctx.op('Resize', [x, '', ctx.floats([1, 1, p.scale, p.scale], [4])], attributes);
    }
    const out = outputSpatial(p, inputShapes)!;
    // The batch stays dynamic: sizes = (N, C) of the input, then the output's height and width.
    const batchAndChannels = ctx.op('Slice', [ctx.op('Shape', [x]), ctx.ints([0]), ctx.ints([2])]);
    const sizes = ctx.op('Concat', [batchAndChannels, ctx.ints(out)], { axis: onnxInt(0) });
    return ctx.op('Resize', [x, '', '', sizes], attributes);
  },
  fromOnnx: {
    ops: ['Resize'],
    read: (node, ctx) => {
      const input = ctx.inputShapes[0];
      if (input?.length !== 3) return undefined;
      const mode = attributeString(node, 'mode', 'nearest');
      const transform = attributeString(node, 'coordinate_transformation_mode', 'half_pixel');
      const params: Record<string, unknown> = {};
      if (mode === 'nearest') {
        if (transform !== 'asymmetric' || attributeString(node, 'nearest_mode', 'round_prefer_floor') !== 'floor') {
          return `nearest resampling with coordinate_transformation_mode "${transform}" and nearest_mode "${attributeString(node, 'nearest_mode', 'round_prefer_floor')}" is not PyTorch's nearest (asymmetric, floor)`;
        }
        params.mode = 'nearest';
      } else if (mode === 'linear') {
        params.mode = 'bilinear';
        if (transform === 'align_corners') params.alignCorners = true;
        else if (transform !== 'half_pixel' && transform !== 'pytorch_half_pixel') return `linear resampling with coordinate_transformation_mode "${transform}" has no Upsample2D parameter`;
      } else return `Resize mode "${mode}" has no Upsample2D mode (nearest, bilinear)`;
      if (node.attributes.exclude_outside?.kind === 'int' && node.attributes.exclude_outside.value !== 0) return 'Resize with exclude_outside has no Upsample2D parameter';
      const scales = ctx.constant(2);
      const sizes = ctx.constant(3);
      if (scales?.floats && scales.floats.length === 4) {
        const [n, c, sh, sw] = Array.from(scales.floats);
        if (n !== 1 || c !== 1) return 'Resize that scales the batch or the channels has no Upsample2D parameter';
        const out = [Math.floor(input[0] * sh), Math.floor(input[1] * sw)];
        if (sh === sw) params.scale = Number(sh.toPrecision(7));
        // Different factors per axis: a size, which maps positions by in/out, the same only where the factor is exact.
        else if (out[0] === input[0] * sh && out[1] === input[1] * sw) params.size = out;
        else return `scales ${sh} and ${sw} that differ and do not give whole sizes have no Upsample2D parameter`;
      } else if (sizes?.ints && sizes.ints.length === 4) {
        const [, c, h, w] = sizes.ints;
        if (c !== input[2] && c !== -1) return 'Resize that changes the channels has no Upsample2D parameter';
        params.size = h === w ? h : [h, w];
      } else return 'Resize whose scales or sizes are computed at run time (not constants) has no Upsample2D parameter';
      if (params.mode === 'nearest') delete params.mode;
      return { params };
    },
  },
  keras: {
    classNames: ['UpSampling2D', CNN_RESIZE_2D.className],
    toLayers: (p, inputShapes) => {
      // Keras' UpSampling2D repeats pixels by an integer factor: exactly PyTorch's nearest there. Its bilinear
      // differs between TF.js (no half-pixel centers) and Keras (half-pixel), so bilinear is the project's layer.
      if (p.mode === 'nearest' && p.scale !== undefined && Number.isInteger(p.scale) && inputShapes.length === 1) {
        return [{ className: 'UpSampling2D', config: { size: [p.scale, p.scale], interpolation: 'nearest' }, defaults: { size: [2, 2], interpolation: 'nearest' }, suffix: '' }];
      }
      const fromInput = inputShapes.length > 1;
      return [
        {
          className: CNN_RESIZE_2D.className,
          config: {
            size: outputSpatial(p, inputShapes),
            mode: p.mode,
            alignCorners: p.alignCorners,
            ...(p.scale !== undefined && !fromInput ? { scale: p.scale } : {}),
            ...(fromInput ? { sizeFromInput: true } : {}),
          },
          defaults: { mode: 'nearest', alignCorners: false, sizeFromInput: false },
          suffix: '',
          custom: CNN_RESIZE_2D,
        },
      ];
    },
    fromConfig: (layer) => {
      const mode = layer.get('interpolation') ?? layer.get('mode') ?? 'nearest';
      if (mode !== 'nearest' && mode !== 'bilinear') {
        layer.report(`interpolation "${String(mode)}" has no Upsample2D mode (nearest, bilinear).`);
        return undefined;
      }
      const params: Record<string, unknown> = mode === 'bilinear' ? { mode } : {};
      if (layer.className === 'UpSampling2D') {
        // Keras resizes bilinearly with half-pixel centers, PyTorch's align_corners=False.
        const size = kerasWindow(layer.get('size') ?? 2);
        if (typeof size !== 'number') {
          layer.report(`UpSampling2D with different factors ${JSON.stringify(size)} per axis: Upsample2D takes one scale (or a fixed size).`);
          return undefined;
        }
        return { scale: size, ...params };
      }
      if (layer.get('align_corners') === true) params.alignCorners = true;
      if (layer.get('size_from_input') === true) return params;
      const scale = layer.get('scale');
      if (typeof scale === 'number') return { scale, ...params };
      const size = kerasWindow(layer.get('size'));
      if (size === undefined) {
        layer.report(`${CNN_RESIZE_2D.className} without a size.`);
        return undefined;
      }
      return { size, ...params };
    },
  },
};
