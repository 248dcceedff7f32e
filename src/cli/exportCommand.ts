import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { EXPORT_TARGETS, exportDesign, type ExportTarget } from '../core/export/exportDesign';
import { fileStem } from '../core/export/identifierNames';
import { compileGraph } from '../core/export/compileGraph';
import { exportOnnx, ONNX_OPSET } from '../core/export/exportOnnx';
import { trainedStateDict, trainedWeightsForPyTorch } from '../training/trainer/exportRunForPyTorch';
import type { CliCommand } from './cliCommand';
import { CliError, readDesignFile } from './cliIo';

const isFolder = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'PyTorch, Keras or TF.js code, or an ONNX model, for the design',
  description: 'A design with errors is not exported (the errors are listed instead). Each file starts with the design name, input shape and parameter totals.',
  positionals: { usage: 'FILE', meaning: 'design file (.cnn.json)', min: 1, max: 1 },
  options: [
    { name: 'to', type: 'string', valueName: 'TARGET', choices: [...EXPORT_TARGETS, 'onnx'], required: true, meaning: `The framework the code is for; onnx writes an ONNX model (opset ${ONNX_OPSET}, channels-first like PyTorch, dynamic batch axis) and needs -o.` },
    { name: 'output', short: 'o', type: 'string', valueName: 'OUT', meaning: 'Writes into OUT instead of stdout: a file when OUT has an extension and one file is written, otherwise a folder (created if needed) for all the files.' },
    { name: 'train-script', type: 'boolean', meaning: 'With --to pytorch: adds a standalone train.py that trains the module with the design\'s training settings (python or torchrun).' },
    { name: 'weights', type: 'string', valueName: 'MODEL.json', meaning: 'With --to pytorch and -o: converts a trained run\'s TF.js model (its model/model.json) into <design>.safetensors beside the module; with --to onnx: the ONNX model carries those weights (otherwise PyTorch\'s default initialization, seeded).' },
  ],
  run(commandLine, out) {
    const args = {
      file: commandLine.positionals[0],
      target: commandLine.string('to') as ExportTarget,
      trainScript: commandLine.flag('train-script'),
      output: commandLine.string('output'),
      weights: commandLine.string('weights'),
    };
    const target = args.target as ExportTarget | 'onnx';
    if (args.trainScript && target !== 'pytorch') throw new CliError('--train-script goes with --to pytorch');
    if (args.weights && target !== 'pytorch' && target !== 'onnx') throw new CliError('--weights goes with --to pytorch or --to onnx (a TF.js model.json is already the TF.js export)');
    // The design with the blocks it takes from other files put in: the export stands on its own.
    const { design, diagnostics } = readDesignFile(args.file);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (!design || errors.length) {
      for (const d of errors) out.stderr(`${args.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}: error${d.nodeId ? ` [${d.nodeId}]` : ''}: ${d.message}\n`);
      throw new CliError(`${args.file} has ${errors.length || 'structural'} error${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} before exporting`, 1);
    }
    if (target === 'onnx') {
      if (!args.output) throw new CliError('An ONNX model is a binary file: give it a name with -o, e.g. -o model.onnx');
      const path = extname(args.output) !== '' && !isFolder(args.output) ? args.output : join(args.output, `${fileStem(design.name)}.onnx`);
      let bytes: Uint8Array;
      try {
        bytes = exportOnnx(compileGraph(design), { weights: args.weights ? trainedStateDict(design, args.weights) : undefined });
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      if (path !== args.output) mkdirSync(args.output, { recursive: true });
      try {
        writeFileSync(path, bytes);
      } catch (err) {
        throw new CliError(`Cannot write ${path}: ${(err as Error).message}`);
      }
      out.stdout(`wrote ${path} (ONNX opset ${ONNX_OPSET}, ${args.weights ? `weights of ${args.weights}` : 'untrained weights'})\n`);
      return 0;
    }
    const { files } = exportDesign(design, target, { trainScript: args.trainScript });
    const binary: { fileName: string; bytes: Uint8Array }[] = [];
    if (args.weights) binary.push({ fileName: `${fileStem(design.name)}.safetensors`, bytes: pytorchWeights(design, args.weights) });

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
