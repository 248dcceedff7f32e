/**
 * Starts TF.js' wasm backend in Node: points it at its binaries (bundled copies or the package's)
 * and makes it current.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { wasmFiles } from './wasmFiles';

export async function initWasmBackend(extraFolders: string[] = []): Promise<void> {
  const folder = wasmFiles(extraFolders);
  if (!folder) throw new Error('The wasm backend\'s .wasm files were not found next to the program nor in @tensorflow/tfjs-backend-wasm.');
  setWasmPaths(folder);
  if (!(await tf.setBackend('wasm'))) throw new Error(`The wasm backend failed to start (binaries from ${folder}).`);
}
