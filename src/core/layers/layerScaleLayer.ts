import type { KerasCustomLayer, LayerType } from './layerType';
import { pyNumber } from './pytorchCode';
import { channelsFirstBroadcast, channelsOf, elementsOf } from './channelAxes';

export interface LayerScaleParams {
  initValue: number;
}

/** A learned factor per channel, as ConvNeXt's layer_scale; Keras has no layer for it. */
export const CNN_LAYER_SCALE: KerasCustomLayer = {
  className: 'CnnLayerScale',
  js: `/** Multiplies each channel (last axis) by a learned factor that starts at initValue (ConvNeXt's layer scale). */
class CnnLayerScale extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.initValue = config.initValue;
  }
  build(inputShape) {
    this.gamma = this.addWeight('gamma', [inputShape[inputShape.length - 1]], 'float32', tf.initializers.constant({ value: this.initValue }));
    this.built = true;
  }
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.mul(x, this.gamma.read()));
  }
  getConfig() {
    return { ...super.getConfig(), initValue: this.initValue };
  }
}
CnnLayerScale.className = 'CnnLayerScale';
tf.serialization.registerClass(CnnLayerScale);`,
  python: `class CnnLayerScale(layers.Layer):
    """Multiplies each channel (last axis) by a learned factor that starts at init_value (ConvNeXt's layer scale)."""

    def __init__(self, init_value=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.init_value = init_value

    def build(self, input_shape):
        self.gamma = self.add_weight(name="gamma", shape=(input_shape[-1],), initializer=tf.keras.initializers.Constant(self.init_value))

    def call(self, x):
        return x * self.gamma

    def get_config(self):
        return {**super().get_config(), "init_value": self.init_value}`,
};

/** The PyTorch module the export defines for it (torch.nn has none); its parameter is shaped as torchvision's ConvNeXt holds it. */
const PY_LAYER_SCALE = {
  name: 'LayerScale',
  python: `class LayerScale(nn.Module):
    """Multiplies each channel by a learned factor that starts at init_value (ConvNeXt's layer scale)."""

    def __init__(self, channels, init_value, spatial_dims):
        super().__init__()
        self.scale = nn.Parameter(torch.full((channels,) + (1,) * spatial_dims, float(init_value)))

    def forward(self, x):
        return x * self.scale`,
};

export const layerScaleLayer: LayerType<LayerScaleParams> = {
  type: 'LayerScale',
  label: 'Layer scale',
  group: 'normalization',
  description:
    'Multiplies each channel by a learned factor that starts small (ConvNeXt, CaiT): a residual branch begins almost silent and its weight is learned.',
  params: [{ name: 'initValue', label: 'Initial scale', kind: 'number', min: 0, max: 1e6, default: 0.000001, doc: "Every channel's factor before training (ConvNeXt: 1e-6)." }],
  inputs: { min: 1, max: 1 },
  summarize: (p) => `×${p.initValue}`,
  infer: ({ inputShapes }) => {
    const input = inputShapes[0];
    return { outputShape: [...input], trainableParams: channelsOf(input), nonTrainableParams: 0, macs: elementsOf(input) };
  },
  toPyTorch: (p, inputShapes, ctx) => {
    const input = inputShapes[0];
    return {
      modules: [{ suffix: '', init: `LayerScale(${channelsOf(input)}, ${pyNumber(p.initValue)}, ${input.length - 1})` }],
      forward: `${ctx.module()}(${ctx.inputs[0]})`,
      definitions: [PY_LAYER_SCALE],
    };
  },
  toOnnx: (p, inputShapes, ctx) => ctx.op('Mul', [ctx.inputs[0], ctx.parameter('scale', channelsFirstBroadcast(inputShapes[0]), { constant: p.initValue })]),
  fromOnnx: {
    ops: ['Mul'],
    read: (node, ctx) => {
      // x · a per-channel constant, (C, 1, 1) or (C, 1) or (C,): torch.onnx.export's parameter × tensor (ConvNeXt).
      const input = ctx.inputShapes[0];
      if (ctx.inputShapes.length !== 1 || !input) return undefined;
      const index = ctx.constant(1) ? 1 : ctx.constant(0) ? 0 : -1;
      const scale = index >= 0 ? ctx.constant(index) : undefined;
      if (!scale?.floats) return undefined;
      const channels = channelsOf(input);
      const broadcast = channelsFirstBroadcast(input);
      const fits = scale.floats.length === channels && scale.dims.length <= broadcast.length && scale.dims.join() === broadcast.slice(0, scale.dims.length).join();
      if (!fits) return `Mul by a constant of shape [${scale.dims.join(', ')}] (only one factor per channel is a layer scale)`;
      return { params: { initValue: Number(scale.floats[0].toPrecision(7)) }, weights: { gamma: { shape: [channels], data: scale.floats } }, dataInputs: [1 - index] };
    },
  },
  keras: {
    classNames: [CNN_LAYER_SCALE.className],
    toLayers: (p, inputShapes) => {
      const input = inputShapes[0];
      return [
        {
          className: CNN_LAYER_SCALE.className,
          config: { initValue: p.initValue },
          weights: { gamma: { param: 'scale', shape: [channelsOf(input)], torchShape: channelsFirstBroadcast(input) } },
          custom: CNN_LAYER_SCALE,
          suffix: '',
        },
      ];
    },
    fromConfig: (layer) => ({ initValue: layer.get('init_value') ?? 0.000001 }),
  },
};
