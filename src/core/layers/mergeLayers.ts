import type { Shape } from '../design';
import type { InferArgs, LayerType } from './layerType';
import { onnxInt } from './onnxCode';

const shapeText = (shape: Shape): string => `[${shape.join(', ')}]`;

/** Receptive field over branches: the largest, as the issue of a merge is to see the widest context. */
function mergedField(args: InferArgs<unknown>): { receptiveField?: number[]; effectiveStride?: number[] } {
  const fields = args.inputFields;
  if (fields.length === 0 || !fields[0].receptiveField) return {};
  const dims = fields[0].receptiveField.length;
  for (const f of fields) if (!f.receptiveField || !f.effectiveStride || f.receptiveField.length !== dims) return {};
  return { receptiveField: largestPerAxis(fields.map((f) => f.receptiveField!)), effectiveStride: largestPerAxis(fields.map((f) => f.effectiveStride!)) };
}

/** The largest value of each axis over the lists (plain loops: a merge is analyzed on every keystroke). */
function largestPerAxis(lists: number[][]): number[] {
  const largest = lists[0].slice();
  for (let j = 1; j < lists.length; j++) for (let i = 0; i < largest.length; i++) if (lists[j][i] > largest[i]) largest[i] = lists[j][i];
  return largest;
}

export const addLayer: LayerType<Record<string, never>> = {
  type: 'Add',
  label: 'Add',
  group: 'merge',
  description: 'Adds its inputs element-wise (residual connections); all inputs must have the same shape.',
  params: [],
  inputs: { min: 2, max: 64 },
  summarize: () => '+',
  infer: (args) => {
    const { inputShapes, report } = args;
    const first = inputShapes[0];
    const other = inputShapes.find((s) => s.length !== first.length || s.some((d, i) => d !== first[i]));
    if (other) {
      const axes = first.length === 3 ? ['height', 'width', 'channels'] : first.length === 2 ? ['length', 'channels'] : ['size'];
      const differ = first.length !== other.length ? ['number of axes'] : axes.filter((_, i) => first[i] !== other[i]);
      // The fixes depend on the branches upstream, so the analysis finds them (and keeps those that work).
      report({
        severity: 'error',
        code: 'merge-shape-mismatch',
        message: `Add needs inputs of the same shape, but gets ${shapeText(first)} and ${shapeText(other)} (their ${differ.length > 1 ? `${differ.slice(0, -1).join(', ')} and ${differ[differ.length - 1]}` : differ[0]} differ${differ.length > 1 || differ[0] === 'channels' ? '' : 's'}).`,
      });
      return undefined;
    }
    return { outputShape: [...first], trainableParams: 0, nonTrainableParams: 0, macs: 0, ...mergedField(args as InferArgs<unknown>) };
  },
  toPyTorch: (_p, _shapes, ctx) => ({ modules: [], forward: ctx.inputs.join(' + ') }),
  toOnnx: (_p, _shapes, ctx) => ctx.inputs.slice(1).reduce((sum, x) => ctx.op('Add', [sum, x]), ctx.inputs[0]),
  fromOnnx: { ops: ['Add', 'Sum'], read: (node, ctx) => (ctx.inputShapes.length >= 2 && node.inputs.every((_, i) => !ctx.constant(i)) ? { params: {}, dataInputs: node.inputs.map((_, i) => i) } : undefined) },
  keras: {
    classNames: ['Add'],
    toLayers: () => [{ className: 'Add', config: {}, suffix: '' }],
    fromConfig: () => ({}),
  },
};

export const concatLayer: LayerType<Record<string, never>> = {
  type: 'Concat',
  label: 'Concatenate',
  group: 'merge',
  description: 'Stacks its inputs along the channel axis (Inception, DenseNet, U-Net); all other sizes must match.',
  params: [],
  inputs: { min: 2, max: 64 },
  summarize: () => '‖ channels',
  infer: (args) => {
    const { inputShapes, report } = args;
    const first = inputShapes[0];
    const other = inputShapes.find((s) => s.length !== first.length || s.slice(0, -1).some((d, i) => d !== first[i]));
    if (other) {
      report({
        severity: 'error',
        code: 'merge-shape-mismatch',
        message: `Concatenate joins along channels, so all other sizes must match, but it gets ${shapeText(first)} and ${shapeText(other)}.${
          first.length === other.length ? ' Resize one branch (pooling, stride or padding) so their spatial sizes agree.' : ' The inputs do not even have the same number of axes.'
        }`,
      });
      return undefined;
    }
    const channels = inputShapes.reduce((sum, s) => sum + s[s.length - 1], 0);
    return { outputShape: [...first.slice(0, -1), channels], trainableParams: 0, nonTrainableParams: 0, macs: 0, ...mergedField(args as InferArgs<unknown>) };
  },
  // Channels are axis 1 of PyTorch's channels-first tensors.
  toPyTorch: (_p, _shapes, ctx) => ({ modules: [], forward: `torch.cat([${ctx.inputs.join(', ')}], dim=1)` }),
  toOnnx: (_p, _shapes, ctx) => ctx.op('Concat', ctx.inputs, { axis: onnxInt(1) }),
  fromOnnx: {
    ops: ['Concat'],
    read: (node, ctx) => {
      const rank = ctx.inputShapes[0]?.length ?? 0;
      const axis = node.attributes.axis?.kind === 'int' ? node.attributes.axis.value : 1;
      // Channels are ONNX axis 1 (or -rank-1 counted from the end).
      if (axis !== 1 && axis !== -rank) return `concatenation along axis ${axis} (not channels) has no layer type`;
      return { params: {}, dataInputs: node.inputs.map((_, i) => i) };
    },
  },
  keras: {
    classNames: ['Concatenate'],
    toLayers: () => [{ className: 'Concatenate', config: { axis: -1 }, defaults: { axis: -1 }, suffix: '' }],
    fromConfig: (layer) => {
      const axis = layer.get('axis');
      if (axis !== undefined && axis !== -1) {
        layer.report(`concatenating along axis ${String(axis)} is not supported (only the channel axis, -1).`);
        return undefined;
      }
      return {};
    },
  },
};
