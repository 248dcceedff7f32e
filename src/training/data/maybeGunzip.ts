import { gunzipSync } from 'node:zlib';

/** Returns the bytes gunzip'd when they start with the gzip magic number, unchanged otherwise. */
export function maybeGunzip(bytes: Buffer, source: string): Buffer {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (err) {
      throw new Error(`${source}: corrupt gzip data (${(err as Error).message})`);
    }
  }
  return bytes;
}
