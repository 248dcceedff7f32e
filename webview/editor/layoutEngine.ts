// The auto-layout engine as its own script (dist/webview/layoutEngine.js), which the editor loads
// the first time a layout runs (see autoLayout.ts).
import ELK from 'elkjs/lib/elk.bundled.js';
import type { LayoutEngine } from './autoLayout';

const elk = new ELK();

const engine: LayoutEngine = {
  async layout(boxes, edges) {
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
    const positions: Record<string, { x: number; y: number }> = {};
    for (const child of graph.children ?? []) positions[child.id] = { x: child.x ?? 0, y: child.y ?? 0 };
    return positions;
  },
};

window.cnnDesignerLayoutEngine = engine;
