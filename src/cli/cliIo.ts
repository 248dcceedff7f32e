import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { analyzeDocument, type DocumentAnalysis } from '../core/analysis/analyzeDocument';

/** A failure the CLI explains in one line and an exit code, never a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** Reads and analyzes a design file, turning file-system problems into clear errors. */
export function readDesignFile(file: string | undefined): DocumentAnalysis & { text: string } {
  if (!file) throw new CliError('Missing design file. Usage: cnn-designer <command> FILE.cnn.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT' ? `No such file: ${file}` : code === 'EISDIR' ? `${file} is a folder, not a design file` : `Cannot read ${file}: ${(err as Error).message}`,
    );
  }
  return { ...analyzeDocument(text, { machineMemoryBytes: totalmem(), blockFiles: blockFilesBeside(file) }), text };
}

/** Reads the design files a design's blocks come from, relative to the design's folder. */
export function blockFilesBeside(designFile: string): (path: string) => string | undefined {
  const folder = dirname(resolve(designFile));
  return (path) => {
    try {
      return readFileSync(resolve(folder, path), 'utf8');
    } catch {
      return undefined;
    }
  };
}
