import ELK from 'elkjs/lib/elk.bundled.js';
import type { Position } from '../../src/core/design';

export interface LayoutBox {
  id: string;
  width: number;
  height: number;
}

const elk = new ELK();

/** Top-to-bottom layered positions for the blocks (ELK's layered algorithm), top-left corners. */
export async function autoLayout(boxes: LayoutBox[], edges: { source: string; target: string }[]): Promise<Record<string, Position>> {
  const ids = new Set(boxes.map((b) => b.id));
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '50',
      'elk.spacing.nodeNode': '40',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children: boxes.map((b) => ({ id: b.id, width: b.width, height: b.height })),
    edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
  });
  const positions: Record<string, Position> = {};
  for (const child of graph.children ?? []) positions[child.id] = { x: child.x ?? 0, y: child.y ?? 0 };
  return positions;
}
