import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
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
  return { ...analyzeDocument(text, { machineMemoryBytes: totalmem() }), text };
}

/** Whether argv holds a flag, e.g. --json. */
export const hasFlag = (argv: string[], flag: string): boolean => argv.includes(flag);

/** The value after an option, e.g. --epochs 3 or --epochs=3. */
export function optionValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) {
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new CliError(`${name} needs a value`);
    return value;
  }
  const inline = argv.find((a) => a.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

/** Positional arguments (not options and not option values). */
export function positionals(argv: string[], optionsWithValues: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) {
      if (optionsWithValues.includes(argv[i])) i++;
      continue;
    }
    out.push(argv[i]);
  }
  return out;
}
