import { analyzeDesign, type DesignAnalysis } from '../../src/core/analysis/analyzeDesign';
import { emptyDesign, type Design } from '../../src/core/design';

export type ChainLayer = [type: string, params?: Record<string, unknown>];

/** A chain design from an input shape and layers; ids are l1, l2, ... */
export function chainDesign(inputShape: number[], layers: ChainLayer[]): Design {
  const design = emptyDesign('test');
  design.nodes.push({ id: 'input', type: 'Input', params: { shape: inputShape } });
  let previous = 'input';
  layers.forEach(([type, params], i) => {
    const id = `l${i + 1}`;
    design.nodes.push({ id, type, params: params ?? {} });
    design.edges.push({ source: previous, target: id });
    previous = id;
  });
  return design;
}

/** Analysis of a chain, plus the last layer's analysis. */
export function analyzeChain(inputShape: number[], layers: ChainLayer[]): DesignAnalysis & { last: DesignAnalysis['nodes'][string] } {
  const analysis = analyzeDesign(chainDesign(inputShape, layers));
  return { ...analysis, last: analysis.nodes[`l${layers.length}`] };
}
