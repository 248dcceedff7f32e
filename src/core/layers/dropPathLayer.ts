import type { KerasCustomLayer, LayerType } from './layerType';
import { pyNumber } from './pytorchCode';

export interface DropPathParams {
  rate: number;
}

/** Stochastic depth per sample; Keras and TF.js have no layer for it. */
export const CNN_DROP_PATH: KerasCustomLayer = {
  className: 'CnnDropPath',
  js: `/** Stochastic depth: in training, zeroes each sample's whole input with probability rate and scales the others by 1 / (1 - rate); the identity at inference. */
class CnnDropPath extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.rate = config.rate;
  }
  call(inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!(kwargs && kwargs.training === true) || this.rate === 0) return x;
    return tf.tidy(() => {
      const keep = 1 - this.rate;
      const mask = tf.floor(tf.add(tf.randomUniform([x.shape[0], ...x.shape.slice(1).map(() => 1)]), keep));
      return tf.mul(x, tf.div(mask, keep));
    });
  }
  getConfig() {
    return { ...super.getConfig(), rate: this.rate };
  }
}
CnnDropPath.className = 'CnnDropPath';
tf.serialization.registerClass(CnnDropPath);`,
  python: `class CnnDropPath(layers.Layer):
    """Stochastic depth: in training, zeroes each sample's whole input with probability rate and scales the others by 1 / (1 - rate); the identity at inference."""

    def __init__(self, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, x, training=None):
        if not training or self.rate == 0:
            return x
        keep = 1.0 - self.rate
        shape = tf.concat([tf.shape(x)[:1], tf.ones([tf.rank(x) - 1], tf.int32)], 0)
        mask = tf.floor(tf.random.uniform(shape, dtype=x.dtype) + keep)
        return x * mask / keep

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}`,
};

const PY_DROP_PATH = {
  name: 'DropPath',
  python: `class DropPath(nn.Module):
    """Stochastic depth: in training, zeroes each sample's whole input with probability p and scales the others by 1 / (1 - p); the identity in eval mode."""

    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        keep = torch.empty((x.shape[0],) + (1,) * (x.dim() - 1), dtype=x.dtype, device=x.device).bernoulli_(1 - self.p)
        return x * keep / (1 - self.p)`,
};

export const dropPathLayer: LayerType<DropPathParams> = {
  type: 'DropPath',
  label: 'Drop path',
  group: 'regularization',
  description:
    "Stochastic depth: during training, drops a residual branch for whole samples at random (each sample's input is zeroed with probability rate, the others scaled by 1 / (1 − rate)); does nothing at test time. Put it at the end of a branch, before the Add.",
  params: [{ name: 'rate', label: 'Rate', kind: 'number', min: 0, max: 1, exclusiveMax: true, default: 0.1, doc: 'Probability that a sample\'s branch is dropped during training.' }],
  inputs: { min: 1, max: 1 },
  summarize: (p) => `p=${p.rate}`,
  infer: ({ inputShapes }) => ({ outputShape: [...inputShapes[0]], trainableParams: 0, nonTrainableParams: 0, macs: 0 }),
  toPyTorch: (p, _shapes, ctx) => ({ modules: [{ suffix: '', init: `DropPath(${pyNumber(p.rate)})` }], forward: `${ctx.module()}(${ctx.inputs[0]})`, definitions: [PY_DROP_PATH] }),
  // An exported graph is for inference, where stochastic depth passes its input through.
  toOnnx: (_p, _shapes, ctx) => ctx.inputs[0],
  keras: {
    classNames: [CNN_DROP_PATH.className],
    toLayers: (p) => [{ className: CNN_DROP_PATH.className, config: { rate: p.rate }, custom: CNN_DROP_PATH, suffix: '' }],
    fromConfig: (layer) => ({ rate: layer.get('rate') ?? 0.1 }),
  },
};
