import type * as vscode from 'vscode';
import { resolveBlockFiles } from '../../core/blocks/resolveBlockFiles';
import { parseDesign } from '../../core/format/parseDesign';
import { serializeDesign } from '../../core/format/serializeDesign';
import { readBlockFiles } from '../readBlockFiles';

/**
 * The design text a run of the design `text` (at `uri`) keeps and is hashed by: the text itself,
 * or, for a design taking blocks from other files, the design with their definitions in it, so that
 * the run stands on its own and a change of those files shows as a change of the design.
 */
export async function runDesignText(uri: vscode.Uri, text: string): Promise<string> {
  // Most designs take no block from another file: they are not parsed to learn it.
  if (!/from|\\u/.test(text)) return text;
  const design = parseDesign(text).design;
  if (!design?.blockImports) return text;
  return serializeDesign(resolveBlockFiles(design, await readBlockFiles(uri, text)).design);
}
