import type { DesignAnalysis, NodeAnalysis } from './analyzeDesign';

/**
 * The analysis of a node as the written design shows it: a layer's own, or, for a block instance
 * (whose layers the analysis holds under expanded ids), the instance's sums. Readers of a design's
 * top-level nodes (the canvas, the inspector) use this rather than `analysis.nodes`.
 */
export function nodeAnalysisOf(analysis: DesignAnalysis, id: string): NodeAnalysis | undefined {
  return analysis.instances?.[id] ?? analysis.nodes[id];
}
