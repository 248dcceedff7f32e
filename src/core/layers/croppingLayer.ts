import type { Shape } from '../design';
import type { AxisFormula, LayerType } from './layerType';
import { attributeInts, onnxInts } from './onnxCode';
import { compactSides, kerasSides, sidesFromKeras } from './sides';

export interface CroppingParams {
  /** [top, bottom, left, right]. */
  cropping: number[];
}

/** The rows and columns cut from each side: the parameter's, or, with a 2nd input, a center crop to that input's size (U-Net's skips). */
export function croppingSides(params: CroppingParams, inputShapes: Shape[]): number[] {
  if (inputShapes.length < 2) return params.cropping;
  const [input, reference] = inputShapes;
  const around = (size: number, target: number): [number, number] => [Math.floor((size - target) / 2), size - target - Math.floor((size - target) / 2)];
  return [...around(input[0], reference[0]), ...around(input[1], reference[1])];
}

const AXES = ['height', 'width'] as const;

export const cropping2dLayer: LayerType<CroppingParams> = {
  type: 'Cropping2D',
  label: 'Cropping 2D',
  group: 'reshape',
  description:
    'Cuts rows and columns off the edges of an image: cropping [top, bottom, left, right]; or, with a 2nd input, crops around the center to that input\'s height and width (the U-Net\'s skip connections).',
  params: [
    {
      name: 'cropping',
      label: 'Cropping',
      kind: 'sides',
      dims: 2,
      default: 0,
      doc: 'Rows and columns cut off: 1, [top/bottom, left/right] or [top, bottom, left, right]. With a 2nd input, leave it 0: the crop follows that input\'s size.',
      unit: 'px',
    },
  ],
  inputs: { min: 1, max: 2 },
  summarize: (p) => (p.cropping.every((c) => c === 0) ? 'center crop' : `crop ${p.cropping.join('/')}`),
  infer: ({ node, params, inputShapes, inputFields, report }) => {
    const [input, reference] = inputShapes;
    if (input.length !== 3) {
      report({ severity: 'error', code: 'wrong-input-rank', message: `Cropping 2D needs an image [height, width, channels], but gets [${input.join(', ')}].` });
      return undefined;
    }
    if (reference) {
      if (reference.length !== 3) {
        report({ severity: 'error', code: 'wrong-input-rank', message: `Cropping 2D crops to the height and width of its 2nd input, an image, but that input is [${reference.join(', ')}].` });
        return undefined;
      }
      if (params.cropping.some((c) => c !== 0)) {
        report({
          severity: 'error',
          code: 'cropping-with-reference',
          param: 'cropping',
          message: 'With a 2nd input the crop follows that input\'s size, so cropping must stay 0: remove one of the two.',
          fixes: [{ title: 'Use cropping 0', edit: { kind: 'setParams', nodeId: node.id, params: { cropping: 0 } } }],
        });
        return undefined;
      }
      if (reference[0] > input[0] || reference[1] > input[1]) {
        report({
          severity: 'error',
          code: 'crop-larger-than-input',
          message: `Cropping 2D cannot crop the ${input[0]}×${input[1]} input to the larger ${reference[0]}×${reference[1]} of its 2nd input: swap the two inputs, or pad instead.`,
        });
        return undefined;
      }
    }
    const sides = croppingSides(params, inputShapes);
    const output = [input[0] - sides[0] - sides[1], input[1] - sides[2] - sides[3]];
    const formulas: AxisFormula[] = output.map((out, i) => ({
      axis: AXES[i],
      input: input[i],
      kernel: 1,
      stride: 1,
      dilation: 1,
      padBefore: -sides[2 * i],
      padAfter: -sides[2 * i + 1],
      exact: out,
      output: out,
      text: `${input[i]} − ${sides[2 * i]} − ${sides[2 * i + 1]} = ${out}${reference ? ` (centered on the 2nd input's ${reference[i]})` : ''}`,
    }));
    if (output.some((o) => o < 1)) {
      const half = [Math.floor((input[0] - 1) / 2), Math.floor((input[1] - 1) / 2)];
      report({
        severity: 'error',
        code: 'crop-removes-everything',
        param: 'cropping',
        message: `Cropping ${sides.join('/')} removes the whole ${input[0]}×${input[1]} input: ${formulas.map((f) => `${f.axis} ${f.text}`).join('; ')}.`,
        fixes: [{ title: `Use cropping [${half[0]}, ${half[1]}]`, edit: { kind: 'setParams', nodeId: node.id, params: { cropping: compactSides([half[0], half[0], half[1], half[1]]) } } }],
      });
      return undefined;
    }
    // Cropping moves no window: every remaining position sees what it saw before.
    const field = inputFields[0];
    return { outputShape: [...output, input[2]], trainableParams: 0, nonTrainableParams: 0, macs: 0, receptiveField: field?.receptiveField, effectiveStride: field?.effectiveStride, formulas };
  },
  toPyTorch: (p, inputShapes, ctx) => {
    const [h, w] = inputShapes[0];
    const [top, bottom, left, right] = croppingSides(p, inputShapes);
    return {
      modules: [],
      forward: `${ctx.inputs[0]}[:, :, ${top}:${h - bottom}, ${left}:${w - right}]`,
      ...(inputShapes.length > 1 ? { comment: `centered to the ${inputShapes[1][0]}×${inputShapes[1][1]} of its 2nd input` } : {}),
    };
  },
  toOnnx: (p, inputShapes, ctx) => {
    const [h, w] = inputShapes[0];
    const [top, bottom, left, right] = croppingSides(p, inputShapes);
    return ctx.op('Slice', [ctx.inputs[0], ctx.ints([top, left]), ctx.ints([h - bottom, w - right]), ctx.ints([2, 3])]);
  },
  fromOnnx: {
    ops: ['Slice'],
    // A Slice of height and width with step 1 and constant bounds is a crop; other slices are another type's.
    read: (node, ctx) => {
      const input = ctx.inputShapes[0];
      if (input?.length !== 3 || node.inputs.length < 4) return undefined;
      const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => ctx.constant(i));
      if (!starts?.ints || !ends?.ints || !axes?.ints) return undefined;
      if (steps && !steps.ints?.every((s) => s === 1)) return undefined;
      const axis = axes.ints.map((a) => (a < 0 ? a + 4 : a));
      if (!axis.every((a) => a === 2 || a === 3)) return undefined;
      const sides = [0, 0, 0, 0];
      axis.forEach((a, i) => {
        const size = input[a - 2];
        const clamp = (v: number): number => Math.max(0, Math.min(size, v < 0 ? v + size : v));
        sides[2 * (a - 2)] = clamp(starts.ints![i]);
        sides[2 * (a - 2) + 1] = size - clamp(ends.ints![i]);
      });
      return { params: sides.every((s) => s === 0) ? {} : { cropping: compactSides(sides) } };
    },
  },
  keras: {
    classNames: ['Cropping2D'],
    // Keras crops by fixed amounts: the 2nd input's size is known when the layers are written, and the layer reads only the image it crops.
    toLayers: (p, inputShapes) => [{ className: 'Cropping2D', config: { cropping: kerasSides(croppingSides(p, inputShapes)) }, suffix: '', inputs: [0] }],
    fromConfig: (layer) => {
      const sides = sidesFromKeras(layer.get('cropping'));
      if (!sides) {
        layer.report(`cropping ${JSON.stringify(layer.get('cropping'))} is not one the designer reads (n, [h, w] or [[top, bottom], [left, right]]).`);
        return undefined;
      }
      return sides.every((s) => s === 0) ? {} : { cropping: compactSides(sides) };
    },
  },
};
