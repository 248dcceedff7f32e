import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { makeImageDataset, type ImageDataset, type ImageSet } from './imageDataset';
import { readDatasetFile } from './readDatasetFile';
import { SeededRandom } from './seededRandom';

/** A decoded image as 8-bit RGBA. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/**
 * The most pixels an image may declare: 256 MiB of RGBA, the limit jpeg-js is given. A small PNG can
 * declare 20000×20000 (1.6 GB decoded), so its header is checked before decoding.
 */
export const MAX_IMAGE_PIXELS = (256 * 1024 * 1024) / 4;

/** Decodes a PNG or JPEG file (by its signature, not its name) into RGBA. */
export function decodeImage(bytes: Buffer, source: string): RgbaImage {
  try {
    if (bytes.length > 8 && bytes.readUInt32BE(0) === 0x89504e47) {
      // IHDR comes first: width and height at bytes 16 and 20.
      const declared = bytes.length >= 24 ? bytes.readUInt32BE(16) * bytes.readUInt32BE(20) : 0;
      if (declared > MAX_IMAGE_PIXELS) {
        throw new Error(`the PNG declares ${bytes.readUInt32BE(16)}×${bytes.readUInt32BE(20)} pixels, more than the ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} an image may have`);
      }
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
    }
    if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 256 });
      return { width: img.width, height: img.height, data: img.data };
    }
  } catch (err) {
    throw new Error(`${source}: cannot decode image (${(err as Error).message})`);
  }
  throw new Error(`${source}: not a PNG or JPEG image`);
}

/**
 * Resizes (bilinear, pixel centres aligned as in PIL/OpenCV) and converts to `channels` (1: luminance
 * ITU-R 601, 3: RGB), writing height × width × channels bytes into `out` at `offset`.
 */
export function resizeInto(img: RgbaImage, height: number, width: number, channels: number, out: Uint8Array, offset: number): void {
  const sy = img.height / height;
  const sx = img.width / width;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, img.width - 1);
      const wx = fx - x0;
      const rgb = [0, 0, 0];
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => img.data[(yy * img.width + xx) * 4 + c];
        rgb[c] = (at(y0, x0) * (1 - wx) + at(y0, x1) * wx) * (1 - wy) + (at(y1, x0) * (1 - wx) + at(y1, x1) * wx) * wy;
      }
      const o = offset + (y * width + x) * channels;
      if (channels === 1) out[o] = Math.round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]);
      else for (let c = 0; c < channels; c++) out[o + c] = Math.round(rgb[c % 3]);
    }
  }
}

/**
 * `path` resolved through links, checked to lie inside the dataset `root`: a dataset may come from
 * anyone, and a class folder or image that links elsewhere would feed (and hash into a run) files
 * from outside it.
 */
function insideDataset(root: string, path: string): string {
  const real = realpathSync(path);
  const rel = relative(realpathSync(root), real);
  if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) throw new Error(`${path}: links to ${real}, outside the dataset folder ${root}; refusing to read it.`);
  return real;
}

const subfolders = (root: string, dir: string): string[] =>
  readdirSync(dir)
    .filter((name) => !name.startsWith('.') && statSync(insideDataset(root, join(dir, name))).isDirectory())
    .sort();

function listImages(root: string, dir: string, classNames: string[]): { path: string; label: number }[] {
  const items: { path: string; label: number }[] = [];
  classNames.forEach((name, label) => {
    const folder = join(dir, name);
    if (!existsSync(folder)) return;
    insideDataset(root, folder);
    for (const file of readdirSync(folder).sort()) {
      if (!IMAGE_EXTENSIONS.has(extname(file).toLowerCase())) continue;
      const path = join(folder, file);
      // A FIFO or device named like an image would block the read forever.
      if (!statSync(insideDataset(root, path)).isFile()) throw new Error(`${path}: not a regular file (a pipe, device or folder named like an image); remove or rename it.`);
      items.push({ path, label });
    }
  });
  return items;
}

function loadSet(items: { path: string; label: number }[], shape: [number, number, number]): ImageSet {
  const [h, w, c] = shape;
  const pixels = new Uint8Array(items.length * h * w * c);
  const labels = new Uint8Array(items.length);
  items.forEach((item, i) => {
    resizeInto(decodeImage(readDatasetFile(item.path), item.path), h, w, c, pixels, i * h * w * c);
    labels[i] = item.label;
  });
  return { pixels, labels, count: items.length };
}

/**
 * Reads an image folder: one subfolder per class (sorted names are the classes), PNG or JPEG files,
 * resized to `shape` ([height, width, channels], channels 1 or 3). With `train/` and `test/` subfolders
 * those are the splits; otherwise a seeded, per-class `testFraction` is held out as the test split.
 */
export function readImageFolder(root: string, shape: [number, number, number], options: { testFraction?: number; seed?: number } = {}): ImageDataset {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`${root}: image folder not found`);
  if (shape[2] !== 1 && shape[2] !== 3) throw new Error(`${root}: the design's input has ${shape[2]} channels; image folders feed 1 (grayscale) or 3 (RGB)`);
  const top = subfolders(root, root);
  const hasSplits = top.includes('train') && top.includes('test');
  const classNames = hasSplits ? [...new Set([...subfolders(root, join(root, 'train')), ...subfolders(root, join(root, 'test'))])].sort() : top;
  if (classNames.length < 2) throw new Error(`${root}: needs one subfolder per class (at least two), found ${classNames.length}`);
  if (classNames.length > 256) throw new Error(`${root}: ${classNames.length} classes is more than the 256 supported`);
  let trainItems: { path: string; label: number }[];
  let testItems: { path: string; label: number }[];
  if (hasSplits) {
    trainItems = listImages(root, join(root, 'train'), classNames);
    testItems = listImages(root, join(root, 'test'), classNames);
  } else {
    const random = new SeededRandom(options.seed ?? 0);
    const fraction = options.testFraction ?? 0.2;
    const all = listImages(root, root, classNames);
    trainItems = [];
    testItems = [];
    classNames.forEach((_, label) => {
      const ofClass = random.shuffle(all.filter((item) => item.label === label));
      const testCount = Math.round(ofClass.length * fraction);
      testItems.push(...ofClass.slice(0, testCount));
      trainItems.push(...ofClass.slice(testCount));
    });
  }
  if (trainItems.length === 0) throw new Error(`${root}: no PNG or JPEG images found for training`);
  return makeImageDataset({
    id: `folder:${root}`,
    description: `image folder ${root} (${classNames.length} classes)`,
    shape,
    classNames,
    train: loadSet(trainItems, shape),
    test: loadSet(testItems, shape),
  });
}
