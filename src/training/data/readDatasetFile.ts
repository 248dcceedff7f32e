import { readFileSync, statSync } from 'node:fs';

/**
 * The bytes of a dataset file, after checking it is a regular file: a FIFO or device under a
 * dataset's file name would block the read, and the whole process with it, forever.
 */
export function readDatasetFile(path: string): Buffer {
  if (!statSync(path).isFile()) throw new Error(`${path}: not a regular file (a pipe, device or folder under a dataset file's name).`);
  return readFileSync(path);
}
