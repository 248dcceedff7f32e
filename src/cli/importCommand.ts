import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DESIGN_FORMAT } from '../core/design';
import { serializeDesign } from '../core/format/serializeDesign';
import { importModelJson } from '../core/import/importModelJson';
import type { CliCommand } from './cliCommand';
import { CliError } from './cliIo';

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'A Keras or TF.js model.json (its topology) as a design',
  description:
    'Reads the topology TF.js and Keras write (functional or Sequential, Keras 2 or 3 layout); padding layers before a convolution or pooling fold back into its padding. Layers the designer has no equivalent for are listed by name, class and position, and nothing is imported then.',
  positionals: { usage: 'MODEL.json', meaning: 'model file (a Keras or TF.js model.json)', min: 1, max: 1 },
  options: [{ name: 'output', short: 'o', type: 'string', valueName: 'OUT.cnn.json', meaning: 'Writes the design into this file instead of stdout.' }],
  run(args, out) {
    const [file] = args.positionals;
    const output = args.string('output');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CliError((err as NodeJS.ErrnoException).code === 'ENOENT' ? `No such file: ${file}` : `Cannot read ${file}: ${(err as Error).message}`);
    }
    if (isDesign(text)) {
      throw new CliError(
        `${file} is already a design (format "${DESIGN_FORMAT}"); import reads a Keras or TF.js model.json. Use the design as it is: cnn-designer summary, validate, export or train.`,
      );
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

/** Whether a file's text is a design (its `format` says so), whatever its name. */
function isDesign(text: string): boolean {
  try {
    const json: unknown = JSON.parse(text);
    return typeof json === 'object' && json !== null && (json as { format?: unknown }).format === DESIGN_FORMAT;
  } catch {
    return false;
  }
}
