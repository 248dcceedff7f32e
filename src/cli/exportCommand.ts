import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { EXPORT_TARGETS, exportDesign, type ExportTarget } from '../core/export/exportDesign';
import { fileStem } from '../core/export/identifierNames';
import { trainedWeightsForPyTorch } from '../training/trainer/exportRunForPyTorch';
import type { CliCommand } from './cliCommand';
import { CliError, readDesignFile } from './cliIo';

/** Splits argv into the design file, --to, --train-script, --weights and -o / --output. */
interface ExportArgs {
  file?: string;
  target?: string;
  trainScript: boolean;
  output?: string;
  /** A trained TF.js model.json whose weights go along, converted for PyTorch. */
  weights?: string;
}

function parseExportArgs(argv: string[]): ExportArgs {
  const parsed: ExportArgs = { trainScript: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (name: string): string => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('-')) throw new CliError(`${name} needs a value`);
      return next;
    };
    if (arg === '--to') parsed.target = value('--to');
    else if (arg.startsWith('--to=')) parsed.target = arg.slice(5);
    else if (arg === '-o' || arg === '--output') parsed.output = value(arg);
    else if (arg.startsWith('--output=')) parsed.output = arg.slice(9);
    else if (arg === '--train-script') parsed.trainScript = true;
    else if (arg === '--weights') parsed.weights = value('--weights');
    else if (arg.startsWith('-')) throw new CliError(`Unknown option ${arg}. Usage: cnn-designer ${exportCommand.usage}`);
    else if (parsed.file) throw new CliError(`One design at a time: got ${parsed.file} and ${arg}`);
    else parsed.file = arg;
  }
  return parsed;
}

const isFolder = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

export const exportCommand: CliCommand = {
  name: 'export',
  usage: 'export FILE --to pytorch|keras|tfjs [--train-script] [--weights MODEL.json] [-o OUT]    code for the design (stdout, a file or a folder); --weights adds a trained TF.js model\'s weights for PyTorch',
  run(argv, out) {
    const args = parseExportArgs(argv);
    if (!args.target) throw new CliError(`Missing --to: the export target, one of ${EXPORT_TARGETS.join(', ')}`);
    if (!EXPORT_TARGETS.includes(args.target as ExportTarget)) throw new CliError(`Unknown target "${args.target}": use one of ${EXPORT_TARGETS.join(', ')}`);
    if (args.trainScript && args.target !== 'pytorch') throw new CliError('--train-script goes with --to pytorch');
    if (args.weights && args.target !== 'pytorch') throw new CliError('--weights goes with --to pytorch (a TF.js model.json is already the TF.js export)');
    const { parsed, diagnostics } = readDesignFile(args.file);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (!parsed.design || errors.length) {
      for (const d of errors) out.stderr(`${args.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}: error${d.nodeId ? ` [${d.nodeId}]` : ''}: ${d.message}\n`);
      throw new CliError(`${args.file} has ${errors.length || 'structural'} error${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} before exporting`, 1);
    }
    const { files } = exportDesign(parsed.design, args.target as ExportTarget, { trainScript: args.trainScript });
    const binary: { fileName: string; bytes: Uint8Array }[] = [];
    if (args.weights) binary.push({ fileName: `${fileStem(parsed.design.name)}.safetensors`, bytes: pytorchWeights(parsed.design, args.weights) });

    if (!args.output) {
      if (files.length + binary.length > 1) throw new CliError(`${[...files, ...binary].map((f) => f.fileName).join(' and ')} are several files: give a folder with -o`);
      out.stdout(files[0].code);
      return 0;
    }
    // A path with an extension names the model file; anything else is a folder for all files.
    const single = files.length === 1 && !binary.length && extname(args.output) !== '' && !isFolder(args.output);
    const targets: { path: string; code: string | Uint8Array }[] = single
      ? [{ path: args.output, code: files[0].code }]
      : [...files.map((f) => ({ path: join(args.output!, f.fileName), code: f.code })), ...binary.map((b) => ({ path: join(args.output!, b.fileName), code: b.bytes }))];
    if (!single) mkdirSync(args.output, { recursive: true });
    for (const t of targets) {
      try {
        writeFileSync(t.path, t.code);
      } catch (err) {
        throw new CliError(`Cannot write ${t.path}: ${(err as Error).message}`);
      }
      out.stdout(`wrote ${t.path}\n`);
    }
    return 0;
  },
};

/** The trained model's weights for PyTorch, with a CLI error that names the file. */
function pytorchWeights(design: Parameters<typeof trainedWeightsForPyTorch>[0], modelJsonPath: string): Uint8Array {
  try {
    return trainedWeightsForPyTorch(design, modelJsonPath);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}
