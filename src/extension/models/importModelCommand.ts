import * as vscode from 'vscode';
import { saveImportedDesign } from './saveImportedDesign';

/**
 * "Import ONNX / Keras model…": picks a `.onnx` file or a Keras / TF.js `model.json` and writes the
 * design (and an ONNX model's weights) beside it, as "Save as design" does, then opens it.
 */
export async function importModelFromCommand(): Promise<void> {
  const [model] =
    (await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Import as Design',
      title: 'Import an ONNX or Keras model as a CNN design',
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      filters: { 'ONNX or Keras / TF.js model': ['onnx', 'json'] },
    })) ?? [];
  if (model) await saveImportedDesign(model);
}
