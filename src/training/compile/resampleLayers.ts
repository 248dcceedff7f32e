/**
 * The TF.js layers that train the catalog's resampling classes (whose sources the exports carry):
 * F.interpolate and adaptive pooling with PyTorch's index rules (core/layers/resampleAxes.ts).
 * Nearest, bilinear and adaptive averaging are one constant matrix per axis applied by matMul;
 * adaptive max pooling is a max over each window's slice; adaptive pooling whose windows are uniform
 * is TF.js' own pooling. TF.js differentiates all of them.
 */
import * as tf from '@tensorflow/tfjs';
import { CNN_ADAPTIVE_AVG_POOL_2D, CNN_ADAPTIVE_MAX_POOL_2D, CNN_RESIZE_2D } from '../../core/layers/kerasResample';
import { adaptiveAverageMatrix, adaptiveIsUniform, adaptiveWindow, resampleMatrix, type ResampleMode } from '../../core/layers/resampleAxes';

const single = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(inputs) ? inputs[0] : inputs);
const firstShape = (shape: tf.Shape | tf.Shape[]): tf.Shape => (Array.isArray(shape[0]) ? (shape as tf.Shape[])[0] : (shape as tf.Shape));

/** Applies an (outH × H) and an (outW × W) matrix to the height and width of [N, H, W, C]. */
export function applyAxisMatrices(x: tf.Tensor, ah: tf.Tensor2D, aw: tf.Tensor2D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [outH, outW] = [ah.shape[0], aw.shape[0]];
  let t = tf.matMul(ah, tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [h, n * w * c]));
  t = tf.transpose(tf.reshape(t, [outH, n, w, c]), [2, 1, 0, 3]);
  t = tf.matMul(aw, tf.reshape(t, [w, n * outH * c]));
  return tf.transpose(tf.reshape(t, [outW, n, outH, c]), [1, 2, 0, 3]);
}

/** The pooling window where adaptive pooling is plain pooling (the output divides the input on both axes). */
function uniformWindow(x: tf.Tensor, size: [number, number]): [number, number] | undefined {
  const [h, w] = [x.shape[1]!, x.shape[2]!];
  return adaptiveIsUniform(h, size[0]) && adaptiveIsUniform(w, size[1]) ? [h / size[0], w / size[1]] : undefined;
}

interface SizeConfig {
  size: number[];
  name?: string;
  trainable?: boolean;
}

abstract class FixedSizeLayer extends tf.layers.Layer {
  readonly size: [number, number];

  constructor(config: SizeConfig) {
    super(config);
    this.size = [config.size[0], config.size[1]];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, , , c] = firstShape(inputShape);
    return [batch, this.size[0], this.size[1], c];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: this.size };
  }
}

/** F.interpolate to `size` (a 2nd input only gave the size): nearest or bilinear, PyTorch's mapping. */
export class CnnResize2D extends FixedSizeLayer {
  static className = CNN_RESIZE_2D.className;
  readonly mode: ResampleMode;
  readonly alignCorners: boolean;
  readonly scale: number | null;
  readonly sizeFromInput: boolean;

  constructor(config: SizeConfig & { mode?: ResampleMode; alignCorners?: boolean; scale?: number | null; sizeFromInput?: boolean }) {
    super(config);
    this.mode = config.mode ?? 'nearest';
    this.alignCorners = !!config.alignCorners;
    this.scale = config.scale ?? null;
    this.sizeFromInput = !!config.sizeFromInput;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const matrix = (input: number, output: number) =>
        tf.tensor2d(resampleMatrix(input, output, this.mode, this.alignCorners, this.scale ?? undefined), [output, input]);
      return applyAxisMatrices(x, matrix(x.shape[1]!, this.size[0]), matrix(x.shape[2]!, this.size[1]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode, alignCorners: this.alignCorners, scale: this.scale, sizeFromInput: this.sizeFromInput };
  }
}

/** PyTorch's adaptive average pooling: each axis' windows averaged by a constant matrix. */
export class CnnAdaptiveAvgPool2D extends FixedSizeLayer {
  static className = CNN_ADAPTIVE_AVG_POOL_2D.className;

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const window = uniformWindow(x, this.size);
      if (window) return tf.avgPool(x as tf.Tensor4D, window, window, 'valid');
      const matrix = (input: number, output: number) => tf.tensor2d(adaptiveAverageMatrix(input, output), [output, input]);
      return applyAxisMatrices(x, matrix(x.shape[1]!, this.size[0]), matrix(x.shape[2]!, this.size[1]));
    });
  }
}

/** PyTorch's adaptive max pooling: the max of each window's slice, height then width. */
export class CnnAdaptiveMaxPool2D extends FixedSizeLayer {
  static className = CNN_ADAPTIVE_MAX_POOL_2D.className;

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let x = single(inputs);
      const window = uniformWindow(x, this.size);
      if (window) return tf.maxPool(x as tf.Tensor4D, window, window, 'valid');
      for (const axis of [1, 2]) {
        const input = x.shape[axis]!;
        const output = this.size[axis - 1];
        const parts = Array.from({ length: output }, (_, o) => {
          const [start, end] = adaptiveWindow(o, input, output);
          const begin = [0, 0, 0, 0];
          const size = [-1, -1, -1, -1];
          begin[axis] = start;
          size[axis] = end - start;
          return tf.max(tf.slice(x, begin, size), axis, true);
        });
        x = parts.length === 1 ? parts[0] : tf.concat(parts, axis);
      }
      return x;
    });
  }
}

/** The resampling layers, for registration with TF.js' serialization. */
export const RESAMPLE_LAYER_CLASSES = [CnnResize2D, CnnAdaptiveAvgPool2D, CnnAdaptiveMaxPool2D];
