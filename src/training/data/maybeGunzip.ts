import { gunzipSync } from 'node:zlib';

/**
 * The most a dataset file may decompress to: CIFAR's archives, the largest the readers take, hold
 * about 180 MB. A few megabytes of gzip can claim gigabytes, and gunzip would allocate them all
 * before any size check, so decompression stops here.
 */
export const MAX_GUNZIP_BYTES = 512 * 1024 * 1024;

/** Returns the bytes gunzip'd when they start with the gzip magic number, unchanged otherwise. */
export function maybeGunzip(bytes: Buffer, source: string, maxBytes = MAX_GUNZIP_BYTES): Buffer {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw new Error(`${source}: decompresses to more than ${Math.round(maxBytes / 1024 / 1024)} MiB, more than any dataset file this reads; refusing it.`);
      }
      throw new Error(`${source}: corrupt gzip data (${(err as Error).message})`);
    }
  }
  return bytes;
}
