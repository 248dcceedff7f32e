/**
 * The training engine's TF.js implementations of the project's own classes for channel-wise layers
 * (group and instance normalization, layer scale, stochastic depth, spatial dropout over images,
 * channel shuffle and slice), under the names and config keys of the catalog's Keras mappings,
 * whose JavaScript sources the exports carry. Composed of ops TF.js differentiates, so they train.
 */
import * as tf from '@tensorflow/tfjs';
import { CNN_GROUP_NORM, CNN_INSTANCE_NORM, INSTANCE_NORM_MOMENTUM } from '../../core/layers/kerasNormalization';
import { CNN_LAYER_SCALE } from '../../core/layers/layerScaleLayer';
import { CNN_DROP_PATH } from '../../core/layers/dropPathLayer';
import { SPATIAL_DROPOUT_2D } from '../../core/layers/spatialDropoutLayers';
import { CNN_CHANNEL_SHUFFLE } from '../../core/layers/channelShuffleLayer';
import { CNN_CHANNEL_SLICE } from '../../core/layers/channelSliceLayer';

type LayerConfig = { name?: string; trainable?: boolean };
type Kwargs = Record<string, unknown> | undefined;

const single = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(inputs) ? inputs[0] : inputs);
const singleShape = (shape: tf.Shape | tf.Shape[]): tf.Shape => (Array.isArray(shape[0]) ? (shape as tf.Shape[])[0] : (shape as tf.Shape));
const lastAxis = (shape: tf.Shape | tf.Shape[]): number => {
  const s = singleShape(shape);
  return s[s.length - 1]!;
};
const isTraining = (kwargs: Kwargs): boolean => kwargs?.training === true;

/** A layer that keeps its input's shape. */
abstract class ShapeKeepingLayer extends tf.layers.Layer {
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }
}

/** Group normalization over the channels (last axis) in groups, as PyTorch's nn.GroupNorm. */
export class CnnGroupNorm extends ShapeKeepingLayer {
  static className = CNN_GROUP_NORM.className;
  readonly groups: number;
  readonly epsilon: number;
  readonly affine: boolean;
  private gamma?: tf.LayerVariable;
  private beta?: tf.LayerVariable;

  constructor(config: LayerConfig & { groups: number; epsilon?: number; affine?: boolean }) {
    super(config);
    this.groups = config.groups;
    this.epsilon = config.epsilon ?? 1e-5;
    this.affine = config.affine ?? true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    if (this.affine) {
      this.gamma = this.addWeight('gamma', [lastAxis(inputShape)], 'float32', tf.initializers.ones());
      this.beta = this.addWeight('beta', [lastAxis(inputShape)], 'float32', tf.initializers.zeros());
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const channels = x.shape[x.shape.length - 1];
      const grouped = tf.reshape(x, [x.shape[0], -1, this.groups, channels / this.groups]);
      const { mean, variance } = tf.moments(grouped, [1, 3], true);
      const y = tf.reshape(tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, this.epsilon))), x.shape);
      return this.affine ? tf.add(tf.mul(y, this.gamma!.read()), this.beta!.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon, affine: this.affine };
  }
}

/**
 * Instance normalization (each channel of each sample over its positions), as PyTorch's
 * nn.InstanceNorm1d/2d. With running statistics, training updates them as PyTorch does (the batch
 * mean of the per-sample means and unbiased variances, momentum 0.1) and inference uses them.
 */
export class CnnInstanceNorm extends ShapeKeepingLayer {
  static className = CNN_INSTANCE_NORM.className;
  readonly epsilon: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  private gamma?: tf.LayerVariable;
  private beta?: tf.LayerVariable;
  private movingMean?: tf.LayerVariable;
  private movingVariance?: tf.LayerVariable;

  constructor(config: LayerConfig & { epsilon?: number; affine?: boolean; trackRunningStats?: boolean }) {
    super(config);
    this.epsilon = config.epsilon ?? 1e-5;
    this.affine = config.affine ?? false;
    this.trackRunningStats = config.trackRunningStats ?? false;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const channels = [lastAxis(inputShape)];
    if (this.affine) {
      this.gamma = this.addWeight('gamma', channels, 'float32', tf.initializers.ones());
      this.beta = this.addWeight('beta', channels, 'float32', tf.initializers.zeros());
    }
    if (this.trackRunningStats) {
      this.movingMean = this.addWeight('moving_mean', channels, 'float32', tf.initializers.zeros(), undefined, false);
      this.movingVariance = this.addWeight('moving_variance', channels, 'float32', tf.initializers.ones(), undefined, false);
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const axes = x.shape.slice(1, -1).map((_, i) => i + 1);
      let y: tf.Tensor;
      if (this.trackRunningStats && !isTraining(kwargs)) {
        y = tf.div(tf.sub(x, this.movingMean!.read()), tf.sqrt(tf.add(this.movingVariance!.read(), this.epsilon)));
      } else {
        const { mean, variance } = tf.moments(x, axes, true);
        y = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.epsilon)));
        if (this.trackRunningStats) {
          const count = axes.reduce((n, a) => n * x.shape[a], 1);
          const m = INSTANCE_NORM_MOMENTUM;
          const batchMean = tf.mean(tf.reshape(mean, [x.shape[0], -1]), 0);
          const batchVariance = tf.mul(tf.mean(tf.reshape(variance, [x.shape[0], -1]), 0), count / Math.max(count - 1, 1));
          this.movingMean!.write(tf.add(tf.mul(this.movingMean!.read(), 1 - m), tf.mul(batchMean, m)));
          this.movingVariance!.write(tf.add(tf.mul(this.movingVariance!.read(), 1 - m), tf.mul(batchVariance, m)));
        }
      }
      return this.affine ? tf.add(tf.mul(y, this.gamma!.read()), this.beta!.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon, affine: this.affine, trackRunningStats: this.trackRunningStats };
  }
}

/** Multiplies each channel by a learned factor that starts at initValue (ConvNeXt's layer scale). */
export class CnnLayerScale extends ShapeKeepingLayer {
  static className = CNN_LAYER_SCALE.className;
  readonly initValue: number;
  private gamma?: tf.LayerVariable;

  constructor(config: LayerConfig & { initValue: number }) {
    super(config);
    this.initValue = config.initValue;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    this.gamma = this.addWeight('gamma', [lastAxis(inputShape)], 'float32', tf.initializers.constant({ value: this.initValue }));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mul(single(inputs), this.gamma!.read()));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initValue: this.initValue };
  }
}

/**
 * In training, multiplies by a 0/1 mask of `maskShape` (kept with probability 1 − rate, scaled by
 * 1 / (1 − rate)); the identity at inference.
 */
abstract class MaskedDropout extends ShapeKeepingLayer {
  readonly rate: number;
  protected abstract maskShape(shape: number[]): number[];

  constructor(config: LayerConfig & { rate: number }) {
    super(config);
    this.rate = config.rate;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = single(inputs);
    if (!isTraining(kwargs) || this.rate === 0) return x;
    return tf.tidy(() => {
      const keep = 1 - this.rate;
      const mask = tf.floor(tf.add(tf.randomUniform(this.maskShape(x.shape)), keep));
      return tf.mul(x, tf.div(mask, keep));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}

/** Stochastic depth: each sample's whole input is dropped together. */
export class CnnDropPath extends MaskedDropout {
  static className = CNN_DROP_PATH.className;
  protected maskShape(shape: number[]): number[] {
    return [shape[0], ...shape.slice(1).map(() => 1)];
  }
}

/** Keras' SpatialDropout2D (TF.js has none): whole channels of each sample are dropped together. */
export class CnnSpatialDropout2D extends MaskedDropout {
  static className = SPATIAL_DROPOUT_2D.className;
  protected maskShape(shape: number[]): number[] {
    return [shape[0], 1, 1, shape[3]];
  }
}

/** ShuffleNet's channel shuffle: the channels, seen as [groups, C / groups], transposed. */
export class CnnChannelShuffle extends ShapeKeepingLayer {
  static className = CNN_CHANNEL_SHUFFLE.className;
  readonly groups: number;

  constructor(config: LayerConfig & { groups: number }) {
    super(config);
    this.groups = config.groups;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const rank = x.shape.length;
      const split = tf.reshape(x, [...x.shape.slice(0, -1), this.groups, x.shape[rank - 1] / this.groups]);
      const perm = [...Array(rank - 1).keys(), rank, rank - 1];
      return tf.reshape(tf.transpose(split, perm), x.shape);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups };
  }
}

/** Channels start to end (end excluded) of the last axis, as PyTorch's x[:, start:end]. */
export class CnnChannelSlice extends tf.layers.Layer {
  static className = CNN_CHANNEL_SLICE.className;
  readonly start: number;
  readonly end: number;

  constructor(config: LayerConfig & { start: number; end: number }) {
    super(config);
    this.start = config.start;
    this.end = config.end;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [...singleShape(inputShape).slice(0, -1), this.end - this.start];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const lead = x.shape.slice(0, -1);
      return tf.slice(x, [...lead.map(() => 0), this.start], [...lead.map(() => -1), this.end - this.start]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), start: this.start, end: this.end };
  }
}

/** Every class above, for registration with TF.js' serialization. */
export const CHANNEL_CUSTOM_LAYERS = [CnnGroupNorm, CnnInstanceNorm, CnnLayerScale, CnnDropPath, CnnSpatialDropout2D, CnnChannelShuffle, CnnChannelSlice];
