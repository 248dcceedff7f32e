import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { serializeDesign } from '../core/format/serializeDesign';
import { importModelJson } from '../core/import/importModelJson';
import type { CliCommand } from './cliCommand';
import { CliError } from './cliIo';

export const importCommand: CliCommand = {
  name: 'import',
  usage: 'import MODEL.json [-o OUT.cnn.json]    a Keras / TF.js model.json as a design (stdout or OUT)',
  run(argv, out) {
    let file: string | undefined;
    let output: string | undefined;
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === '-o' || argv[i] === '--output') {
        output = argv[++i];
        if (output === undefined) throw new CliError(`${argv[i - 1]} needs a value`);
      } else if (argv[i].startsWith('-')) throw new CliError(`Unknown option ${argv[i]}. Usage: cnn-designer ${importCommand.usage}`);
      else if (file) throw new CliError(`One model at a time: got ${file} and ${argv[i]}`);
      else file = argv[i];
    }
    if (!file) throw new CliError(`Missing model file. Usage: cnn-designer ${importCommand.usage}`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CliError((err as NodeJS.ErrnoException).code === 'ENOENT' ? `No such file: ${file}` : `Cannot read ${file}: ${(err as Error).message}`);
    }
    let result;
    try {
      result = importModelJson(text, basename(file).replace(/\.json$/i, ''));
    } catch (err) {
      throw new CliError(`${file}: ${(err as Error).message}`);
    }
    if (!result.design) {
      for (const p of result.problems) out.stderr(`${file}: ${p.message}\n`);
      throw new CliError(`${file}: ${result.problems.length} layer${result.problems.length > 1 ? 's' : ''} the designer cannot represent; nothing was imported`, 1);
    }
    const designText = serializeDesign(result.design);
    if (!output) out.stdout(designText);
    else {
      try {
        writeFileSync(output, designText);
      } catch (err) {
        throw new CliError(`Cannot write ${output}: ${(err as Error).message}`);
      }
      out.stdout(`wrote ${output} (${result.design.nodes.length} layers)\n`);
    }
    return 0;
  },
};
