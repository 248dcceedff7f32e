/**
 * The convolutions of a net alone, without the rest of its step: the arithmetic that the engines'
 * convolution kernels set, measured here and, from the same list, in PyTorch. It answers what a
 * net's ratio could reach if every other kernel, the optimizer and all bookkeeping cost nothing.
 *
 * Each convolution runs with the padding, strides, dilations and groups of the net's layer. Here
 * it runs through the kernels a training step uses, which leave out the filter taps that only ever
 * meet padding (on ResNet-18's 1×1 maps at 32×32 input, eight of a 3×3 window's nine), as the net
 * does; PyTorch computes them all, as its net does. The multiply-add rates count every tap.
 * "infer" runs the forward passes; "train" runs them with the gradients a training step needs:
 * the filter's always, the input's only where a layer with weights lies upstream (as the step
 * prunes it for the first layer, and so does PyTorch's autograd when the input needs no gradient).
 */
import * as tf from '@tensorflow/tfjs';

export interface ConvolutionShape {
  /** [batch, height, width, channels] of the input, before padding. */
  input: [number, number, number, number];
  /** Zeros added [top, bottom, left, right] (a padding layer in front counts as part of the input). */
  padding: [number, number, number, number];
  /** [kernel height, kernel width, input channels, output channels (depthwise: the multiplier)]. */
  filter: [number, number, number, number];
  depthwise: boolean;
  strides: [number, number];
  dilations: [number, number];
  /** Whether the training step computes this convolution's input gradient. */
  inputGradient: boolean;
}

type Mode = 'infer' | 'train';

const pair = (value: number | number[]): [number, number] => (Array.isArray(value) ? [value[0], value[1] ?? value[0]] : [value, value]);

/** Keras 'same' padding of one axis: the total, with the odd one after (TensorFlow's rule). */
function samePadding(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const extent = (kernel - 1) * dilation + 1;
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + extent - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

export class ConvolutionCeiling {
  private constructor(readonly shapes: ConvolutionShape[]) {}

  /** The 2-D and depthwise convolutions of `model`, as a training step on batches of `batch` runs them. */
  static of(model: tf.LayersModel, batch: number): ConvolutionCeiling {
    const weighted = new Map<tf.layers.Layer, boolean>();
    /** Whether a layer with trainable weights lies upstream of `layer`'s input. */
    const upstreamWeights = (layer: tf.layers.Layer): boolean => {
      const known = weighted.get(layer);
      if (known !== undefined) return known;
      const inbound = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes.flatMap((node) => node.inboundLayers);
      const result = inbound.some((before) => before.trainableWeights.length > 0 || upstreamWeights(before));
      weighted.set(layer, result);
      return result;
    };
    const shapes: ConvolutionShape[] = [];
    for (const layer of model.layers) {
      const kind = layer.getClassName();
      if (kind !== 'Conv2D' && kind !== 'DepthwiseConv2D') continue;
      const config = layer.getConfig() as { kernelSize: number | number[]; strides: number | number[]; dilationRate: number | number[]; padding: string; filters?: number; depthMultiplier?: number; dataFormat?: string };
      if (config.dataFormat && config.dataFormat !== 'channelsLast') throw new Error(`${layer.name}: only channels-last convolutions are measured`);
      const [, height, width, channels] = (layer.input as tf.SymbolicTensor).shape as number[];
      const [kh, kw] = pair(config.kernelSize);
      const strides = pair(config.strides);
      const dilations = pair(config.dilationRate);
      const [top, bottom] = config.padding === 'same' ? samePadding(height, kh, strides[0], dilations[0]) : [0, 0];
      const [left, right] = config.padding === 'same' ? samePadding(width, kw, strides[1], dilations[1]) : [0, 0];
      const depthwise = kind === 'DepthwiseConv2D';
      shapes.push({
        input: [batch, height, width, channels],
        padding: [top, bottom, left, right],
        filter: [kh, kw, channels, depthwise ? config.depthMultiplier ?? 1 : config.filters!],
        depthwise,
        strides,
        dilations,
        inputGradient: upstreamWeights(layer),
      });
    }
    return new ConvolutionCeiling(shapes);
  }

  /**
   * One large matrix product, 1024 rows (16 images of 8×8) by k by n, as a 1×1 convolution: both
   * engines run those as their matrix-product kernel, so it shows the multiply-add rate each one's
   * best kernel reaches on this CPU. Batch 16, because PyTorch takes its oneDNN path for a 1×1
   * convolution on one thread only from there (below, a generic loop at a fraction of the rate).
   */
  static matrixProduct(k: number, n: number): ConvolutionCeiling {
    return new ConvolutionCeiling([{ input: [16, 8, 8, k], padding: [0, 0, 0, 0], filter: [1, 1, k, n], depthwise: false, strides: [1, 1], dilations: [1, 1], inputGradient: false }]);
  }

  /** Multiply-adds of one pass: the forward convolutions, and for training their gradients too. */
  macs(mode: Mode): number {
    let total = 0;
    for (const s of this.shapes) {
      const [n, h0, w0] = s.input;
      const [h, w] = [h0 + s.padding[0] + s.padding[1], w0 + s.padding[2] + s.padding[3]];
      const [kh, kw, ci, co] = s.filter;
      const outH = Math.floor((h - (kh - 1) * s.dilations[0] - 1) / s.strides[0]) + 1;
      const outW = Math.floor((w - (kw - 1) * s.dilations[1] - 1) / s.strides[1]) + 1;
      // Depthwise: ci·multiplier output channels, each from kh·kw inputs; regular: co channels, each from kh·kw·ci.
      const forward = n * outH * outW * kh * kw * ci * co;
      total += mode === 'infer' ? forward : forward * (s.inputGradient ? 3 : 2);
    }
    return total;
  }

  /**
   * Milliseconds of one pass over all the convolutions on the current TF.js backend, through the
   * kernels and gradients registered there (the project's, once installed): the mean over passes
   * for about `seconds`, after a warm-up of half a second.
   */
  timeHere(mode: Mode, seconds: number): number {
    const tensors = this.shapes.map((s, i) => {
      const x = tf.randomNormal(s.input, 0, 1, 'float32', i) as tf.Tensor4D;
      const filter = tf.randomNormal(s.filter, 0, 0.1, 'float32', i + 100) as tf.Tensor4D;
      const y = this.forward(s, x, filter);
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', i + 200) as tf.Tensor4D;
      y.dispose();
      return { x, filter, dy };
    });
    const pass = (): void => {
      this.shapes.forEach((s, i) => {
        const { x, filter, dy } = tensors[i];
        const results =
          mode === 'infer'
            ? [this.forward(s, x, filter)]
            : s.inputGradient
              ? tf.grads((...inputs: tf.Tensor[]) => this.forward(s, inputs[0] as tf.Tensor4D, inputs[1] as tf.Tensor4D))([x, filter], dy)
              : [tf.grad((f: tf.Tensor) => this.forward(s, x, f as tf.Tensor4D))(filter, dy)];
        // The wasm and cpu kernels compute synchronously; reading one value keeps other backends honest.
        results[0].dataSync();
        tf.dispose(results);
      });
    };
    try {
      const warm = performance.now();
      while (performance.now() - warm < 500) pass();
      let passes = 0;
      const start = performance.now();
      while (passes < 2 || performance.now() - start < seconds * 1000) {
        pass();
        passes++;
      }
      return (performance.now() - start) / passes;
    } finally {
      tf.dispose(tensors.flatMap((t) => [t.x, t.filter, t.dy]));
    }
  }

  private forward(s: ConvolutionShape, x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
    const [top, bottom, left, right] = s.padding;
    const pad: [[0, 0], [number, number], [number, number], [0, 0]] = [[0, 0], [top, bottom], [left, right], [0, 0]];
    return s.depthwise ? tf.depthwiseConv2d(x, filter, s.strides, pad, 'NHWC', s.dilations) : tf.conv2d(x, filter, s.strides, pad, 'NHWC', s.dilations);
  }
}
