import * as vscode from 'vscode';
import { analyzeDocument } from '../../core/analysis/analyzeDocument';
import { readBlockFiles } from '../readBlockFiles';
import { RunFolders } from '../../runs/RunFolders';
import { onnxExportFile, onnxExportRefusal, onnxWeightsChoices, type OnnxWeightsChoice } from './onnxExportFile';

/**
 * "Export to ONNX…": the design as the editor holds it (unsaved changes included, as "Export
 * Code" does), as an ONNX model saved where the user chooses, with the weights of one of its runs
 * when it has some. Runs are read only in a trusted workspace on a local file system, as everywhere
 * else; otherwise the model carries untrained weights.
 */
export async function exportOnnxFromCommand(designUri: vscode.Uri): Promise<void> {
  const text = (await vscode.workspace.openTextDocument(designUri)).getText();
  const blockFiles = await readBlockFiles(designUri, text);
  const refusal = onnxExportRefusal(text, blockFiles);
  // With the blocks it takes from other files, as the analysis saw it.
  const design = analyzeDocument(text, { blockFiles, searchFixes: false }).design;
  if (refusal || !design) {
    void vscode.window.showErrorMessage(`Cannot export to ONNX: ${refusal ?? 'the file is not a design.'}`);
    return;
  }
  const runs = designUri.scheme === 'file' ? new RunFolders(designUri.fsPath, () => vscode.workspace.isTrusted) : undefined;
  const choices = onnxWeightsChoices(runs?.history() ?? []);
  let choice: OnnxWeightsChoice | undefined = choices[choices.length - 1];
  if (choices.length > 1) {
    choice = await vscode.window.showQuickPick(choices, { title: `Export ${design.name} to ONNX`, placeHolder: 'Which weights the model carries' });
    if (!choice) return;
  }
  const target = await vscode.window.showSaveDialog({
    defaultUri: designUri.with({ path: `${designUri.path.replace(/(\.cnn)?\.json$/i, '')}.onnx` }),
    filters: { 'ONNX model': ['onnx'] },
    title: `Export ${design.name} to ONNX`,
  });
  if (!target) return;
  let exported;
  try {
    const runFolder = choice?.runName ? runs?.folder(choice.runName, 'Exporting a run to ONNX') : undefined;
    if (choice?.runName && !runFolder) throw new Error(`The run ${choice.runName} is gone.`);
    exported = onnxExportFile(runFolder ? { runFolder } : { design });
  } catch (err) {
    void vscode.window.showErrorMessage(`Cannot export to ONNX: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  await vscode.workspace.fs.writeFile(target, exported.bytes);
  void vscode.window.showInformationMessage(`Exported ${target.path.slice(target.path.lastIndexOf('/') + 1)} (${exported.weights}).`);
}
