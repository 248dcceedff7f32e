/**
 * A training run as PyTorch: the design exactly as that run trained it (its own copy in the run
 * folder, not the design file, which may have changed since) as a module, and the run's trained
 * weights converted into the module's state_dict as safetensors, written into `<run>/pytorch/`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Design } from '../../core/design';
import { exportDesign } from '../../core/export/exportDesign';
import { fileStem } from '../../core/export/identifierNames';
import { encodeSafetensors, toPyTorchStateDict, type NamedTensor } from '../../core/export/pytorchWeights';
import { readTfjsWeights } from '../../core/export/tfjsWeights';
import { parseDesign } from '../../core/format/parseDesign';
import { modelShardPath } from './modelShardPath';
import { RUN_FILES } from './runFolder';

/** A saved TF.js model's weights (model.json and its weight files) as the exported module's state_dict, in safetensors. */
export function trainedWeightsForPyTorch(design: Design, modelJsonPath: string): Uint8Array {
  return encodeSafetensors(trainedStateDict(design, modelJsonPath), { source: modelJsonPath, design: design.name });
}

/** A saved TF.js model's weights as the PyTorch export's state_dict tensors (also the ONNX export's parameters). */
export function trainedStateDict(design: Design, modelJsonPath: string): NamedTensor[] {
  let modelJson: unknown;
  try {
    modelJson = JSON.parse(readFileSync(modelJsonPath, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the model ${modelJsonPath}: ${(err as Error).message}`);
  }
  try {
    const weights = readTfjsWeights(modelJson, (path) => readFileSync(modelShardPath(dirname(modelJsonPath), path)));
    return toPyTorchStateDict(design, weights);
  } catch (err) {
    throw new Error(`${modelJsonPath}: ${(err as Error).message}`);
  }
}

export interface RunPyTorchExport {
  folder: string;
  /** The module's file, to open. */
  module: string;
  weights: string;
}

/** Writes `<run>/pytorch/<design>.py` and `<design>.safetensors`; throws, saying what is missing, when the run has no checkpoint. */
export function exportRunForPyTorch(runFolder: string): RunPyTorchExport {
  const designFile = join(runFolder, RUN_FILES.design);
  const modelJson = join(runFolder, RUN_FILES.model, 'model.json');
  if (!existsSync(designFile)) throw new Error(`The run folder has no ${RUN_FILES.design}: it cannot say which design it trained.`);
  if (!existsSync(modelJson)) throw new Error('The run has no saved model yet: a checkpoint is written at the end of the first epoch.');
  const parsed = parseDesign(readFileSync(designFile, 'utf8'));
  if (!parsed.design) throw new Error(`The run's ${RUN_FILES.design} does not parse: ${parsed.diagnostics[0]?.message ?? 'unknown error'}`);
  const design = parsed.design;
  const weights = trainedWeightsForPyTorch(design, modelJson);
  const { files } = exportDesign(design, 'pytorch');
  const folder = join(runFolder, 'pytorch');
  mkdirSync(folder, { recursive: true });
  for (const file of files) writeFileSync(join(folder, file.fileName), file.code);
  const weightsFile = join(folder, `${fileStem(design.name)}.safetensors`);
  writeFileSync(weightsFile, weights);
  return { folder, module: join(folder, files[0].fileName), weights: weightsFile };
}
