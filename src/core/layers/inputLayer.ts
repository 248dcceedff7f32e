import type { Shape } from '../design';
import type { LayerType } from './layerType';

/** Keras' class for a model input; exports write it as `keras.Input` / `tf.input`. */
export const KERAS_INPUT_CLASS = 'InputLayer';

export interface InputParams {
  shape: Shape;
}

export const inputLayer: LayerType<InputParams> = {
  type: 'Input',
  label: 'Input',
  group: 'input',
  description: 'The network input: one sample, channels last ([height, width, channels] for images).',
  params: [
    {
      name: 'shape',
      label: 'Shape',
      kind: 'shape',
      required: true,
      doc: '[height, width, channels] for images, [length, channels] for sequences, [features] for vectors.',
    },
  ],
  inputs: { min: 0, max: 0 },
  summarize: (p) => p.shape.join('×'),
  infer: ({ params }) => {
    const spatial = params.shape.length - 1;
    return {
      outputShape: [...params.shape],
      trainableParams: 0,
      nonTrainableParams: 0,
      macs: 0,
      receptiveField: spatial > 0 ? new Array(spatial).fill(1) : undefined,
      effectiveStride: spatial > 0 ? new Array(spatial).fill(1) : undefined,
    };
  },
  // The forward argument itself: the generator passes it as the only input.
  toPyTorch: (_p, _shapes, ctx) => ({ modules: [], forward: ctx.inputs[0] }),
  toOnnx: (_p, _shapes, ctx) => ctx.inputs[0],
  keras: {
    classNames: [KERAS_INPUT_CLASS],
    toLayers: (p) => [{ className: KERAS_INPUT_CLASS, config: { batchInputShape: [null, ...p.shape] }, suffix: '' }],
    fromConfig: (layer) => {
      const shape = layer.get('batch_input_shape') ?? layer.get('batch_shape');
      if (Array.isArray(shape) && shape.slice(1).every((d) => typeof d === 'number')) return { shape: shape.slice(1) };
      layer.report('the input shape must be fixed (every size but the batch a number).');
      return undefined;
    },
  },
};
