/**
 * Where the wasm backend's binaries are at run time. Bundles copy them next to themselves (the
 * build's esbuild config does), so an installed extension finds them beside its own script; from
 * sources (tests, tsx) they are in the package's dist folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The folder holding the wasm binaries, with a trailing separator as `setWasmPaths` wants; undefined when none has them. */
export function wasmFiles(extraFolders: string[] = []): string | undefined {
  const candidates = [...extraFolders, __dirname, path.join(__dirname, '..')];
  try {
    candidates.push(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist');
  } catch {
    // Not resolvable from a bundle without node_modules: the copies next to the bundle are used.
  }
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm')));
  return found === undefined ? undefined : found.endsWith(path.sep) ? found : found + path.sep;
}
