import type { ImageSet } from './imageDataset';
import type { Augmentation, Normalization } from './prepareData';
import type { SeededRandom } from './seededRandom';

/** One batch as plain typed arrays (normalized float pixels, N×H×W×C, and class indices). */
export interface BatchArrays {
  pixels: Float32Array;
  labels: Int32Array;
  count: number;
}

/**
 * Turns uint8 images into normalized float batches, augmenting when asked. Reuses its buffers for
 * full-size batches: the caller must hand a batch to TF.js (which copies it) before asking for the next.
 */
export class BatchFeeder {
  private readonly imageSize: number;
  private readonly scale: Float32Array;
  private readonly offset: Float32Array;
  private buffer?: BatchArrays;

  constructor(
    private readonly shape: [number, number, number],
    normalization: Normalization,
    private readonly batchSize: number,
  ) {
    const channels = shape[2];
    this.imageSize = shape[0] * shape[1] * channels;
    this.scale = Float32Array.from({ length: channels }, (_, c) => 1 / (255 * normalization.std[c]));
    this.offset = Float32Array.from({ length: channels }, (_, c) => -normalization.mean[c] / normalization.std[c]);
  }

  /** The batch of `set` made of the images at order[start … start+batchSize). */
  batch(set: ImageSet, order: ArrayLike<number> | undefined, start: number, augmentation?: { random: SeededRandom; settings: Augmentation }): BatchArrays {
    const count = Math.min(this.batchSize, set.count - start);
    const target =
      count === this.batchSize
        ? (this.buffer ??= { pixels: new Float32Array(count * this.imageSize), labels: new Int32Array(count), count })
        : { pixels: new Float32Array(count * this.imageSize), labels: new Int32Array(count), count };
    for (let i = 0; i < count; i++) {
      const index = order ? order[start + i] : start + i;
      target.labels[i] = set.labels[index];
      this.writeImage(set.pixels, index * this.imageSize, target.pixels, i * this.imageSize, augmentation);
    }
    return target;
  }

  private writeImage(source: Uint8Array, from: number, out: Float32Array, to: number, augmentation?: { random: SeededRandom; settings: Augmentation }): void {
    const [h, w, channels] = this.shape;
    const { scale, offset } = this;
    let flip = false;
    let dy = 0;
    let dx = 0;
    if (augmentation) {
      const { random, settings } = augmentation;
      flip = !!settings.horizontalFlip && random.next() < 0.5;
      const maxY = Math.round((settings.translate ?? 0) * h) + (settings.cropPadding ?? 0);
      const maxX = Math.round((settings.translate ?? 0) * w) + (settings.cropPadding ?? 0);
      if (maxY > 0) dy = random.int(2 * maxY + 1) - maxY;
      if (maxX > 0) dx = random.int(2 * maxX + 1) - maxX;
    }
    if (!flip && dy === 0 && dx === 0) {
      for (let p = 0; p < this.imageSize; p++) {
        const c = p % channels;
        out[to + p] = source[from + p] * scale[c] + offset[c];
      }
      return;
    }
    for (let y = 0; y < h; y++) {
      const sy = y - dy;
      for (let x = 0; x < w; x++) {
        const sx = (flip ? w - 1 - x : x) - dx;
        const o = to + (y * w + x) * channels;
        const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
        const s = from + (sy * w + sx) * channels;
        for (let c = 0; c < channels; c++) out[o + c] = (inside ? source[s + c] : 0) * scale[c] + offset[c];
      }
    }
  }
}
