import type { Design, Position } from '../design';
import { DesignGraph } from '../graph/DesignGraph';

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
  // A connection of a node to itself would hold the node back; it has no say in the layering.
  const graph = DesignGraph.of(
    design.nodes.map((n) => n.id),
    design.edges.filter((e) => e.source !== e.target),
  );
  // Topological order; nodes on cycles are appended afterwards in file order.
  const order = [...graph.order, ...graph.cyclic];
  const layer = new Map<string, number>();
  for (const id of order) {
    const parents = graph.inputs(id).filter((p) => layer.has(p));
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
