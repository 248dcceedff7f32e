/**
 * Prints the torchvision reference table: for every network and input size, our parameter count
 * against PyTorch's, the number of layers, whether every layer's shape equals PyTorch's, and what
 * the catalog still lacks. `npm run reference:table` runs all networks (minutes);
 * `-- --quick` runs the default test subset, `-- --dir DIR` keeps (and reuses) the conversions in DIR,
 * `-- --only NAME[,NAME]` restricts to networks whose name contains one of the words.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareCase, convertCases, EXPRESSIBLE_CASES, formatTable, PROGRESS_CASES, torchMissing } from './referenceCases';

function main(): void {
  const args = process.argv.slice(2);
  const value = (flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const missing = torchMissing();
  if (missing) {
    console.error(`Cannot build the reference table: ${missing}.`);
    process.exit(1);
  }
  let cases = [...EXPRESSIBLE_CASES, ...PROGRESS_CASES];
  if (args.includes('--quick')) cases = cases.filter((c) => c.quick);
  const only = value('--only')?.split(',');
  if (only) cases = cases.filter((c) => only.some((w) => c.model.includes(w)));
  const keep = value('--dir');
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'cnn-reference-'));
  mkdirSync(dir, { recursive: true });
  try {
    process.stderr.write(`converting ${cases.length} network/size pairs in ${dir} ...\n`);
    process.stderr.write(convertCases(cases, dir));
    console.log(formatTable(cases.map((c) => compareCase(c, dir))));
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main();
