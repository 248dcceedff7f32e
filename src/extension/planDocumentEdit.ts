import type { Design } from '../core/design';
import { applyIntention } from '../core/edit/applyIntention';
import type { EditIntention } from '../core/edit/editIntention';
import { parseDesign } from '../core/format/parseDesign';
import { serializeDesign } from '../core/format/serializeDesign';

export type DocumentEditPlan =
  /** Replace the whole text with `newText` (one undoable edit). */
  | { kind: 'replace'; newText: string }
  /** Nothing to write: the intention changes nothing. */
  | { kind: 'unchanged' }
  /** Nothing may be written; `reason` tells the user why. */
  | { kind: 'refused'; reason: string };

/**
 * Decides what text an intention turns a document into, without touching any editor: the host's
 * whole document logic, kept free of VS Code so it is tested on its own. A document that does not
 * parse, or that the design model cannot hold without loss, is never written.
 */
export function planDocumentEdit(text: string, intention: EditIntention): DocumentEditPlan {
  const editable = editableDesign(text, 'Editing');
  if (!editable.ok) return editable.refusal;
  const result = applyIntention(editable.design, intention);
  if (!result.ok) return { kind: 'refused', reason: result.reason };
  if (!result.changed) return { kind: 'unchanged' };
  return replacementPlan(text, serializeDesign(result.design));
}

/**
 * The design of a document the editor may write, or why it may not: it must parse, and the design
 * model must hold all of it (`action` names the write in the refusal, e.g. "Editing").
 */
export function editableDesign(text: string, action: string): { ok: true; design: Design } | { ok: false; refusal: Extract<DocumentEditPlan, { kind: 'refused' }> } {
  const parsed = parseDesign(text);
  if (!parsed.design || parsed.syntaxError) {
    const where = parsed.syntaxError ? ` (line ${parsed.syntaxError.line}, column ${parsed.syntaxError.column})` : '';
    return { ok: false, refusal: { kind: 'refused', reason: `The file is not a design the editor can read${where}; correct it as text first.` } };
  }
  if (!parsed.lossless) {
    const first = parsed.diagnostics.find((d) => d.severity === 'error');
    const where = first?.line ? ` (line ${first.line}, column ${first.column})` : '';
    return { ok: false, refusal: { kind: 'refused', reason: `${action} would lose part of this file${where}: ${first?.message ?? 'it has structural errors'} Correct it as text first.` } };
  }
  return { ok: true, design: parsed.design };
}

/** An edit that reproduces the current text (e.g. re-sent after an external change) writes nothing. */
export function replacementPlan(text: string, newText: string): DocumentEditPlan {
  return newText === text ? { kind: 'unchanged' } : { kind: 'replace', newText };
}
