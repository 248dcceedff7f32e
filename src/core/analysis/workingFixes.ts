import type { Design } from '../design';
import { applyIntention } from '../edit/applyIntention';
import type { NodeAnalysis } from './analyzeDesign';
import type { Diagnostic, SuggestedFix } from './diagnostic';

/** An analysis without the search for fixes, to try fixes on. */
export type AnalysisOf = (design: Design) => { diagnostics: Diagnostic[]; nodes: Record<string, NodeAnalysis> };

/** Identifies a diagnostic across two analyses of nearly the same design. */
export const diagnosticKey = (d: Diagnostic): string => `${d.code}\u0000${d.nodeId ?? ''}\u0000${d.edge ? `${d.edge.source}\u0000${d.edge.target}` : ''}`;

/**
 * The candidate fixes that work, in their order, each with the analysis of the design it leaves:
 * applied, the diagnostic is gone and no error appears that was not there before. Used where a fix
 * depends on more of the graph than one layer sees (merging branches, mistyped connections), so a
 * fix that cannot work is never offered.
 */
export function workingFixes(design: Design, diagnostic: Diagnostic, candidates: SuggestedFix[], analysisOf: AnalysisOf): { fix: SuggestedFix; after: ReturnType<AnalysisOf> }[] {
  if (candidates.length === 0) return [];
  const before = new Set(analysisOf(design).diagnostics.filter((d) => d.severity === 'error').map(diagnosticKey));
  const key = diagnosticKey(diagnostic);
  const working: { fix: SuggestedFix; after: ReturnType<AnalysisOf> }[] = [];
  for (const fix of candidates) {
    if (!fix.edit) continue;
    const applied = applyIntention(design, { kind: 'applyFix', edit: fix.edit });
    if (!applied.ok || !applied.changed) continue;
    const after = analysisOf(applied.design);
    if (after.diagnostics.some((d) => diagnosticKey(d) === key)) continue;
    if (after.diagnostics.some((d) => d.severity === 'error' && !before.has(diagnosticKey(d)))) continue;
    working.push({ fix, after });
  }
  return working;
}
