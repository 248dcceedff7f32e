import type * as tf from '@tensorflow/tfjs';

/** One sample's shape (the batch axis dropped) and its number of values. */
export interface SampleShape {
  shape: number[];
  size: number;
}

/**
 * The sample shapes of a model's first input and first output. Training, prediction and the
 * feature maps all move samples in and out as flat arrays, so they need both the shape and its size.
 */
export function modelSampleShapes(model: tf.LayersModel): { input: SampleShape; output: SampleShape } {
  return { input: sampleShape(model.inputs[0].shape), output: sampleShape(model.outputs[0].shape) };
}

function sampleShape(batchShape: readonly (number | null)[]): SampleShape {
  const shape = batchShape.slice(1) as number[];
  return { shape, size: shape.reduce((a, b) => a * b, 1) };
}
