import type { Design, DesignEdge, Shape } from '../design';
import { getLayerType } from '../layers/layerCatalog';
import type { NodeAnalysis } from './analyzeDesign';
import type { Diagnostic, SingleFixEdit, SuggestedFix } from './diagnostic';
import { workingFixes, type FixTrial } from './workingFixes';

const shapeText = (shape: Shape): string => shape.join('×');
const sameShape = (a: Shape | undefined, b: Shape | undefined): boolean => !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Fixes for an Add or Concat whose inputs do not fit together, found in the graph and kept only when
 * they work (see workingFixes): on each branch, the layer that decides its size (walking up through
 * layers that keep the shape, while the branch has no other consumer) with padding "same", stride 1
 * and/or the other branch's channels; for Add, a 1×1 Conv2D projection on the connection (ResNet's
 * shortcut) with the channels and stride that match.
 */
export function mergeFixes(design: Design, nodes: Record<string, NodeAnalysis>, incoming: DesignEdge[], outgoingCount: (id: string) => number, diagnostic: Diagnostic, trial: FixTrial): SuggestedFix[] {
  const merge = nodes[diagnostic.nodeId!];
  const isAdd = merge.type === 'Add';
  // Multiply broadcasts sizes of 1 and a vector [C] over the channels: only sizes that are both above 1 and differ clash.
  const isMultiply = merge.type === 'Multiply';
  const clash = (a: number, b: number): boolean => a !== b && !(isMultiply && (a === 1 || b === 1));
  const shapes = incoming.map((e) => nodes[e.source].outputShape);
  if (shapes.some((s) => !s)) return [];
  // Ranked: sizes fixed upstream first, then with a projection for the channels, a change of filters, a projection alone.
  const ranked: { rank: number; fix: SuggestedFix }[] = [];
  const projection = (edge: DesignEdge, filters: number, stride: number | number[]): SuggestedFix & { edit: SingleFixEdit } => ({
    title: `insert a 1×1 Conv2D with ${filters} filters${[stride].flat().some((x) => x > 1) ? ` and stride ${[stride].flat().join('×')}` : ''} on ${edge.source} → ${edge.target}`,
    edit: { kind: 'insertLayer', source: edge.source, target: edge.target, layer: { type: 'Conv2D', params: { filters, kernelSize: 1, strides: stride } } },
  });
  incoming.forEach((edge, i) => {
    // The shape this branch must reach: the first other input's (for Concat, all but channels).
    const target = shapes.find((s, j) => j !== i && !sameShape(s, shapes[i])) ?? shapes.find((_, j) => j !== i);
    const own = shapes[i]!;
    const vectorOperand = isMultiply && !!target && (own.length === 1 || target.length === 1);
    if (!target || (own.length !== target.length && !vectorOperand)) return;
    const spatialDiffers = !vectorOperand && own.slice(0, -1).some((d, k) => clash(d, target[k]));
    const channelsDiffer = (isAdd || isMultiply) && clash(own[own.length - 1], target[target.length - 1]);
    if (!spatialDiffers && !channelsDiffer) return;

    // The layer upstream that decides this branch's shape.
    let id = edge.source;
    while (outgoingCount(id) === 1) {
      const n = nodes[id];
      const type = getLayerType(n.type);
      const passesShape = n.inputShapes.length === 1 && sameShape(n.inputShapes[0], n.outputShape) && !type?.params.some((p) => p.name === 'padding');
      const before = design.edges.find((e) => e.target === id);
      if (!passesShape || !before) break;
      id = before.source;
    }
    const layer = getLayerType(nodes[id].type);
    const has = (name: string): boolean => !!layer?.params.some((p) => p.name === name);
    if (outgoingCount(id) === 1 && has('padding')) {
      const spatial: Record<string, unknown>[] = spatialDiffers ? [{ padding: 'same' }, ...(has('strides') ? [{ strides: 1 }, { padding: 'same', strides: 1 }] : [])] : [{}];
      // Without a change of filters, channels that differ are left to a projection on another branch.
      const channels: Record<string, unknown>[] = [{}, ...(channelsDiffer && has('filters') ? [{ filters: target[target.length - 1] }] : [])];
      for (const c of channels) {
        for (const s of spatial) {
          // Only what changes: stride 1 where it already is 1 says nothing.
          const resolved = nodes[id].resolvedParams ?? {};
          const unchanged = (k: string, v: unknown): boolean => {
            const now = resolved[k];
            return Array.isArray(now) ? now.every((x) => x === v) : now === v;
          };
          const params = Object.fromEntries(Object.entries({ ...s, ...c }).filter(([k, v]) => !unchanged(k, v)));
          if (Object.keys(params).length === 0) continue;
          if (ranked.some(({ fix: f }) => f.edit?.kind === 'setParams' && f.edit.nodeId === id && JSON.stringify(f.edit.params) === JSON.stringify(params))) continue;
          const what = Object.entries(params).map(([k, v]) => (k === 'padding' ? `padding "${v}"` : k === 'strides' ? `stride ${v}` : `${v} filters`));
          const setParams: SuggestedFix & { edit: SingleFixEdit } = { title: `Use ${what.join(' and ')} in ${id}`, edit: { kind: 'setParams', nodeId: id, params } };
          ranked.push({ rank: 'filters' in params ? 1.5 : 0, fix: setParams });
          // Sizes fixed here, channels by ResNet's projection on each other branch: this layer keeps its filters.
          if (channelsDiffer && !('filters' in params) && own.length === 3) {
            incoming.forEach((other, j) => {
              if (j === i) return;
              const project = projection(other, own[2], 1);
              ranked.push({ rank: 1, fix: { title: `${setParams.title} and ${project.title}`, edit: { kind: 'combined', edits: [setParams.edit, project.edit] } } });
            });
          }
        }
      }
    }
    // ResNet's shortcut: a 1×1 convolution on the connection that projects channels and/or strides.
    if (isAdd && own.length === 3) {
      const strides = own.slice(0, 2).map((d, k) => Math.max(1, Math.ceil(d / target[k])));
      const project = projection(edge, target[2], strides[0] === strides[1] ? strides[0] : strides);
      ranked.push({ rank: 2, fix: { ...project, title: `${project.title[0].toUpperCase()}${project.title.slice(1)} (as ResNet's shortcut does)` } });
    }
  });
  const candidates = ranked.sort((a, b) => a.rank - b.rank).map((r) => r.fix);
  // The merge's output once the fix is in, said in the title.
  return workingFixes(design, diagnostic, candidates, trial).map(({ fix, after }) => {
    const output = after?.nodes[merge.id]?.outputShape;
    return output ? { ...fix, title: `${fix.title} (${merge.id} gives ${shapeText(output)})` } : fix;
  });
}
