import * as vscode from 'vscode';
import { exportDesign, type ExportTarget } from '../core/export/exportDesign';
import { analyzeDocument } from '../core/analysis/analyzeDocument';
import { readBlockFiles } from './readBlockFiles';

interface TargetPick extends vscode.QuickPickItem {
  target: ExportTarget;
  trainScript: boolean;
}

const TARGETS: TargetPick[] = [
  { label: 'PyTorch', description: 'nn.Module', target: 'pytorch', trainScript: false },
  { label: 'PyTorch with train.py', description: 'nn.Module and a training script using the design\'s settings', target: 'pytorch', trainScript: true },
  { label: 'Keras', description: 'TensorFlow Keras functional model', target: 'keras', trainScript: false },
  { label: 'TensorFlow.js', description: 'tf.LayersModel in JavaScript', target: 'tfjs', trainScript: false },
];

const LANGUAGE: Record<ExportTarget, string> = { pytorch: 'python', keras: 'python', tfjs: 'javascript' };

/**
 * "Export Code": generates the chosen target's files from the design as saved in the document and
 * opens them unsaved next to the design (the first one focused), named as they should be saved.
 * `designText`: the design of a file that is not one (an ONNX model shown as the design it imports as).
 */
export async function exportFromCommand(uri: vscode.Uri, designText?: string): Promise<void> {
  const text = designText ?? (await vscode.workspace.openTextDocument(uri)).getText();
  // With the blocks it takes from other files: the exported code stands on its own.
  const { design, parsed } = analyzeDocument(text, { blockFiles: await readBlockFiles(uri, text), searchFixes: false });
  if (!design) {
    void vscode.window.showErrorMessage(`Cannot export: ${parsed.diagnostics[0]?.message ?? 'the file is not a design.'}`);
    return;
  }
  const pick = await vscode.window.showQuickPick(TARGETS, { title: 'Export CNN design', placeHolder: 'Target framework' });
  if (!pick) return;
  let files: { fileName: string; code: string }[];
  try {
    files = exportDesign(design, pick.target, { trainScript: pick.trainScript }).files;
  } catch (err) {
    void vscode.window.showErrorMessage(`Cannot export: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const folder = vscode.Uri.joinPath(uri, '..');
  let first = true;
  for (const file of files) {
    const target = vscode.Uri.joinPath(folder, file.fileName).with({ scheme: 'untitled' });
    const document = await vscode.workspace.openTextDocument(target);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(target, new vscode.Range(0, 0, document.lineCount, 0), file.code);
    await vscode.workspace.applyEdit(edit);
    await vscode.languages.setTextDocumentLanguage(document, LANGUAGE[pick.target]);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false, preserveFocus: !first });
    first = false;
  }
}
