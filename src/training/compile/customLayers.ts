/**
 * The project's own TF.js layers, for what Keras has no layer for: PyTorch-style explicit padding
 * of max pooling (padding must never win the max, so it is -Infinity, not zero), zero padding of
 * sequences, log-softmax, and the activations Keras lacks or defines differently (PyTorch's
 * hardsigmoid and hardswish, Mish, GELU's tanh approximation), composed of ops TF.js differentiates. Registered with TF.js' serialization so a saved model reloads.
 * They implement, for training, the classes the catalog's Keras mappings write (whose sources the
 * exports carry), under the same names.
 */
import * as tf from '@tensorflow/tfjs';
import { CNN_ELU, CNN_GELU_TANH, CNN_HARD_SIGMOID, CNN_HARD_SWISH, CNN_LOG_SOFTMAX, CNN_MISH } from '../../core/layers/kerasActivations';
import { CNN_MAX_PADDING_1D, CNN_MAX_PADDING_2D, CNN_ZERO_PADDING_1D } from '../../core/layers/kerasPadding';
import { CNN_GROUPED_CONV_1D, CNN_GROUPED_CONV_2D } from '../../core/layers/kerasGroupedConvolution';
import { RESAMPLE_LAYER_CLASSES } from './resampleLayers';
import { CNN_CONV_1D_TRANSPOSE, CNN_CONV_2D_TRANSPOSE } from '../../core/layers/kerasTransposedConv';
import { CNN_PADDING_2D } from '../../core/layers/paddingLayer';
import { CNN_AVG_POOL_1D, CNN_AVG_POOL_2D, CNN_MAX_POOL_1D, CNN_MAX_POOL_2D } from '../../core/layers/kerasPooling';
import type { KerasCustomLayer } from '../../core/layers/layerType';
import { CHANNEL_CUSTOM_LAYERS } from './channelCustomLayers';

type Pads1D = [number, number];
type Pads2D = [[number, number], [number, number]];

interface PaddingConfig<P> {
  padding: P;
  name?: string;
  trainable?: boolean;
  inputShape?: (number | null)[];
  batchInputShape?: (number | null)[];
}

const single = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(inputs) ? inputs[0] : inputs);
const singleShape = (shape: tf.Shape | tf.Shape[]): tf.Shape => (Array.isArray(shape[0]) ? (shape as tf.Shape[])[0] : (shape as tf.Shape));
const grow = (size: number | null, before: number, after: number): number | null => (size === null ? null : size + before + after);

/** Pads height and width of [batch, H, W, C] with -Infinity, so a following max pool never picks the padding. */
export class CnnMaxPadding2D extends tf.layers.Layer {
  static className = CNN_MAX_PADDING_2D.className;
  readonly padding: Pads2D;

  constructor(config: PaddingConfig<Pads2D>) {
    super(config);
    this.padding = [[config.padding[0][0], config.padding[0][1]], [config.padding[1][0], config.padding[1][1]]];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, h, w, c] = singleShape(inputShape);
    return [batch, grow(h, ...this.padding[0]), grow(w, ...this.padding[1]), c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.pad(single(inputs), [[0, 0], this.padding[0], this.padding[1], [0, 0]], -Infinity));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: this.padding };
  }
}

/** Pads the length of [batch, L, C] with a constant on each side. */
abstract class ConstantPadding1D extends tf.layers.Layer {
  readonly padding: Pads1D;
  protected abstract readonly fill: number;

  constructor(config: PaddingConfig<Pads1D>) {
    super(config);
    this.padding = [config.padding[0], config.padding[1]];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, length, c] = singleShape(inputShape);
    return [batch, grow(length, ...this.padding), c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.pad(single(inputs), [[0, 0], this.padding, [0, 0]], this.fill));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: this.padding };
  }
}

/** Pads the length of [batch, L, C] with -Infinity, for 1-D max pooling with explicit padding. */
export class CnnMaxPadding1D extends ConstantPadding1D {
  static className = CNN_MAX_PADDING_1D.className;
  protected readonly fill = -Infinity;
}

/** Pads the length of [batch, L, C] with zeros (Keras' ZeroPadding1D, which TF.js lacks). */
export class CnnZeroPadding1D extends ConstantPadding1D {
  static className = CNN_ZERO_PADDING_1D.className;
  protected readonly fill = 0;
}

/** Log-softmax over the last axis (PyTorch's F.log_softmax(x, dim=-1)), paired with the NLL loss. */
export class CnnLogSoftmax extends tf.layers.Layer {
  static className = CNN_LOG_SOFTMAX.className;

  constructor(config: { name?: string; trainable?: boolean } = {}) {
    super(config);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.logSoftmax(single(inputs), -1));
  }
}

/** A layer applying `fn` to every value; TF.js differentiates it through the ops `fn` uses. */
abstract class ElementwiseActivation extends tf.layers.Layer {
  protected abstract apply1(x: tf.Tensor): tf.Tensor;

  constructor(config: { name?: string; trainable?: boolean } = {}) {
    super(config);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => this.apply1(single(inputs)));
  }
}

/** PyTorch's hardsigmoid: relu6(x + 3) / 6 (Keras' old hard_sigmoid, 0.2·x + 0.5, differs). */
export const hardSigmoid = (x: tf.Tensor): tf.Tensor => tf.div(tf.relu6(tf.add(x, 3)), 6);

/** PyTorch's hardswish: x · relu6(x + 3) / 6. */
export const hardSwish = (x: tf.Tensor): tf.Tensor => tf.mul(x, hardSigmoid(x));

/** Mish: x · tanh(softplus(x)). */
export const mish = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.tanh(tf.softplus(x)));

/** GELU's tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export const geluTanh = (x: tf.Tensor): tf.Tensor =>
  tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI)))));

export class CnnHardSigmoid extends ElementwiseActivation {
  static className = CNN_HARD_SIGMOID.className;
  protected apply1 = hardSigmoid;
}

export class CnnHardSwish extends ElementwiseActivation {
  static className = CNN_HARD_SWISH.className;
  protected apply1 = hardSwish;
}

export class CnnMish extends ElementwiseActivation {
  static className = CNN_MISH.className;
  protected apply1 = mish;
}

export class CnnGeluTanh extends ElementwiseActivation {
  static className = CNN_GELU_TANH.className;
  protected apply1 = geluTanh;
}

/** ELU with its α (TF.js' ELU layer refuses any α but 1): x for x > 0, α·(exp(x) − 1) below. */
export class CnnElu extends tf.layers.Layer {
  static className = CNN_ELU.className;
  readonly alpha: number;

  constructor(config: { alpha: number; name?: string; trainable?: boolean }) {
    super(config);
    this.alpha = config.alpha;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      return tf.add(tf.relu(x), tf.mul(tf.sub(tf.elu(x), tf.relu(x)), this.alpha));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

interface GroupedConvConfig {
  filters: number;
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: 'valid' | 'same';
  dilationRate?: number | number[];
  groups: number;
  useBias?: boolean;
  activation?: string;
  name?: string;
  trainable?: boolean;
}

/**
 * PyTorch's grouped convolution, which TF.js lacks: the channels split into `groups`, each
 * convolved by its share of the filters (kernel [...window, in / groups, filters], split on its
 * last axis), concatenated in group order as PyTorch orders output channels. Split, convolution
 * and concat are ops TF.js differentiates, so it trains on every backend.
 */
abstract class GroupedConvolution extends tf.layers.Layer {
  protected abstract readonly dims: 1 | 2;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';
  readonly dilationRate: number[];
  readonly groups: number;
  readonly useBias: boolean;
  readonly activation: string;
  private readonly activationLayer: tf.layers.Layer;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(config: GroupedConvConfig, dims: 1 | 2) {
    super(config);
    const axes = (v: number | number[] | undefined, fallback: number): number[] => (Array.isArray(v) ? [...v] : new Array(dims).fill(v ?? fallback));
    this.filters = config.filters;
    this.kernelSize = axes(config.kernelSize, 1);
    this.strides = axes(config.strides, 1);
    this.padding = config.padding ?? 'valid';
    this.dilationRate = axes(config.dilationRate, 1);
    this.groups = config.groups;
    this.useBias = config.useBias ?? true;
    this.activation = config.activation ?? 'linear';
    this.activationLayer = tf.layers.activation({ activation: this.activation as 'linear' });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape(inputShape);
    const channels = shape[shape.length - 1]!;
    this.kernel = this.addWeight('kernel', [...this.kernelSize, channels / this.groups, this.filters], 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape(inputShape);
    const size = (n: number | null, i: number): number | null => {
      if (n === null) return null;
      const window = this.dilationRate[i] * (this.kernelSize[i] - 1) + 1;
      return this.padding === 'same' ? Math.ceil(n / this.strides[i]) : Math.floor((n - window) / this.strides[i]) + 1;
    };
    return [shape[0], ...shape.slice(1, this.dims + 1).map(size), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const parts = tf.split(x, this.groups, -1);
      const kernels = tf.split(this.kernel!.read(), this.groups, -1);
      const convolved = parts.map((part, g) =>
        this.dims === 2
          ? tf.conv2d(part as tf.Tensor4D, kernels[g] as tf.Tensor4D, this.strides as [number, number], this.padding, 'NHWC', this.dilationRate as [number, number])
          : tf.conv1d(part as tf.Tensor3D, kernels[g] as tf.Tensor3D, this.strides[0], this.padding, 'NWC', this.dilationRate[0]),
      );
      let y: tf.Tensor = convolved.length === 1 ? convolved[0] : tf.concat(convolved, -1);
      if (this.bias) y = tf.add(y, this.bias.read());
      return this.activationLayer.apply(y) as tf.Tensor;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { filters, kernelSize, strides, padding, dilationRate, groups, useBias, activation } = this;
    return { ...super.getConfig(), filters, kernelSize, strides, padding, dilationRate, groups, useBias, activation };
  }
}

export class CnnGroupedConv2D extends GroupedConvolution {
  static className = CNN_GROUPED_CONV_2D.className;
  protected readonly dims = 2;
  constructor(config: GroupedConvConfig) {
    super(config, 2);
  }
}

export class CnnGroupedConv1D extends GroupedConvolution {
  static className = CNN_GROUPED_CONV_1D.className;
  protected readonly dims = 1;
  constructor(config: GroupedConvConfig) {
    super(config, 1);
  }
}

/**
 * Layers whose exported JavaScript (the catalog's own source, which defines and registers the
 * class with `tf`) also serves training: one implementation, so the export computes exactly what
 * was trained.
 */
const FROM_EXPORTED_SOURCE: readonly KerasCustomLayer[] = [
  CNN_CONV_2D_TRANSPOSE,
  CNN_CONV_1D_TRANSPOSE,
  CNN_PADDING_2D,
  CNN_MAX_POOL_2D,
  CNN_AVG_POOL_2D,
  CNN_MAX_POOL_1D,
  CNN_AVG_POOL_1D,
];

function registerExportedSource(layer: KerasCustomLayer): void {
  // The catalog's own constant source, never user text.
  new Function('tf', layer.js)(tf);
}

let registered = false;

/** Registers the custom layers with TF.js (idempotent); needed before compiling or loading a model. */
export function registerCustomLayers(): void {
  if (registered) return;
  for (const cls of [CnnMaxPadding2D, CnnMaxPadding1D, CnnZeroPadding1D, CnnLogSoftmax, CnnElu, CnnHardSigmoid, CnnHardSwish, CnnMish, CnnGeluTanh, CnnGroupedConv2D, CnnGroupedConv1D]) tf.serialization.registerClass(cls);
  for (const cls of RESAMPLE_LAYER_CLASSES) tf.serialization.registerClass(cls);
  for (const cls of CHANNEL_CUSTOM_LAYERS) tf.serialization.registerClass(cls);
  for (const layer of FROM_EXPORTED_SOURCE) registerExportedSource(layer);
  registered = true;
}
