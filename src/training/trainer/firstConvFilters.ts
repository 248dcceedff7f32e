import type * as tf from '@tensorflow/tfjs';
import type { FilterImages } from './trainingReport';
import { kerasClassIndex } from '../../core/layers/kerasClassIndex';

/**
 * The first 2-D convolution's kernels as small images, each filter's channels min–max scaled to 0–255
 * independently (the course's weight plots). Undefined when the model has no Conv2D.
 */
export function firstConvFilters(model: tf.LayersModel): FilterImages | undefined {
  // Any 2-D convolution class of the catalog (plain, depthwise, grouped): the first whose kernel is [kh, kw, in, out].
  const layer = model.layers.find((l) => kerasClassIndex.convolutionClasses.has(l.getClassName()) && l.weights[0]?.shape.length === 4);
  if (!layer) return undefined;
  const kernel = layer.getWeights()[0];
  if (!kernel || kernel.rank !== 4) return undefined;
  const [height, width, inChannels, outChannels] = kernel.shape;
  const values = kernel.dataSync();
  const filters: number[][] = [];
  for (let f = 0; f < outChannels; f++) {
    const image = new Array<number>(height * width * inChannels);
    for (let c = 0; c < inChannels; c++) {
      let min = Infinity;
      let max = -Infinity;
      const at = (y: number, x: number) => values[((y * width + x) * inChannels + c) * outChannels + f];
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) (min = Math.min(min, at(y, x))), (max = Math.max(max, at(y, x)));
      const range = max - min || 1;
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) image[(y * width + x) * inChannels + c] = Math.round(((at(y, x) - min) / range) * 255);
    }
    filters.push(image);
  }
  return { layerName: layer.name, height, width, inChannels, filters };
}
