/**
 * The file a block import names, as a path relative to the folder of the design being analyzed
 * ("lib/blocks.cnn.json", "../shared/resnet.cnn.json"), or why it cannot be one. `from` is written
 * relative to the file holding it, whose own path (relative to the same folder) is `holder`; ""
 * is the design itself. Paths are POSIX-style on every machine, so a design reads the same on all.
 */
export function blockFilePath(from: string, holder: string): { ok: true; path: string } | { ok: false; error: string } {
  if (!from.startsWith('./') && !from.startsWith('../'))
    return { ok: false, error: `"from" is a path relative to this file, starting with "./" or "../" (e.g. "./${from.replace(/^.*[\\/]/, '') || 'blocks.cnn.json'}"), so that the design works on every machine.` };
  if (from.includes('\\')) return { ok: false, error: '"from" separates folders with "/", on every system.' };
  if (!from.endsWith('.cnn.json')) return { ok: false, error: '"from" names a design file, ending in ".cnn.json".' };
  const parts = holder.split('/').slice(0, -1);
  for (const part of from.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(part);
  }
  return { ok: true, path: parts.join('/') };
}

/** A path from `blockFilePath` as people write it: "./lib/blocks.cnn.json", "../shared/resnet.cnn.json". */
export const shownBlockFile = (path: string): string => (path.startsWith('../') ? path : `./${path}`);
