import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { datasetContentHash, type ImageDataset } from './imageDataset';

/** Identities remembered; the oldest are forgotten beyond it, so the file stays small. */
const MAX_ENTRIES = 200;
export const IDENTITY_CACHE_FILE = 'dataset-identities.json';

/** What a dataset's identity depends on besides its files: how the run reads them. */
export interface DatasetReading {
  /** The dataset as loaded (id, shape after fitting to the design's input). */
  datasetId: string;
  shape: readonly number[];
  /** The split of an image folder and its shuffling depend on it. */
  seed: number;
}

/**
 * Path, size and modification time of every file under the given files or folders (sorted), so
 * a changed, added or removed file changes it; reading the files themselves is what it avoids.
 */
export function sourceFingerprint(sources: readonly string[]): string {
  const entries: string[] = [];
  const visit = (root: string, path: string): void => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(root, join(path, name));
    } else {
      entries.push(`${relative(root, path)}\t${stat.size}\t${stat.mtimeMs}`);
    }
  };
  for (const source of sources) {
    entries.push(`source\t${source}`);
    visit(source, source);
  }
  return createHash('sha256').update(entries.join('\n')).digest('hex');
}

type IdentityTable = Record<string, string>;

function readTable(file: string): IdentityTable {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string' && /^[0-9a-f]{64}$/.test(e[1])));
  } catch {
    return {};
  }
}

/**
 * The content hash run.json records for a dataset (see datasetContentHash), remembered in
 * `cacheDir` by the dataset's source files (path, size, modification time) and how they were read,
 * so a run on unchanged files does not hash every pixel again. Without sources (nothing on disk to
 * watch) or with an unusable cache folder the hash is computed, never guessed.
 */
export function datasetIdentity(dataset: ImageDataset, sources: readonly string[], reading: DatasetReading, cacheDir: string | undefined): { contentHash: string; cached: boolean } {
  if (sources.length === 0 || !cacheDir) return { contentHash: datasetContentHash(dataset), cached: false };
  let key: string;
  try {
    key = createHash('sha256').update(JSON.stringify({ reading: { ...reading, shape: [...reading.shape] }, files: sourceFingerprint(sources) })).digest('hex');
  } catch {
    return { contentHash: datasetContentHash(dataset), cached: false };
  }
  const file = join(cacheDir, IDENTITY_CACHE_FILE);
  const table = readTable(file);
  const known = table[key];
  if (known) return { contentHash: known, cached: true };
  const contentHash = datasetContentHash(dataset);
  try {
    delete table[key];
    const entries = [...Object.entries(table), [key, contentHash] as const].slice(-MAX_ENTRIES);
    mkdirSync(cacheDir, { recursive: true });
    // Written whole then renamed, so a run reading it meanwhile never sees half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(Object.fromEntries(entries))}\n`);
    renameSync(temporary, file);
  } catch {
    // A read-only cache only costs the next run the hashing.
  }
  return { contentHash, cached: false };
}
