import { readDesignFile } from './cliIo';
import type { CliCommand } from './cliCommand';

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'Checks designs: each problem with its line and fixes; exits 1 on errors',
  positionals: { usage: 'FILE…', meaning: 'design file (.cnn.json)', min: 1, max: Infinity },
  options: [],
  run(args, out) {
    const files = args.positionals;
    let errors = 0;
    for (const file of files) {
      const { diagnostics } = readDesignFile(file);
      // In the order of the file, each with its fixes under it, all on stdout: the report is this command's output.
      const inFileOrder = [...diagnostics].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
      for (const d of inFileOrder) {
        const loc = d.line ? `:${d.line}:${d.column ?? 1}` : '';
        out.stdout(`${file}${loc}: ${d.severity}${d.nodeId ? ` [${d.nodeId}]` : ''}: ${d.message}\n`);
        for (const f of d.fixes) out.stdout(`    fix: ${f.title}\n`);
      }
      const count = diagnostics.filter((d) => d.severity === 'error').length;
      errors += count;
      if (count === 0) out.stdout(`${file}: valid${diagnostics.length ? ` (${diagnostics.length} warning${diagnostics.length > 1 ? 's' : ''})` : ''}\n`);
    }
    return errors > 0 ? 1 : 0;
  },
};
