import type { Shape } from '../design';
import type { InferArgs, LayerType } from './layerType';

const shapeText = (shape: Shape): string => `[${shape.join(', ')}]`;

/**
 * An input as it broadcasts against outputs of `rank` axes: a vector [C] stands for the channels
 * ([1, 1, C] against an image, [1, C] against a sequence), so an SE block's gate may come as [C] too.
 */
function broadcastShape(shape: Shape, rank: number): Shape {
  return shape.length === rank ? shape : [...new Array<number>(rank - shape.length).fill(1), ...shape];
}

const AXES: Record<number, string[]> = { 3: ['height', 'width', 'channels'], 2: ['length', 'channels'], 1: ['channels'] };

/**
 * Receptive field of the product: the widest among the inputs that are not broadcast along space.
 * A [1, 1, C] or [C] gate (squeeze-and-excitation) has seen the whole input of its pooling, but it
 * scales every position alike, so by the convention used for SE nets it adds no field. The step between output positions is that
 * of the inputs that are not broadcast: a kept-dims gate's step (its whole input) is not the
 * product's, and taken as such it would grow every later layer's field without bound.
 */
function multipliedField(args: InferArgs<unknown>, rank: number): { receptiveField?: number[]; effectiveStride?: number[] } {
  const spatial = (i: number) => args.inputShapes[i].slice(0, rank - 1);
  const outputSpatial = Array.from({ length: rank - 1 }, (_, axis) => Math.max(...args.inputShapes.map((s, i) => (s.length === rank ? spatial(i)[axis] : 1))));
  const withField = args.inputFields.map((f, i) => ({ f, i })).filter(({ f, i }) => f.receptiveField && f.effectiveStride && args.inputShapes[i].length === rank && f.receptiveField.length === rank - 1);
  const full = withField.filter(({ i }) => spatial(i).every((d, axis) => d === outputSpatial[axis]));
  if (withField.length === 0 || full.length === 0) return {};
  return {
    receptiveField: full[0].f.receptiveField!.map((_, axis) => Math.max(...full.map(({ f }) => f.receptiveField![axis]))),
    effectiveStride: full[0].f.effectiveStride!.map((_, axis) => Math.max(...full.map(({ f }) => f.effectiveStride![axis]))),
  };
}

export const multiplyLayer: LayerType<Record<string, never>> = {
  type: 'Multiply',
  label: 'Multiply',
  group: 'merge',
  description:
    'Multiplies its inputs element-wise, broadcasting axes of size 1 as NumPy does: [H, W, C] × [1, 1, C] scales each channel (squeeze-and-excitation); a vector [C] counts as [1, 1, C]. Receptive field: that of the inputs not broadcast along space; a [1, 1, C] gate adds none, as for SE nets.',
  params: [],
  inputs: { min: 2, max: 64 },
  summarize: () => '×',
  infer: (args) => {
    const { inputShapes, report } = args;
    const rank = Math.max(...inputShapes.map((s) => s.length));
    const odd = inputShapes.find((s) => s.length !== rank && s.length !== 1);
    if (odd) {
      const full = inputShapes.find((s) => s.length === rank)!;
      report({
        severity: 'error',
        code: 'merge-shape-mismatch',
        message: `Multiply broadcasts inputs with the same number of axes, or a vector [C] over the channels, but gets ${shapeText(full)} and ${shapeText(odd)}. Give both inputs the same number of axes (e.g. global pooling with keepDims gives [1, 1, C]).`,
      });
      return undefined;
    }
    const aligned = inputShapes.map((s) => broadcastShape(s, rank));
    const outputShape: Shape = [];
    for (let axis = 0; axis < rank; axis++) {
      const sizes = aligned.map((s) => s[axis]);
      const size = Math.max(...sizes);
      const clash = aligned.findIndex((s) => s[axis] !== 1 && s[axis] !== size);
      if (clash >= 0) {
        const big = aligned.findIndex((s) => s[axis] === size);
        const name = AXES[rank]?.[axis] ?? `axis ${axis}`;
        report({
          severity: 'error',
          code: 'merge-shape-mismatch',
          message: `Multiply cannot broadcast ${shapeText(inputShapes[big])} (input ${big + 1}) with ${shapeText(inputShapes[clash])} (input ${clash + 1}): their ${name} are ${size} and ${aligned[clash][axis]}, and sizes must be equal or 1.${
            name === 'channels' ? ` Give the branch of input ${clash + 1} ${size} channels (e.g. the filters of its last convolution).` : ''
          }`,
        });
        return undefined;
      }
      outputShape.push(size);
    }
    const elements = outputShape.reduce((a, b) => a * b, 1);
    return { outputShape, trainableParams: 0, nonTrainableParams: 0, macs: elements * (inputShapes.length - 1), ...multipliedField(args as InferArgs<unknown>, rank) };
  },
  toPyTorch: (_p, inputShapes, ctx) => {
    const rank = Math.max(...inputShapes.map((s) => s.length));
    // Channels-first: a vector (N, C) must be (N, C, 1, 1) to scale the channels of (N, C, H, W), not its last axis.
    const unsqueeze = rank === 3 ? '[:, :, None, None]' : '[:, :, None]';
    const operands = ctx.inputs.map((x, i) => (inputShapes[i].length === 1 && rank > 1 ? `${x}${unsqueeze}` : x));
    return {
      modules: [],
      forward: operands.join(' * '),
      ...(operands.some((x, i) => x !== ctx.inputs[i]) ? { comment: 'a vector operand is given the spatial axes explicitly, so it scales the channels (axis 1)' } : {}),
    };
  },
  toOnnx: (_p, inputShapes, ctx) => {
    const rank = Math.max(...inputShapes.map((s) => s.length));
    // (N, C) → (N, C, 1, 1): ONNX broadcasts from the last axis, which is width, not channels, in (N, C, H, W).
    const operands = ctx.inputs.map((x, i) => {
      const shape = inputShapes[i];
      return shape.length === 1 && rank > 1 ? ctx.op('Reshape', [x, ctx.ints([-1, shape[0], ...new Array<number>(rank - 1).fill(1)])]) : x;
    });
    return operands.slice(1).reduce((product, x) => ctx.op('Mul', [product, x]), operands[0]);
  },
  fromOnnx: {
    ops: ['Mul'],
    read: (node, ctx) => (ctx.inputShapes.length >= 2 && node.inputs.every((_, i) => !ctx.constant(i)) ? { params: {}, dataInputs: node.inputs.map((_, i) => i) } : undefined),
  },
  keras: {
    classNames: ['Multiply'],
    // Keras' and TF.js' Multiply broadcast axes of size 1 and prepend the missing axes of a lower-rank input (after the batch), as here.
    toLayers: () => [{ className: 'Multiply', config: {}, suffix: '' }],
    fromConfig: () => ({}),
  },
};
