import type { AxisFormula, LayerType } from './layerType';
import { CNN_ADAPTIVE_AVG_POOL_2D, CNN_ADAPTIVE_MAX_POOL_2D } from './kerasResample';
import { kerasWindow } from './kerasConfig';
import { sizeText } from './commonParams';
import { pyWindow } from './pytorchCode';
import { onnxInt, onnxInts } from './onnxCode';
import { adaptiveAverageMatrix, adaptiveIsUniform, adaptiveWindow } from './resampleAxes';

export interface AdaptivePoolingParams {
  outputSize: number[];
}

const AXES = ['height', 'width'] as const;

/** The size of each of adaptive pooling's windows along an axis. */
function windowSizes(input: number, output: number): number[] {
  return Array.from({ length: output }, (_, i) => {
    const [start, end] = adaptiveWindow(i, input, output);
    return end - start;
  });
}

/**
 * PyTorch's adaptive average / max pooling to a fixed output size: output i of an axis pools inputs
 * ⌊i·in/out⌋ to ⌈(i+1)·in/out⌉ − 1, so the windows differ (and overlap) where out does not divide in.
 */
function adaptivePooling(kind: 'avg' | 'max'): LayerType<AdaptivePoolingParams> {
  const type = kind === 'avg' ? 'AdaptiveAvgPool2D' : 'AdaptiveMaxPool2D';
  const label = kind === 'avg' ? 'Adaptive average pool 2D' : 'Adaptive max pool 2D';
  const custom = kind === 'avg' ? CNN_ADAPTIVE_AVG_POOL_2D : CNN_ADAPTIVE_MAX_POOL_2D;
  return {
    type,
    label,
    group: 'pooling',
    description: `${kind === 'avg' ? 'Averages' : 'Takes the maximum of'} windows that cover the image in outputSize steps, whatever the input size (PyTorch's nn.Adaptive${kind === 'avg' ? 'Avg' : 'Max'}Pool2d, as VGG and AlexNet end in): window i spans ⌊i·in/out⌋ to ⌈(i+1)·in/out⌉ − 1, so windows differ in size where the output does not divide the input.`,
    params: [
      { name: 'outputSize', label: 'Output size', kind: 'window', dims: 2, min: 1, required: true, doc: 'Output height and width: 7, or [height, width].', unit: 'px' },
    ],
    inputs: { min: 1, max: 1 },
    summarize: (p) => `→ ${sizeText(p.outputSize)}`,
    infer: ({ node, params, inputShapes, inputFields, report }) => {
      const input = inputShapes[0];
      if (input.length !== 3) {
        report({ severity: 'error', code: 'wrong-input-rank', message: `${label} needs an image [height, width, channels], but gets [${input.join(', ')}].` });
        return undefined;
      }
      const out = params.outputSize;
      const formulas: AxisFormula[] = AXES.map((axis, i) => {
        const sizes = windowSizes(input[i], out[i]);
        const [lo, hi] = [Math.min(...sizes), Math.max(...sizes)];
        return {
          axis,
          input: input[i],
          kernel: hi,
          stride: input[i] / out[i],
          dilation: 1,
          padBefore: 0,
          padAfter: 0,
          exact: out[i],
          output: out[i],
          text: adaptiveIsUniform(input[i], out[i])
            ? `${out[i]} windows of ${hi} (${input[i]} / ${out[i]}), as pooling ${hi} with stride ${hi}`
            : `${out[i]} windows of ${lo === hi ? hi : `${lo} to ${hi}`}: window i spans ⌊i·${input[i]}/${out[i]}⌋ to ⌈(i+1)·${input[i]}/${out[i]}⌉ − 1`,
        };
      });
      if (out.some((o, i) => o > input[i])) {
        report({
          severity: 'warning',
          code: 'adaptive-pool-upsamples',
          param: 'outputSize',
          message: `Output ${out.join('×')} is larger than the input ${input[0]}×${input[1]}: windows of 1 repeat input pixels (PyTorch does the same, e.g. VGG's pool to 7×7 on a small image).`,
          fixes: [{ title: `Pool to ${Math.min(out[0], input[0])}×${Math.min(out[1], input[1])}`, edit: { kind: 'setParams', nodeId: node.id, params: { outputSize: [Math.min(out[0], input[0]), Math.min(out[1], input[1])] } } }],
        });
      }
      const field = inputFields[0];
      const largest = AXES.map((_, i) => Math.max(...windowSizes(input[i], out[i])));
      return {
        outputShape: [out[0], out[1], input[2]],
        trainableParams: 0,
        nonTrainableParams: 0,
        // As the other pooling layers: sums and comparisons, no multiply-accumulates.
        macs: 0,
        // The largest window decides what an output can see; the step between windows is in/out on average.
        receptiveField: field?.receptiveField && field.effectiveStride ? field.receptiveField.map((r, i) => Math.ceil(r + (largest[i] - 1) * field.effectiveStride![i] - 1e-9)) : undefined,
        effectiveStride: field?.effectiveStride ? field.effectiveStride.map((j, i) => Number(((j * input[i]) / out[i]).toPrecision(6))) : undefined,
        formulas,
      };
    },
    toPyTorch: (p, _shapes, ctx) => ({ modules: [{ suffix: '', init: `nn.Adaptive${kind === 'avg' ? 'Avg' : 'Max'}Pool2d(${pyWindow(p.outputSize)})` }], forward: `${ctx.module()}(${ctx.inputs[0]})` }),
    toOnnx: (p, inputShapes, ctx) => {
      const input = inputShapes[0];
      const x = ctx.inputs[0];
      if (p.outputSize.every((o, i) => adaptiveIsUniform(input[i], o))) {
        const k = p.outputSize.map((o, i) => input[i] / o);
        return ctx.op(kind === 'avg' ? 'AveragePool' : 'MaxPool', [x], { kernel_shape: onnxInts(k), strides: onnxInts(k) });
      }
      if (kind === 'avg') {
        // Averaging each axis' windows is a fixed matrix: (N, C, H, W)·Awᵀ, then Ah·(N, C, H, outW).
        const [outH, outW] = p.outputSize;
        const ah = adaptiveAverageMatrix(input[0], outH);
        const aw = adaptiveAverageMatrix(input[1], outW);
        const awT = Array.from({ length: input[1] * outW }, (_, k) => aw[(k % outW) * input[1] + Math.floor(k / outW)]);
        const widths = ctx.op('MatMul', [x, ctx.floats(awT, [input[1], outW])]);
        return ctx.op('MatMul', [ctx.floats(Array.from(ah), [outH, input[0]]), widths]);
      }
      // Max: each window's slice, reduced, concatenated; height first, then width (a max of maxes).
      let value = x;
      for (const [i, axis] of [[0, 2], [1, 3]] as const) {
        const parts = Array.from({ length: p.outputSize[i] }, (_, o) => {
          const [start, end] = adaptiveWindow(o, input[i], p.outputSize[i]);
          const slice = ctx.op('Slice', [value, ctx.ints([start]), ctx.ints([end]), ctx.ints([axis])]);
          return ctx.op('ReduceMax', [slice], { axes: onnxInts([axis]), keepdims: onnxInt(1) });
        });
        value = parts.length === 1 ? parts[0] : ctx.op('Concat', parts, { axis: onnxInt(axis) });
      }
      return value;
    },
    keras: {
      // Keras has no adaptive pooling; the project's layer computes plain pooling's result where windows
      // are uniform too, so that a model.json reads back as this type.
      classNames: [custom.className],
      toLayers: (p) => [{ className: custom.className, config: { size: p.outputSize }, suffix: '', custom }],
      fromConfig: (layer) => {
        const size = kerasWindow(layer.get('size'));
        if (size === undefined) {
          layer.report(`${custom.className} without a size.`);
          return undefined;
        }
        return { outputSize: size };
      },
    },
  };
}

export const adaptiveAvgPool2dLayer = adaptivePooling('avg');
export const adaptiveMaxPool2dLayer = adaptivePooling('max');
