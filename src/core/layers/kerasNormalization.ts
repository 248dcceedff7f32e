/**
 * The project's own Keras / TF.js classes for normalizations that Keras 2 and TF.js lack or define
 * otherwise: group normalization and instance normalization as PyTorch computes them (biased
 * variance, ε inside the square root; instance normalization's running statistics as PyTorch
 * updates them: the batch mean of the per-sample statistics, the unbiased variance, momentum 0.1).
 * Same class names and config keys in both languages, so a model saved by one loads in the other.
 */
import type { KerasCustomLayer } from './layerType';

/** PyTorch's momentum of nn.InstanceNorm's running statistics (the weight of the new batch). */
export const INSTANCE_NORM_MOMENTUM = 0.1;

export const CNN_GROUP_NORM: KerasCustomLayer = {
  className: 'CnnGroupNorm',
  js: `/** Group normalization over the channels (last axis) in groups, as PyTorch's nn.GroupNorm. */
class CnnGroupNorm extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.groups = config.groups;
    this.epsilon = config.epsilon ?? 1e-5;
    this.affine = config.affine ?? true;
  }
  build(inputShape) {
    const channels = inputShape[inputShape.length - 1];
    if (this.affine) {
      this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
      this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    }
    this.built = true;
  }
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => {
      const channels = x.shape[x.shape.length - 1];
      const grouped = tf.reshape(x, [x.shape[0], -1, this.groups, channels / this.groups]);
      const { mean, variance } = tf.moments(grouped, [1, 3], true);
      const y = tf.reshape(tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, this.epsilon))), x.shape);
      return this.affine ? tf.add(tf.mul(y, this.gamma.read()), this.beta.read()) : y;
    });
  }
  getConfig() {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon, affine: this.affine };
  }
}
CnnGroupNorm.className = 'CnnGroupNorm';
tf.serialization.registerClass(CnnGroupNorm);`,
  python: `class CnnGroupNorm(layers.Layer):
    """Group normalization over the channels (last axis) in groups, as PyTorch's nn.GroupNorm."""

    def __init__(self, groups, epsilon=1e-5, affine=True, **kwargs):
        super().__init__(**kwargs)
        self.groups = groups
        self.epsilon = epsilon
        self.affine = affine

    def build(self, input_shape):
        channels = input_shape[-1]
        if self.affine:
            self.gamma = self.add_weight(name="gamma", shape=(channels,), initializer="ones")
            self.beta = self.add_weight(name="beta", shape=(channels,), initializer="zeros")

    def call(self, x):
        shape = tf.shape(x)
        channels = x.shape[-1]
        grouped = tf.reshape(x, [shape[0], -1, self.groups, channels // self.groups])
        mean, variance = tf.nn.moments(grouped, axes=[1, 3], keepdims=True)
        y = tf.reshape((grouped - mean) / tf.sqrt(variance + self.epsilon), shape)
        return y * self.gamma + self.beta if self.affine else y

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "epsilon": self.epsilon, "affine": self.affine}`,
};

export const CNN_INSTANCE_NORM: KerasCustomLayer = {
  className: 'CnnInstanceNorm',
  js: `/**
 * Instance normalization: each channel of each sample over its positions, as PyTorch's
 * nn.InstanceNorm1d/2d; with trackRunningStats, inference uses running statistics (momentum 0.1).
 */
class CnnInstanceNorm extends tf.layers.Layer {
  constructor(config) {
    super(config);
    this.epsilon = config.epsilon ?? 1e-5;
    this.affine = config.affine ?? false;
    this.trackRunningStats = config.trackRunningStats ?? false;
  }
  build(inputShape) {
    const channels = inputShape[inputShape.length - 1];
    if (this.affine) {
      this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
      this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    }
    if (this.trackRunningStats) {
      this.movingMean = this.addWeight('moving_mean', [channels], 'float32', tf.initializers.zeros(), undefined, false);
      this.movingVariance = this.addWeight('moving_variance', [channels], 'float32', tf.initializers.ones(), undefined, false);
    }
    this.built = true;
  }
  call(inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const training = kwargs && kwargs.training === true;
    return tf.tidy(() => {
      const axes = x.shape.slice(1, -1).map((_, i) => i + 1);
      let y;
      if (this.trackRunningStats && !training) {
        y = tf.div(tf.sub(x, this.movingMean.read()), tf.sqrt(tf.add(this.movingVariance.read(), this.epsilon)));
      } else {
        const { mean, variance } = tf.moments(x, axes, true);
        y = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.epsilon)));
        if (this.trackRunningStats) {
          const count = axes.reduce((n, a) => n * x.shape[a], 1);
          const batchMean = tf.mean(tf.reshape(mean, [x.shape[0], -1]), 0);
          const batchVariance = tf.mul(tf.mean(tf.reshape(variance, [x.shape[0], -1]), 0), count / Math.max(count - 1, 1));
          this.movingMean.write(tf.add(tf.mul(this.movingMean.read(), 0.9), tf.mul(batchMean, 0.1)));
          this.movingVariance.write(tf.add(tf.mul(this.movingVariance.read(), 0.9), tf.mul(batchVariance, 0.1)));
        }
      }
      return this.affine ? tf.add(tf.mul(y, this.gamma.read()), this.beta.read()) : y;
    });
  }
  getConfig() {
    return { ...super.getConfig(), epsilon: this.epsilon, affine: this.affine, trackRunningStats: this.trackRunningStats };
  }
}
CnnInstanceNorm.className = 'CnnInstanceNorm';
tf.serialization.registerClass(CnnInstanceNorm);`,
  python: `class CnnInstanceNorm(layers.Layer):
    """Instance normalization (each channel of each sample over its positions), as PyTorch's nn.InstanceNorm1d/2d;
    with track_running_stats, inference uses running statistics (momentum 0.1)."""

    def __init__(self, epsilon=1e-5, affine=False, track_running_stats=False, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon
        self.affine = affine
        self.track_running_stats = track_running_stats

    def build(self, input_shape):
        channels = input_shape[-1]
        if self.affine:
            self.gamma = self.add_weight(name="gamma", shape=(channels,), initializer="ones")
            self.beta = self.add_weight(name="beta", shape=(channels,), initializer="zeros")
        if self.track_running_stats:
            self.moving_mean = self.add_weight(name="moving_mean", shape=(channels,), initializer="zeros", trainable=False)
            self.moving_variance = self.add_weight(name="moving_variance", shape=(channels,), initializer="ones", trainable=False)

    def call(self, x, training=None):
        axes = list(range(1, len(x.shape) - 1))
        if self.track_running_stats and not training:
            y = (x - self.moving_mean) / tf.sqrt(self.moving_variance + self.epsilon)
        else:
            mean, variance = tf.nn.moments(x, axes=axes, keepdims=True)
            y = (x - mean) / tf.sqrt(variance + self.epsilon)
            if self.track_running_stats:
                count = tf.cast(tf.reduce_prod(tf.shape(x)[1:-1]), x.dtype)
                batch_mean = tf.reduce_mean(tf.reshape(mean, [tf.shape(x)[0], -1]), axis=0)
                batch_variance = tf.reduce_mean(tf.reshape(variance, [tf.shape(x)[0], -1]), axis=0) * count / tf.maximum(count - 1, 1)
                self.moving_mean.assign(0.9 * self.moving_mean + 0.1 * batch_mean)
                self.moving_variance.assign(0.9 * self.moving_variance + 0.1 * batch_variance)
        return y * self.gamma + self.beta if self.affine else y

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon, "affine": self.affine, "track_running_stats": self.track_running_stats}`,
};
