import * as vscode from 'vscode';
import { CNN_EDITOR_VIEW_TYPE } from '../cnnEditorProvider';
import { designPathFor, importedDesignFiles, weightsFolderFor } from './importedDesignFiles';
import { importModelFile, type ImportedModel } from './importModelFile';

const fileNameOf = (uri: vscode.Uri): string => uri.path.slice(uri.path.lastIndexOf('/') + 1);

const exists = async (uri: vscode.Uri): Promise<boolean> => {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
};

/** Reads and imports a model file through VS Code's file system (local, remote or virtual). */
export async function importModelAt(modelUri: vscode.Uri): Promise<ImportedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(modelUri);
  } catch (err) {
    return { ok: false, title: `${fileNameOf(modelUri)} could not be read`, problems: [{ message: err instanceof Error ? err.message : String(err) }] };
  }
  return importModelFile(bytes, fileNameOf(modelUri));
}

/** Where the design goes: beside the model, unless that folder cannot be written or the user picks another name. */
async function chooseDesignUri(modelUri: vscode.Uri): Promise<vscode.Uri | undefined> {
  const beside = modelUri.with({ path: designPathFor(modelUri.path) });
  const askWhere = (): Thenable<vscode.Uri | undefined> =>
    vscode.window.showSaveDialog({ defaultUri: beside, filters: { 'CNN design': ['cnn.json'] }, title: `Save ${fileNameOf(modelUri)} as a design` });
  // A read-only file system (a git revision, a read-only virtual workspace): ask for another place.
  if (vscode.workspace.fs.isWritableFileSystem(modelUri.scheme) === false) return askWhere();
  if (!(await exists(beside))) return beside;
  const replace = 'Replace';
  const other = 'Choose Another Name…';
  const answer = await vscode.window.showWarningMessage(
    `${fileNameOf(beside)} already exists beside ${fileNameOf(modelUri)}. Replace it${await exists(beside.with({ path: weightsFolderFor(beside.path) })) ? ' and its weights' : ''}?`,
    { modal: true },
    replace,
    other,
  );
  if (answer === replace) return beside;
  return answer === other ? askWhere() : undefined;
}

/**
 * "Save as design": writes the model's design as a `.cnn.json` beside it (asking before replacing
 * a file), with the weights an ONNX model brought in `<design>.weights/` as `cnn-designer import`
 * writes them, then opens the design in the graph editor. Everything goes through
 * `vscode.workspace.fs`, so remote and virtual workspaces work; reading a model runs none of its
 * code, so restricted mode allows it. `imported`: the import already shown in the viewer.
 */
export async function saveImportedDesign(modelUri: vscode.Uri, imported?: ImportedModel): Promise<vscode.Uri | undefined> {
  const model = imported ?? (await importModelAt(modelUri));
  if (!model.ok) {
    const [first, ...more] = model.problems;
    void vscode.window.showErrorMessage(`${model.title}. ${first?.location ? `${first.location}: ` : ''}${first?.message ?? ''}${more.length ? ` (and ${more.length} more)` : ''}`);
    return undefined;
  }
  const designUri = await chooseDesignUri(modelUri);
  if (!designUri) return undefined;
  const files = importedDesignFiles(designUri.path, fileNameOf(modelUri), model.designText, model.weights);
  for (const file of files) {
    const target = designUri.with({ path: file.path });
    await vscode.workspace.fs.createDirectory(target.with({ path: target.path.slice(0, target.path.lastIndexOf('/')) }));
    await vscode.workspace.fs.writeFile(target, file.content);
  }
  await vscode.commands.executeCommand('vscode.openWith', designUri, CNN_EDITOR_VIEW_TYPE);
  const weights = files.length > 1 ? ` and its weights in ${fileNameOf(designUri.with({ path: weightsFolderFor(designUri.path) }))}/` : '';
  void vscode.window.showInformationMessage(`Saved ${fileNameOf(designUri)}${weights} (${model.design.nodes.length} layers).${model.notes.length ? ` ${model.notes.join(' ')}` : ''}`);
  return designUri;
}
