/**
 * TF.js' Conv2D layer, computed unfused while gradients are recorded. TF.js fuses convolution,
 * bias and a linear activation into one op whose custom gradient always computes the input
 * gradient, even for the first layer, whose input is data: on the MNIST CNN that wasted work
 * was a quarter of each training step. Unfused, the tape prunes it, and the Conv2D gradient
 * (which this project registers, with dilation support) applies. Inference stays fused. The
 * class name stays 'Conv2D': a saved model reloads as TF.js' own, identical layer.
 */
import * as tf from '@tensorflow/tfjs';

interface ConvInternals {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  strides: number[];
  padding: 'valid' | 'same';
  dilationRate: number[];
  activation: { apply(x: tf.Tensor): tf.Tensor };
}

type LayerClass = new (config: tf.serialization.ConfigDict) => tf.layers.Layer;

let trainableConv2D: LayerClass | undefined;

/** The class, derived once from the Conv2D class TF.js registered. */
export function trainableConv2DClass(): LayerClass {
  if (trainableConv2D) return trainableConv2D;
  const Base = tf.serialization.SerializationMap.getMap().classNameMap.Conv2D[0] as unknown as LayerClass;
  class TrainableConv2D extends Base {
    override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor | tf.Tensor[] {
      if (tf.engine().state.gradientDepth === 0) return super.call(inputs, kwargs);
      return tf.tidy(() => {
        const self = this as unknown as ConvInternals;
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
        let y: tf.Tensor = tf.conv2d(x, self.kernel.read() as tf.Tensor4D, self.strides as [number, number], self.padding, 'NHWC', self.dilationRate as [number, number]);
        if (self.bias) y = tf.add(y, self.bias.read());
        return self.activation.apply(y);
      });
    }
  }
  trainableConv2D = TrainableConv2D;
  return trainableConv2D;
}
