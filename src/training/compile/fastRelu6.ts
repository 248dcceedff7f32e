/**
 * TF.js' ReLU layer, computed as one Relu6 op when it caps at 6 (MobileNetV2's activation, which the
 * designer compiles to ReLU with maxValue 6). TF.js' layer runs relu then clipByValue, and their
 * gradients (step, greaterEqual, lessEqual, logicalAnd, casts, products): about ten full-size passes
 * per layer and step, where Relu6 and the project's Relu6 gradient (reluGradients.ts) take two.
 * Values are the same, and so are gradients (dy where 0 < x ≤ 6, else 0). The class name stays
 * TF.js' ReLU: a saved model reloads as TF.js' own, identical layer.
 */
import * as tf from '@tensorflow/tfjs';
import { KERAS_RELU } from '../../core/layers/kerasActivations';

type LayerClass = new (config: tf.serialization.ConfigDict) => tf.layers.Layer;

let fastRelu: LayerClass | undefined;

/** The class, derived once from the ReLU class TF.js registered. */
export function fastReluClass(): LayerClass {
  if (fastRelu) return fastRelu;
  const Base = tf.serialization.SerializationMap.getMap().classNameMap[KERAS_RELU][0] as unknown as LayerClass;
  class FastReLU extends Base {
    override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor | tf.Tensor[] {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if ((this as unknown as { maxValue?: number }).maxValue !== 6 || x.dtype !== 'float32') return super.call(inputs, kwargs);
      return tf.relu6(x);
    }
  }
  fastRelu = FastReLU;
  return fastRelu;
}
