import type { Design } from '../design';
import { MAX_BLOCK_FILES, resolveBlockFiles } from './resolveBlockFiles';

/**
 * Reads, through the host's `read`, every design file the blocks of `design` come from, following
 * imports from file to file, for a host whose reading is asynchronous (the editor's workspace file
 * system). Returns the texts by path relative to the design's folder, ready for `resolveBlockFiles`:
 * every file asked for, undefined where `read` did not find it (undefined, or a rejection), so that
 * a host can watch for it to appear.
 */
export async function loadBlockFiles(design: Design | undefined, read: (path: string) => Promise<string | undefined>): Promise<Map<string, string | undefined>> {
  const texts = new Map<string, string | undefined>();
  if (!design?.blockImports) return new Map();
  // Each round resolves with what is read so far and reads what that asked for: one round per level of imports.
  for (let round = 0; round <= MAX_BLOCK_FILES; round++) {
    const wanted: string[] = [];
    resolveBlockFiles(design, (path) => {
      if (!texts.has(path)) wanted.push(path);
      return texts.get(path);
    });
    if (wanted.length === 0) break;
    await Promise.all(
      wanted.map(async (path) => {
        texts.set(path, await read(path).catch(() => undefined));
      }),
    );
  }
  return texts;
}
