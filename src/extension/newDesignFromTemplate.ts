import * as vscode from 'vscode';
import { parseDesign } from '../core/format/parseDesign';
import { CNN_EDITOR_VIEW_TYPE } from './cnnEditorProvider';

/**
 * "New CNN Design": pick one of the bundled templates (or an empty design) and open it, unsaved,
 * in the graph editor; saving asks where to put it.
 */
export async function newDesignFromTemplate(extensionUri: vscode.Uri): Promise<void> {
  const folder = vscode.Uri.joinPath(extensionUri, 'examples');
  const entries = (await vscode.workspace.fs.readDirectory(folder)).filter(([name]) => name.endsWith('.cnn.json')).sort(([a], [b]) => a.localeCompare(b));
  const templates = await Promise.all(
    entries.map(async ([file]) => {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, file)));
      const design = parseDesign(text).design;
      return { label: design?.name ?? file, detail: design?.description, file, text };
    }),
  );
  const empty = { label: 'Empty design', detail: 'Just an input layer, 28×28×1', file: 'design.cnn.json', text: EMPTY_DESIGN };
  const picked = await vscode.window.showQuickPick([empty, ...templates], { title: 'New CNN Design', placeHolder: 'Start from a template', matchOnDetail: true });
  if (!picked) return;
  const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(process.cwd());
  let target = vscode.Uri.joinPath(base, picked.file);
  for (let i = 2; await exists(target); i++) target = vscode.Uri.joinPath(base, picked.file.replace(/\.cnn\.json$/, `-${i}.cnn.json`));
  const untitled = target.with({ scheme: 'untitled' });
  const document = await vscode.workspace.openTextDocument(untitled);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(untitled, new vscode.Position(0, 0), picked.text);
  await vscode.workspace.applyEdit(edit);
  await vscode.commands.executeCommand('vscode.openWith', document.uri, CNN_EDITOR_VIEW_TYPE);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

const EMPTY_DESIGN = `{
  "format": "cnn-designer",
  "version": 1,
  "name": "Untitled",
  "nodes": [
    { "id": "input", "type": "Input", "params": { "shape": [28, 28, 1] }, "position": { "x": 0, "y": 0 } }
  ],
  "edges": [],
  "training": {}
}
`;
