import type { Design } from '../core/design';
import { applyIntention } from '../core/edit/applyIntention';
import type { EditIntention } from '../core/edit/editIntention';
import { editDesignText } from '../core/format/editDesignText';
import { parseDesign } from '../core/format/parseDesign';
import { minimalReplacement, type TextReplacement } from './minimalReplacement';

export type DocumentEditPlan =
  /**
   * The text becomes `newText`; `changes` (offsets into the old text, non-overlapping, in order)
   * are what differs, applied together as one undoable edit.
   */
  | { kind: 'replace'; newText: string; changes: TextReplacement[] }
  /** Nothing to write: the intention changes nothing. */
  | { kind: 'unchanged' }
  /** Nothing may be written; `reason` tells the user why. */
  | { kind: 'refused'; reason: string };

/**
 * Decides what text an intention turns a document into, without touching any editor: the host's
 * whole document logic, kept free of VS Code so it is tested on its own. Only the JSON values the
 * intention changes are rewritten; the rest of the file stays as the user laid it out. A document
 * that does not parse, or that the design model cannot hold without loss, is never written.
 */
export function planDocumentEdit(text: string, intention: EditIntention): DocumentEditPlan {
  const editable = editableDesign(text, 'Editing');
  if (!editable.ok) return editable.refusal;
  const result = applyIntention(editable.design, intention);
  if (!result.ok) return { kind: 'refused', reason: result.reason };
  if (!result.changed) return { kind: 'unchanged' };
  const { newText, edits } = editDesignText(text, editable.design, result.design);
  if (newText === text) return { kind: 'unchanged' };
  // Each located edit trimmed to what really differs, so cursors and folds around it stay put.
  const changes = edits
    .map((e) => {
      const trimmed = minimalReplacement(text.slice(e.offset, e.offset + e.length), e.content);
      return { start: e.offset + trimmed.start, end: e.offset + trimmed.end, text: trimmed.text };
    })
    .filter((c) => c.start !== c.end || c.text !== '')
    .sort((a, b) => a.start - b.start);
  return { kind: 'replace', newText, changes };
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
  return newText === text ? { kind: 'unchanged' } : { kind: 'replace', newText, changes: [minimalReplacement(text, newText)] };
}
