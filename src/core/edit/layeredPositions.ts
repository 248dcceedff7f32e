import type { Design, Position } from '../design';

/** Grid of the default layout, in canvas pixels (a block is about 200×80). */
export const LAYER_SPACING_Y = 130;
export const COLUMN_SPACING_X = 240;

/**
 * A position for every node: its stored one, or else a place in a top-to-bottom layered layout
 * (layer = longest path from an input; branches side by side). Templates and hand-written files
 * often carry no positions, and the canvas must show them at once, before any asynchronous
 * auto-layout could run; linear in nodes and edges.
 */
export function layeredPositions(design: Design): Record<string, Position> {
  const ids = design.nodes.map((n) => n.id);
  const known = new Set(ids);
  const incoming = new Map<string, string[]>();
  const outgoing = new Map<string, string[]>();
  for (const e of design.edges) {
    if (!known.has(e.source) || !known.has(e.target) || e.source === e.target) continue;
    (incoming.get(e.target) ?? incoming.set(e.target, []).get(e.target)!).push(e.source);
    (outgoing.get(e.source) ?? outgoing.set(e.source, []).get(e.source)!).push(e.target);
  }
  // Kahn's order; nodes on cycles are appended afterwards in file order.
  const indegree = new Map(ids.map((id) => [id, incoming.get(id)?.length ?? 0]));
  const order: string[] = ids.filter((id) => indegree.get(id) === 0);
  for (let i = 0; i < order.length; i++) {
    for (const t of outgoing.get(order[i]) ?? []) {
      const left = indegree.get(t)! - 1;
      indegree.set(t, left);
      if (left === 0) order.push(t);
    }
  }
  const ordered = new Set(order);
  for (const id of ids) if (!ordered.has(id)) order.push(id);
  const layer = new Map<string, number>();
  for (const id of order) {
    const parents = (incoming.get(id) ?? []).filter((p) => layer.has(p));
    layer.set(id, parents.length ? Math.max(...parents.map((p) => layer.get(p)!)) + 1 : 0);
  }
  const columnsUsed = new Map<number, number>();
  const positions: Record<string, Position> = Object.create(null);
  for (const id of order) {
    const l = layer.get(id)!;
    const column = columnsUsed.get(l) ?? 0;
    columnsUsed.set(l, column + 1);
    positions[id] = { x: column * COLUMN_SPACING_X, y: l * LAYER_SPACING_Y };
  }
  for (const node of design.nodes) if (node.position) positions[node.id] = { ...node.position };
  return positions;
}
