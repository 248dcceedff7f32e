import type { KerasCustomLayer, LayerType } from './layerType';
import { pyNumber } from './pytorchCode';

export interface SpatialDropoutParams {
  rate: number;
}

/** Keras' SpatialDropout2D, which TF.js lacks: the TF.js export defines it under Keras' name, so saved models load in either. */
export const SPATIAL_DROPOUT_2D: KerasCustomLayer = {
  className: 'SpatialDropout2D',
  inKeras: true,
  js: `/** Keras' SpatialDropout2D (TF.js has none): in training, zeroes whole channels of each sample with probability rate and scales the others by 1 / (1 - rate). */
class SpatialDropout2D extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.rate = config.rate;
  }
  call(inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!(kwargs && kwargs.training === true) || this.rate === 0) return x;
    return tf.tidy(() => {
      const keep = 1 - this.rate;
      const mask = tf.floor(tf.add(tf.randomUniform([x.shape[0], 1, 1, x.shape[3]]), keep));
      return tf.mul(x, tf.div(mask, keep));
    });
  }
  getConfig() {
    return { ...super.getConfig(), rate: this.rate };
  }
}
SpatialDropout2D.className = 'SpatialDropout2D';
tf.serialization.registerClass(SpatialDropout2D);`,
  python: '',
};

/** SpatialDropout1D and SpatialDropout2D share every rule but the number of spatial axes. */
function spatialDropout(dims: 1 | 2): LayerType<SpatialDropoutParams> {
  const type = `SpatialDropout${dims}D`;
  return {
    type,
    label: `Spatial dropout ${dims}D`,
    group: 'regularization',
    description: `During training, zeroes whole channels of each sample at random (and rescales the rest), which suits ${dims === 2 ? 'feature maps' : 'sequences'} whose neighbouring values are alike; does nothing at test time.`,
    params: [{ name: 'rate', label: 'Rate', kind: 'number', min: 0, max: 1, exclusiveMax: true, default: 0.5, doc: 'Fraction of channels dropped during training.' }],
    inputs: { min: 1, max: 1 },
    summarize: (p) => `p=${p.rate}`,
    infer: ({ inputShapes, report }) => {
      const input = inputShapes[0];
      if (input.length !== dims + 1) {
        report({
          severity: 'error',
          code: 'wrong-input-rank',
          message: `${type} drops channels of ${dims === 2 ? 'an image [height, width, channels]' : 'a sequence [length, channels]'}, but gets [${input.join(', ')}]. Use ${input.length === 3 ? 'SpatialDropout2D' : input.length === 2 ? 'SpatialDropout1D' : 'Dropout'} here.`,
        });
        return undefined;
      }
      return { outputShape: [...input], trainableParams: 0, nonTrainableParams: 0, macs: 0 };
    },
    toPyTorch: (p, _shapes, ctx) => ({ modules: [{ suffix: '', init: `nn.Dropout${dims}d(p=${pyNumber(p.rate)})` }], forward: `${ctx.module()}(${ctx.inputs[0]})` }),
    // An exported graph is for inference, where dropout passes its input through.
    toOnnx: (_p, _shapes, ctx) => ctx.inputs[0],
    keras: {
      classNames: [type],
      toLayers: (p) => [{ className: type, config: { rate: p.rate }, suffix: '', ...(dims === 2 ? { custom: SPATIAL_DROPOUT_2D } : {}) }],
      fromConfig: (layer) => ({ rate: layer.get('rate') }),
    },
  };
}

export const spatialDropout1dLayer = spatialDropout(1);
export const spatialDropout2dLayer = spatialDropout(2);
