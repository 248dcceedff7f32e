import type { Design } from '../design';
import { applyIntention } from '../edit/applyIntention';
import type { NodeAnalysis } from './analyzeDesign';
import type { Diagnostic, FixEdit, SuggestedFix } from './diagnostic';

/** An analysis without the search for fixes, to try fixes on. */
export type AnalysisOf = (design: Design) => { diagnostics: Diagnostic[]; nodes: Record<string, NodeAnalysis> };

/** What trying fixes needs: how to analyze, the errors the design has now, and how many tries are left. */
export interface FixTrial {
  analysisOf: AnalysisOf;
  errorsBefore: Set<string>;
  /** Tries left in this analysis; past it, candidates are kept untried (a bound on the work per keystroke). */
  budget: { tries: number };
}

/** Identifies a diagnostic across two analyses of nearly the same design. */
export const diagnosticKey = (d: Diagnostic): string => `${d.code}\u0000${d.nodeId ?? ''}\u0000${d.edge ? `${d.edge.source}\u0000${d.edge.target}` : ''}`;

/**
 * The candidate fixes that work, in their order, each with the analysis of the design it leaves
 * (undefined when the budget ran out and it was kept untried): applied, the diagnostic is gone and
 * no error appears that was not there before. So a fix that cannot work, or that trades one error
 * for another, is not offered.
 */
export function workingFixes(design: Design, diagnostic: Diagnostic, candidates: SuggestedFix[], trial: FixTrial): { fix: SuggestedFix; after?: ReturnType<AnalysisOf> }[] {
  const key = diagnosticKey(diagnostic);
  const working: { fix: SuggestedFix; after?: ReturnType<AnalysisOf> }[] = [];
  for (const fix of candidates) {
    if (!fix.edit) continue;
    if (trial.budget.tries <= 0) {
      working.push({ fix });
      continue;
    }
    trial.budget.tries--;
    const applied = applyIntention(design, { kind: 'applyFix', edit: fix.edit });
    if (!applied.ok || !applied.changed) continue;
    const after = trial.analysisOf(applied.design);
    // A renamed layer's problems are the same problems under its old name.
    const oldName = renamedBack(fix.edit);
    const keyBefore = (d: Diagnostic): string =>
      diagnosticKey({ ...d, nodeId: d.nodeId && oldName(d.nodeId), edge: d.edge && { source: oldName(d.edge.source), target: oldName(d.edge.target) } });
    if (after.diagnostics.some((d) => keyBefore(d) === key)) continue;
    if (after.diagnostics.some((d) => d.severity === 'error' && !trial.errorsBefore.has(keyBefore(d)))) continue;
    working.push({ fix, after });
  }
  return working;
}

/** Maps the ids a fix renames back to their names before it. */
function renamedBack(edit: FixEdit): (id: string) => string {
  const back = new Map<string, string>();
  for (const part of edit.kind === 'combined' ? edit.edits : [edit]) if (part.kind === 'renameNode') back.set(part.newId, part.nodeId);
  return (id) => back.get(id) ?? id;
}
