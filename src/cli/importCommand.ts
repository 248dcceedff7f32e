import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tfjsWeightFiles, TFJS_WEIGHTS_BIN } from '../core/export/tfjsWeights';
import { importOnnx } from '../core/import/importOnnx';
import { DESIGN_FORMAT } from '../core/design';
import { serializeDesign } from '../core/format/serializeDesign';
import { importModelJson } from '../core/import/importModelJson';
import type { CliCommand } from './cliCommand';
import { CliError } from './cliIo';

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'A Keras or TF.js model.json, or an ONNX model with its weights, as a design',
  description:
    'Reads the topology TF.js and Keras write (functional or Sequential, Keras 2 or 3 layout); padding layers before a convolution or pooling fold back into its padding; a nested model (a model used as a layer) becomes an instance of a block, one block per architecture. Layers the designer has no equivalent for are listed by name, class and position, and nothing is imported then. An .onnx file (as torch.onnx.export writes it) comes in with its weights: with -o OUT.cnn.json they are written to OUT.weights/model.json, which export --weights reads.',
  positionals: { usage: 'MODEL', meaning: 'model file: a Keras or TF.js model.json, or an .onnx model', min: 1, max: 1 },
  options: [{ name: 'output', short: 'o', type: 'string', valueName: 'OUT.cnn.json', meaning: 'Writes the design into this file instead of stdout.' }],
  run(args, out) {
    const [file] = args.positionals;
    const output = args.string('output');
    if (/\.onnx$/i.test(file)) return importOnnxFile(file, output, out);
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

/** An ONNX model as a design, its weights beside it as a TF.js weights manifest; notes go to stderr. */
function importOnnxFile(file: string, output: string | undefined, out: Parameters<CliCommand['run']>[1]): number {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new CliError((err as NodeJS.ErrnoException).code === 'ENOENT' ? `No such file: ${file}` : `Cannot read ${file}: ${(err as Error).message}`);
  }
  const result = importOnnx(bytes, basename(file).replace(/\.onnx$/i, ''));
  if (!result.design) {
    // Names and operators in the problems are already escaped by the importer.
    for (const p of result.problems) out.stderr(`${file}: ${p.position ? `node ${p.position} ` : ''}${p.nodeName ? `"${p.nodeName}" ` : ''}${p.opType ? `(${p.opType}) ` : ''}${p.message}\n`);
    throw new CliError(`${file}: ${result.problems.length} problem${result.problems.length > 1 ? 's' : ''}; nothing was imported`, 1);
  }
  for (const note of result.notes) out.stderr(`note: ${note}\n`);
  const designText = serializeDesign(result.design);
  if (!output) {
    out.stdout(designText);
    out.stderr('note: the weights are written only with -o (to OUT.weights/model.json)\n');
    return 0;
  }
  const weightsFolder = `${output.replace(/(\.cnn)?\.json$/i, '')}.weights`;
  const { modelJson, bin } = tfjsWeightFiles(result.weights, `CNN Designer import of ${basename(file)}`);
  try {
    writeFileSync(output, designText);
    mkdirSync(weightsFolder, { recursive: true });
    writeFileSync(join(weightsFolder, 'model.json'), modelJson);
    writeFileSync(join(weightsFolder, TFJS_WEIGHTS_BIN), bin);
  } catch (err) {
    throw new CliError(`Cannot write ${output}: ${(err as Error).message}`);
  }
  out.stdout(`wrote ${output} (${result.design.nodes.length} layers) and its weights ${join(weightsFolder, 'model.json')}\n`);
  return 0;
}

/** Whether a file's text is a design (its `format` says so), whatever its name. */
function isDesign(text: string): boolean {
  try {
    const json: unknown = JSON.parse(text);
    return typeof json === 'object' && json !== null && (json as { format?: unknown }).format === DESIGN_FORMAT;
  } catch {
    return false;
  }
}
