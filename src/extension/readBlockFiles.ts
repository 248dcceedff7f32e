import * as vscode from 'vscode';
import { loadBlockFiles } from '../core/blocks/loadBlockFiles';
import { parseDesign } from '../core/format/parseDesign';

/** The file a block import's path names (relative to the design's folder, as the core gives it). */
export const blockFileUri = (design: vscode.Uri, path: string): vscode.Uri => vscode.Uri.joinPath(design, '..', path);

/**
 * The design files the blocks of the design `text` (at `uri`) come from, by their path relative
 * to its folder (undefined where there is none), for `analyzeDocument`'s `blockFiles`. A file open in an editor is read as shown
 * there, unsaved changes included, so the design follows its library as it is being edited.
 */
export async function readBlockFiles(uri: vscode.Uri, text: string): Promise<Map<string, string | undefined>> {
  // Most designs take no block from another file: they are not parsed a second time to learn it.
  if (!/from|\\u/.test(text)) return new Map();
  return loadBlockFiles(parseDesign(text).design, async (path) => {
    const target = blockFileUri(uri, path);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
    if (open) return open.getText();
    try {
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
    } catch {
      return undefined;
    }
  });
}
