import { CliError, positionals, readDesignFile } from './cliIo';
import type { CliCommand } from './cliCommand';

export const validateCommand: CliCommand = {
  name: 'validate',
  usage: 'validate FILE            checks a design; exits 1 when it has errors',
  run(argv, out) {
    const files = positionals(argv, []);
    if (files.length === 0) throw new CliError('Missing design file. Usage: cnn-designer validate FILE.cnn.json');
    let errors = 0;
    for (const file of files) {
      const { diagnostics } = readDesignFile(file);
      for (const d of diagnostics) {
        const loc = d.line ? `:${d.line}:${d.column ?? 1}` : '';
        (d.severity === 'error' ? out.stderr : out.stdout)(`${file}${loc}: ${d.severity}${d.nodeId ? ` [${d.nodeId}]` : ''}: ${d.message}\n`);
        for (const f of d.fixes) out.stdout(`    fix: ${f.title}\n`);
      }
      const count = diagnostics.filter((d) => d.severity === 'error').length;
      errors += count;
      if (count === 0) out.stdout(`${file}: valid${diagnostics.length ? ` (${diagnostics.length} warning${diagnostics.length > 1 ? 's' : ''})` : ''}\n`);
    }
    return errors > 0 ? 1 : 0;
  },
};
