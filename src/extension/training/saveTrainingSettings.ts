import * as vscode from 'vscode';
import type { TrainingSettings } from '../../core/design';
import { minimalReplacement } from '../minimalReplacement';
import { planTrainingSettingsEdit } from './planTrainingSettingsEdit';

/** Writes the form's settings into the design's `training` block as one undoable edit; the reason when it was not written. */
export async function saveTrainingSettings(uri: vscode.Uri, settings: TrainingSettings): Promise<string | undefined> {
  const document = await vscode.workspace.openTextDocument(uri);
  const text = document.getText();
  const plan = planTrainingSettingsEdit(text, settings);
  if (plan.kind === 'refused') return plan.reason;
  if (plan.kind === 'unchanged') return undefined;
  const change = minimalReplacement(text, plan.newText);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(change.start), document.positionAt(change.end)), change.text);
  return (await vscode.workspace.applyEdit(edit)) ? undefined : 'VS Code did not apply the edit (is the file read-only?).';
}
