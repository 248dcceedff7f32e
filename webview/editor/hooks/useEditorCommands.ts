import { useReactFlow } from '@xyflow/react';
import type { RefObject } from 'react';
import type { Position } from '../../../src/core/design';
import { copyToClipboardText, parseClipboardText } from '../../../src/core/edit/designClipboard';
import type { EditIntention } from '../../../src/core/edit/editIntention';
import type { CanvasCommand } from '../../../src/protocol/editorProtocol';
import { autoLayout } from '../autoLayout';
import type { OpenedBlock } from '../buildBlockView';
import { diagramSvg, svgToPngBase64 } from '../diagramImage';
import type { LayerNode } from '../LayerBlock';
import type { ShapeEdgeType } from '../ShapeEdge';
import type { CanvasGraph } from './useCanvasGraph';
import type { DesignState } from './useDesignState';
import type { HostConnection } from './useHostConnection';
import type { Selection } from './useSelection';
import type { ViewportControl } from './useViewport';

const COPY_OUTSIDE_BLOCKS = "Copy and paste work on the design's own layers; go back to the design (the breadcrumb above the canvas).";

/** A block's size before the browser has measured it (editor.css gives blocks this width). */
export const DEFAULT_BLOCK = { width: 200, height: 90 };

export interface EditorCommands {
  /** Adds a layer at `at`, or below the selected block (connected from it), or in the middle of the view. */
  addLayer(layerType: string, at?: Position): void;
  deleteSelection(): void;
  copySelection(): void;
  pasteClipboard(): Promise<void>;
  duplicateSelection(): void;
  runAutoLayout(): Promise<void>;
  exportDiagram(format: 'svg' | 'png'): Promise<void>;
  /** Moves the selected layers into a new block, with one instance of it in their place (then selected). */
  makeBlockFromSelection(): void;
  /** Runs a toolbar or menu command. */
  run(command: CanvasCommand): void;
}

export interface EditorCommandContext {
  canvasRef: RefObject<HTMLDivElement | null>;
  host: HostConnection;
  state: DesignState;
  graph: CanvasGraph;
  selection: Selection;
  viewport: ViewportControl;
  showEdgeShapes: boolean;
  openQuickAdd(open: boolean): void;
  showToast(message: string): void;
  /** The instance whose block the canvas shows, if one is opened. */
  opened: OpenedBlock | undefined;
}

/** What the toolbar, the keyboard, the palette and VS Code's menus can ask of the editor; each becomes one edit intention (or none). */
export function useEditorCommands({ canvasRef, host, state, graph, selection, viewport, showEdgeShapes, openQuickAdd, showToast, opened }: EditorCommandContext): EditorCommands {
  const flow = useReactFlow<LayerNode, ShapeEdgeType>();
  const { design, positions } = state;

  /** An intention whose result (new blocks) becomes the selection. */
  const editAndSelect = (intention: EditIntention): void => {
    graph.selectNextCreated();
    if (!host.edit(intention)) graph.cancelSelectNextCreated();
  };
  const viewCenter = (): Position => {
    const rect = canvasRef.current?.getBoundingClientRect();
    const p = flow.screenToFlowPosition(rect ? { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 } : { x: 0, y: 0 });
    return { x: p.x - DEFAULT_BLOCK.width / 2, y: p.y - DEFAULT_BLOCK.height / 2 };
  };
  const selectedIds = (): string[] => selection.nodes.map((n) => n.id);

  const commands: EditorCommands = {
    addLayer(layerType, at) {
      const selected = selection.nodes.length === 1 ? selection.nodes[0] : undefined;
      // Inside a block the layer goes into the block's definition, fed by the selected layer or input port.
      if (opened) {
        const from = selected && !at && !opened.block.outputs.includes(selected.id) ? selected : undefined;
        const position = at ?? (from ? { x: from.position.x, y: from.position.y + 130 } : viewCenter());
        editAndSelect({ kind: 'addLayer', layerType, position, ...(from ? { connectFrom: from.id } : {}), block: opened.blockName });
        openQuickAdd(false);
        return;
      }
      const from = selection.node && !at ? selection.node.id : undefined;
      const position = at ?? (from ? { x: positions[from].x, y: positions[from].y + 130 } : viewCenter());
      editAndSelect({ kind: 'addLayer', layerType, position, ...(from ? { connectFrom: from } : {}) });
      openQuickAdd(false);
    },
    deleteSelection() {
      const nodeIds = selectedIds();
      if (!nodeIds.length && !selection.edges.length) return;
      // A block's ports stay: only its layers and wires are deleted.
      if (opened) {
        const ports = new Set([...opened.block.inputs, ...opened.block.outputs]);
        const layers = nodeIds.filter((id) => !ports.has(id));
        if (layers.length || selection.edges.length) host.edit({ kind: 'delete', nodeIds: layers, edges: selection.edges, block: opened.blockName });
        else showToast("A block's inputs and outputs stay; delete the layers and wires between them.");
        return;
      }
      host.edit({ kind: 'delete', nodeIds, edges: selection.edges });
    },
    copySelection() {
      if (!design || selection.nodes.length === 0) return;
      if (opened) return showToast(COPY_OUTSIDE_BLOCKS);
      host.writeClipboard(copyToClipboardText(design, selectedIds()));
      showToast(`Copied ${selection.nodes.length} layer${selection.nodes.length > 1 ? 's' : ''}`);
    },
    async pasteClipboard() {
      if (opened) return showToast(COPY_OUTSIDE_BLOCKS);
      const at = viewCenter();
      const parsed = parseClipboardText(await host.readClipboard());
      if ('error' in parsed) showToast(parsed.error);
      else editAndSelect({ kind: 'paste', fragment: parsed.fragment, position: at });
    },
    duplicateSelection() {
      if (!design || selection.nodes.length === 0) return;
      if (opened) return showToast(COPY_OUTSIDE_BLOCKS);
      const copy = parseClipboardText(copyToClipboardText(design, selectedIds()));
      if ('error' in copy) return;
      const x = Math.min(...selection.nodes.map((n) => n.position.x)) + 40;
      const y = Math.min(...selection.nodes.map((n) => n.position.y)) + 40;
      editAndSelect({ kind: 'paste', fragment: copy.fragment, position: { x, y } });
    },
    makeBlockFromSelection() {
      if (!design) return;
      if (opened) return showToast('Go back to the design to make a block of its layers.');
      if (selection.nodes.length === 0) return showToast('Select the layers to make a block of first (Shift+drag, or Ctrl+click).');
      editAndSelect({ kind: 'makeBlock', nodeIds: selectedIds() });
    },
    async runAutoLayout() {
      // An opened block is always laid out from its wiring.
      if (!design || opened) return;
      const boxes = graph.nodes.map((n) => ({ id: n.id, width: n.measured?.width ?? DEFAULT_BLOCK.width, height: n.measured?.height ?? DEFAULT_BLOCK.height }));
      try {
        host.edit({ kind: 'move', positions: await autoLayout(boxes, design.edges) });
      } catch (err) {
        showToast(err instanceof Error ? err.message : String(err));
        return;
      }
      setTimeout(() => viewport.fitReadable({ duration: 200 }), 100);
    },
    async exportDiagram(format) {
      if (graph.nodes.length === 0) return;
      const blocks = graph.nodes.map((n) => ({
        id: n.id,
        position: n.position,
        width: n.measured?.width ?? DEFAULT_BLOCK.width,
        height: n.measured?.height ?? DEFAULT_BLOCK.height,
        status: n.data.status,
        lines: [`${n.data.title} · ${n.data.label}`, n.data.summary, `${n.data.shape} · ${n.data.params.toLocaleString('en-US')} params`].filter(Boolean),
      }));
      const svg = diagramSvg(blocks, graph.edges.map((e) => ({ source: e.source, target: e.target, label: showEdgeShapes ? e.data?.shape ?? '' : '' })));
      const path = await host.saveDiagram(format, format === 'svg' ? svg : await svgToPngBase64(svg));
      if (path) showToast(`Saved ${path}`);
    },
    run(command) {
      switch (command) {
        case 'autoLayout':
          void commands.runAutoLayout();
          return;
        case 'fitView':
          viewport.fitReadable({ duration: 200 });
          return;
        case 'quickAdd':
          openQuickAdd(true);
          return;
        case 'makeBlock':
          commands.makeBlockFromSelection();
          return;
        case 'exportSvg':
        case 'exportPng':
          void commands.exportDiagram(command === 'exportSvg' ? 'svg' : 'png').catch((err: unknown) => showToast(String(err)));
          return;
      }
    },
  };
  return commands;
}
