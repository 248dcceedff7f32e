// Draws media/icon.png (128×128): three layer blocks shrinking towards the output, joined by a wire.
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

const size = 128;
const png = new PNG({ width: size, height: size });
const put = (x: number, y: number, [r, g, b, a]: number[]): void => {
  const i = (y * size + x) * 4;
  png.data[i] = r;
  png.data[i + 1] = g;
  png.data[i + 2] = b;
  png.data[i + 3] = a;
};
const rect = (x0: number, y0: number, w: number, h: number, color: number[]): void => {
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) put(x, y, color);
};
rect(0, 0, size, size, [30, 36, 48, 255]);
rect(62, 20, 4, 90, [140, 150, 170, 255]);
rect(14, 12, 100, 26, [0, 120, 212, 255]);
rect(30, 52, 68, 24, [0, 160, 150, 255]);
rect(46, 90, 36, 22, [230, 140, 30, 255]);
writeFileSync('media/icon.png', PNG.sync.write(png));
