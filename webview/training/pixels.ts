/**
 * Draws uint8 pixels (height × width × channels, as the dataset stores them) on a canvas, scaled up
 * with crisp pixels. One channel is grey; three are RGB; other counts show the first channel.
 */
export function pixelCanvas(pixels: ArrayLike<number>, height: number, width: number, channels: number, scale: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.style.width = `${width * scale}px`;
  canvas.style.height = `${height * scale}px`;
  canvas.style.imageRendering = 'pixelated';
  const context = canvas.getContext('2d');
  if (!context) return canvas;
  const image = context.createImageData(width, height);
  for (let i = 0; i < height * width; i++) {
    const base = i * channels;
    const r = pixels[base];
    const g = channels === 3 ? pixels[base + 1] : r;
    const b = channels === 3 ? pixels[base + 2] : r;
    image.data[i * 4] = r;
    image.data[i * 4 + 1] = g;
    image.data[i * 4 + 2] = b;
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

/** A scale that makes an image about `target` CSS pixels wide, at least 1. */
export const scaleFor = (width: number, target: number): number => Math.max(1, Math.round(target / Math.max(width, 1)));
