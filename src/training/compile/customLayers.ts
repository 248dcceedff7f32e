/**
 * The project's own TF.js layers, for what Keras has no layer for: PyTorch-style explicit padding
 * of max pooling (padding must never win the max, so it is -Infinity, not zero), zero padding of
 * sequences, and log-softmax. Registered with TF.js' serialization so a saved model reloads.
 * They implement, for training, the classes the catalog's Keras mappings write (whose sources the
 * exports carry), under the same names.
 */
import * as tf from '@tensorflow/tfjs';
import { CNN_LOG_SOFTMAX } from '../../core/layers/kerasActivations';
import { CNN_MAX_PADDING_1D, CNN_MAX_PADDING_2D, CNN_ZERO_PADDING_1D } from '../../core/layers/kerasPadding';

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

let registered = false;

/** Registers the custom layers with TF.js (idempotent); needed before compiling or loading a model. */
export function registerCustomLayers(): void {
  if (registered) return;
  for (const cls of [CnnMaxPadding2D, CnnMaxPadding1D, CnnZeroPadding1D, CnnLogSoftmax]) tf.serialization.registerClass(cls);
  registered = true;
}
