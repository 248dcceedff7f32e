import { makeImageDataset, type ImageDataset, type ImageSet } from './imageDataset';
import { resizeInto } from './imageFolderReader';

function convertSet(set: ImageSet, from: [number, number, number], to: [number, number, number]): ImageSet {
  const [h, w, c] = from;
  const outSize = to[0] * to[1] * to[2];
  const pixels = new Uint8Array(set.count * outSize);
  const rgba = new Uint8Array(h * w * 4);
  for (let i = 0; i < set.count; i++) {
    const base = i * h * w * c;
    for (let p = 0; p < h * w; p++) {
      for (let k = 0; k < 3; k++) rgba[p * 4 + k] = set.pixels[base + p * c + (c === 1 ? 0 : k)];
      rgba[p * 4 + 3] = 255;
    }
    resizeInto({ width: w, height: h, data: rgba }, to[0], to[1], to[2], pixels, i * outSize);
  }
  return { pixels, labels: set.labels, count: set.count };
}

/**
 * Adapts a dataset to a design's input [H, W, C]: bilinear resize (e.g. 28×28 MNIST into LeNet-5's 32×32)
 * and grayscale ↔ RGB conversion. Unchanged when the shapes already match.
 */
export function fitImagesToShape(dataset: ImageDataset, shape: [number, number, number]): ImageDataset {
  const [h, w, c] = dataset.shape;
  if (h === shape[0] && w === shape[1] && c === shape[2]) return dataset;
  if ((c !== 1 && c !== 3) || (shape[2] !== 1 && shape[2] !== 3)) {
    throw new Error(`${dataset.id} images are ${h}×${w}×${c} but the design's input is ${shape.join('×')}; only 1- and 3-channel images can be converted`);
  }
  return makeImageDataset({
    ...dataset,
    id: `${dataset.id}@${shape.join('x')}`,
    description: `${dataset.description}, resized to ${shape.join('×')}`,
    shape,
    train: convertSet(dataset.train, dataset.shape, shape),
    test: convertSet(dataset.test, dataset.shape, shape),
  });
}
