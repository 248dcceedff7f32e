import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDocument } from '../../core/analysis/analyzeDocument';
import type { Design } from '../../core/design';
import type { BlockFileSource } from '../../core/blocks/resolveBlockFiles';
import { compileGraph } from '../../core/export/compileGraph';
import { exportOnnx, ONNX_OPSET } from '../../core/export/exportOnnx';
import { parseDesign } from '../../core/format/parseDesign';
import type { RunSummary } from '../../protocol/trainingPanelProtocol';
import { trainedStateDict } from '../../training/trainer/exportRunForPyTorch';
import { RUN_FILES } from '../../training/trainer/runFolder';

/** One entry of "Export to ONNX…"'s weights choice: untrained, or a run (by its folder's name). */
export interface OnnxWeightsChoice {
  label: string;
  description: string;
  runName?: string;
}

const percent = (value: number | undefined): string | undefined => (value === undefined ? undefined : `${(value * 100).toFixed(1)} %`);

/**
 * The weights an ONNX export can carry: each run that trained (newest first, with its accuracy),
 * then PyTorch's default initialization. A run training now has no final weights yet and is left out.
 */
export function onnxWeightsChoices(runs: RunSummary[]): OnnxWeightsChoice[] {
  const trained = runs
    .filter((run) => run.status !== 'running' && run.curves.length > 0)
    .slice()
    .reverse()
    .map((run) => {
      const accuracy = percent(run.testAccuracy) ?? percent(run.validationAccuracy) ?? percent(run.trainAccuracy);
      const which = run.testAccuracy !== undefined ? 'test' : run.validationAccuracy !== undefined ? 'validation' : 'training';
      const facts = [run.status, `${run.curves.length} epoch${run.curves.length === 1 ? '' : 's'}`, run.dataset, accuracy ? `${which} accuracy ${accuracy}` : undefined];
      return { label: `Weights of run ${run.name}`, description: facts.filter(Boolean).join(' · '), runName: run.name };
    });
  return [...trained, { label: 'Untrained weights', description: "PyTorch's default initialization, seeded (the same file every time)" }];
}

/** Why a design cannot be exported, with the place of its first error; undefined when it can. */
export function onnxExportRefusal(text: string, blockFiles?: BlockFileSource): string | undefined {
  const { design, diagnostics } = analyzeDocument(text, { blockFiles });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (design && errors.length === 0) return undefined;
  const first = errors[0] ?? diagnostics[0];
  const where = first?.line ? `line ${first.line}${first.nodeId ? ` (${first.nodeId})` : ''}: ` : first?.nodeId ? `${first.nodeId}: ` : '';
  return `the design has ${errors.length || 'structural'} error${errors.length === 1 ? '' : 's'}; ${where}${first?.message ?? 'it does not parse'}`;
}

export interface OnnxExport {
  bytes: Uint8Array;
  /** What the weights are, for the message after saving. */
  weights: string;
}

/**
 * The ONNX model (the CLI's `export --to onnx`) of a design with untrained weights, or of a run
 * with its trained weights: then the design is the run's own copy, which the weights belong to
 * (the file may have changed since), as the run's PyTorch export does.
 */
export function onnxExportFile(source: { design: Design } | { runFolder: string }): OnnxExport {
  if ('design' in source) return { bytes: exportOnnx(compileGraph(source.design)), weights: `untrained weights, ONNX opset ${ONNX_OPSET}` };
  const designFile = join(source.runFolder, RUN_FILES.design);
  const modelJson = join(source.runFolder, RUN_FILES.model, 'model.json');
  if (!existsSync(modelJson)) throw new Error('The run has no saved model: a checkpoint is written at the end of the first epoch.');
  const trained = existsSync(designFile) ? parseDesign(readFileSync(designFile, 'utf8')).design : undefined;
  if (!trained) throw new Error(`The run's ${RUN_FILES.design} is missing or does not parse: it cannot say which design the weights belong to.`);
  return { bytes: exportOnnx(compileGraph(trained), { weights: trainedStateDict(trained, modelJson) }), weights: `weights of the run, ONNX opset ${ONNX_OPSET}` };
}
