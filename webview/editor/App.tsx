import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  Controls,
  getNodesBounds,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useNodesInitialized,
  useReactFlow,
  type EdgeChange,
  type NodeChange,
  type OnConnect,
  type Viewport,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { analyzeDesign, type DesignAnalysis } from '../../src/core/analysis/analyzeDesign';
import { analyzeDocument, type DocumentAnalysis } from '../../src/core/analysis/analyzeDocument';
import type { FixEdit } from '../../src/core/analysis/diagnostic';
import type { Design, Position } from '../../src/core/design';
import { copyToClipboardText, parseClipboardText } from '../../src/core/edit/designClipboard';
import type { EditIntention } from '../../src/core/edit/editIntention';
import { layeredPositions } from '../../src/core/edit/layeredPositions';
import type { CanvasCommand, HostToWebviewMessage } from '../../src/protocol/editorProtocol';
import { autoLayout } from './autoLayout';
import { buildEdges, buildNodes, withInputShape } from './buildCanvas';
import { diagramSvg, svgToPngBase64 } from './diagramImage';
import { EditorActionsContext, type EditorActions } from './editorActions';
import { ErrorView } from './ErrorView';
import { Inspector } from './Inspector';
import { LayerBlock, type LayerNode } from './LayerBlock';
import { LAYER_DRAG_TYPE, Palette } from './Palette';
import { QuickAdd } from './QuickAdd';
import { ShapeEdge, type ShapeEdgeType } from './ShapeEdge';
import { TotalsBar } from './TotalsBar';
import { VscodeButton, VscodeCheckbox, checkedOf } from './controls';
import { loadViewState, newRequestId, onHostMessage, postToHost, saveViewState, type Budgets, type HeatmapMode } from './vscodeApi';

// Props handed to React Flow are module constants: a new object or array on every render would
// make it update its store, and re-render every block, on each frame of a drag.
const NODE_TYPES = { layer: LayerBlock };
const MULTI_SELECT_KEYS = ['Shift', 'Meta', 'Control'];
const PRO_OPTIONS = { hideAttribution: true };
const minimapColor = (n: LayerNode): string => (n.data.status === 'error' ? 'var(--cnn-error)' : n.data.status === 'warning' ? 'var(--cnn-warning)' : 'var(--cnn-minimap-node)');
const EDGE_TYPES = { shape: ShapeEdge };
const DEFAULT_BLOCK = { width: 200, height: 90 };
/** The smallest zoom at which block text stays legible; a first view never opens below it. */
const READABLE_ZOOM = 0.6;
const LABEL_MIN_ZOOM = 0.4;

interface LoadedDocument {
  text: string;
  version: number;
  readOnly: boolean;
  result: DocumentAnalysis;
}

export function App() {
  return (
    <ReactFlowProvider>
      <Editor />
    </ReactFlowProvider>
  );
}

/** Whether a key event comes from a field; the form controls are web components, so look at the innermost target in their shadow roots. */
const isTyping = (e: KeyboardEvent): boolean => {
  const target = e.composedPath()[0] ?? e.target;
  return (
    target instanceof HTMLElement &&
    (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA' || target.isContentEditable || target.getAttribute('role') === 'combobox')
  );
};

function Editor() {
  const flow = useReactFlow<LayerNode, ShapeEdgeType>();
  const saved = useMemo(loadViewState, []);
  const [doc, setDoc] = useState<LoadedDocument>();
  const [heatmap, setHeatmap] = useState<HeatmapMode>(saved.heatmap ?? 'off');
  const [budgets, setBudgets] = useState<Budgets>(saved.budgets ?? {});
  const [whatIfShape, setWhatIfShape] = useState<number[] | undefined>(saved.whatIfShape);
  const [showEdgeShapes, setShowEdgeShapes] = useState(saved.showEdgeShapes ?? true);
  const [nodes, setNodes] = useState<LayerNode[]>([]);
  const [edges, setEdges] = useState<ShapeEdgeType[]>([]);
  const [quickAdd, setQuickAdd] = useState(false);
  const [toast, setToast] = useState<string>();
  const selectCreated = useRef(false);
  const pendingClipboard = useRef(new Map<number, Position>());
  const canvasRef = useRef<HTMLDivElement>(null);
  const fittedOnce = useRef(!!saved.viewport);

  useEffect(
    () =>
      onHostMessage((message: HostToWebviewMessage) => {
        switch (message.type) {
          case 'document':
            setDoc((old) => (old && old.text === message.text ? old : { text: message.text, version: message.version, readOnly: message.readOnly, result: analyzeDocument(message.text) }));
            return;
          case 'editResult':
            if (!message.applied) {
              selectCreated.current = false;
              if (message.reason) setToast(message.reason);
            }
            return;
          case 'canvasCommand':
            commandRef.current(message.command);
            return;
          case 'clipboardText': {
            const at = pendingClipboard.current.get(message.requestId);
            pendingClipboard.current.delete(message.requestId);
            if (!at) return;
            const parsed = parseClipboardText(message.text);
            if ('error' in parsed) setToast(parsed.error);
            else edit({ kind: 'paste', fragment: parsed.fragment, position: at }, true);
            return;
          }
          case 'diagramSaved':
            if (message.path) setToast(`Saved ${message.path}`);
            return;
        }
      }),
    [],
  );
  useEffect(() => postToHost({ type: 'ready' }), []);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(undefined), 6000);
    return () => clearTimeout(timer);
  }, [toast]);

  const parsed = doc?.result.parsed;
  const design: Design | undefined = parsed?.design && parsed.lossless && !parsed.syntaxError ? parsed.design : undefined;
  const analyze = useCallback((d: Design): DesignAnalysis => analyzeDesign(whatIfShape ? withInputShape(d, whatIfShape) : d), [whatIfShape]);
  const analysis = useMemo(() => (design ? (whatIfShape ? analyze(design) : doc!.result.analysis ?? analyze(design)) : undefined), [design, doc, whatIfShape, analyze]);
  const diagnostics = useMemo(() => (whatIfShape ? analysis?.diagnostics ?? [] : doc?.result.diagnostics ?? []), [whatIfShape, analysis, doc]);
  const positions = useMemo(() => (design ? layeredPositions(design) : {}), [design]);

  useEffect(() => {
    if (!design || !analysis) return;
    setNodes((previous) => {
      let selected = new Set(previous.filter((n) => n.selected).map((n) => n.id));
      if (selectCreated.current) {
        const before = new Set(previous.map((n) => n.id));
        const created = design.nodes.filter((n) => !before.has(n.id)).map((n) => n.id);
        if (created.length) {
          selected = new Set(created);
          selectCreated.current = false;
        }
      }
      return buildNodes(design, analysis, positions, heatmap, previous, selected);
    });
    setEdges((previous) => buildEdges(design, analysis, showEdgeShapes, new Set(previous.filter((e) => e.selected).map((e) => e.id))));
  }, [design, analysis, positions, heatmap, showEdgeShapes]);

  const initialized = useNodesInitialized();
  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;
  const fitReadable = useCallback(() => {
    const current = nodesRef.current;
    if (!current.length) return;
    // A long network fitted whole would be unreadable: show its top at a readable zoom instead.
    const bounds = getNodesBounds(current);
    const rect = canvasRef.current?.getBoundingClientRect();
    const fitZoom = rect ? Math.min(rect.width / (bounds.width + 80), rect.height / (bounds.height + 80), 1) : 1;
    if (rect && fitZoom < READABLE_ZOOM) void flow.setViewport({ x: rect.width / 2 - (bounds.x + bounds.width / 2) * READABLE_ZOOM, y: 30 - bounds.y * READABLE_ZOOM, zoom: READABLE_ZOOM });
    else void flow.fitView({ maxZoom: 1 });
  }, [flow]);
  useEffect(() => {
    if (initialized && !fittedOnce.current && nodes.length) {
      fittedOnce.current = true;
      fitReadable();
    }
  }, [initialized, nodes.length, fitReadable]);
  // When the editor group shrinks (a summary or export opened beside it), a viewport centred for
  // the old width can leave every block outside the canvas: bring them back into view.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(() => {
      if (!fittedOnce.current || !nodesRef.current.length) return;
      const rect = canvas.getBoundingClientRect();
      if (rect.width < 1 || rect.height < 1) return; // hidden: keep the viewport for when it shows again
      const { x, y, zoom } = flow.getViewport();
      const bounds = getNodesBounds(nodesRef.current);
      const left = bounds.x * zoom + x;
      const top = bounds.y * zoom + y;
      const visible = left < rect.width && left + bounds.width * zoom > 0 && top < rect.height && top + bounds.height * zoom > 0;
      if (!visible) fitReadable();
    });
    observer.observe(canvas);
    return () => observer.disconnect();
  }, [flow, fitReadable]);

  const readOnlyRef = useRef(false);
  readOnlyRef.current = doc?.readOnly ?? false;
  function edit(intention: EditIntention, selectResult = false): void {
    if (readOnlyRef.current) {
      setToast('This file is read-only.');
      return;
    }
    if (selectResult) selectCreated.current = true;
    postToHost({ type: 'edit', requestId: newRequestId(), intention });
  }
  const applyFix = useCallback((fix: FixEdit) => edit({ kind: 'applyFix', edit: fix }), []);
  const editFromInspector = useCallback((intention: EditIntention) => edit(intention), []);
  const changeBudgets = useCallback((b: Budgets) => (setBudgets(b), saveViewState({ budgets: b })), []);
  const changeHeatmap = useCallback((m: HeatmapMode) => (setHeatmap(m), saveViewState({ heatmap: m })), []);
  const changeWhatIf = useCallback((shape: number[] | undefined) => (setWhatIfShape(shape), saveViewState({ whatIfShape: shape })), []);
  const addFromPaletteRef = useRef<(layerType: string) => void>(() => undefined);
  const addFromPalette = useCallback((layerType: string) => addFromPaletteRef.current(layerType), []);
  const actions = useMemo<EditorActions>(() => ({ applyFix }), [applyFix]);

  const selectedNodes = nodes.filter((n) => n.selected);
  const selectedNode = selectedNodes.length === 1 ? design?.nodes.find((n) => n.id === selectedNodes[0].id) : undefined;

  const viewCenter = (): Position => {
    const rect = canvasRef.current?.getBoundingClientRect();
    const p = flow.screenToFlowPosition(rect ? { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 } : { x: 0, y: 0 });
    return { x: p.x - DEFAULT_BLOCK.width / 2, y: p.y - DEFAULT_BLOCK.height / 2 };
  };
  const addLayer = (layerType: string, at?: Position): void => {
    const from = selectedNode && !at ? selectedNode.id : undefined;
    const position = at ?? (from ? { x: positions[from].x, y: positions[from].y + 130 } : viewCenter());
    edit({ kind: 'addLayer', layerType, position, ...(from ? { connectFrom: from } : {}) }, true);
    setQuickAdd(false);
  };
  addFromPaletteRef.current = (layerType: string) => addLayer(layerType);
  const deleteSelection = (): void => {
    const nodeIds = nodes.filter((n) => n.selected).map((n) => n.id);
    const selectedEdges = edges.filter((e) => e.selected).map((e) => ({ source: e.source, target: e.target }));
    if (nodeIds.length || selectedEdges.length) edit({ kind: 'delete', nodeIds, edges: selectedEdges });
  };
  const copySelection = (): void => {
    if (!design || selectedNodes.length === 0) return;
    postToHost({ type: 'clipboardWrite', text: copyToClipboardText(design, selectedNodes.map((n) => n.id)) });
    setToast(`Copied ${selectedNodes.length} layer${selectedNodes.length > 1 ? 's' : ''}`);
  };
  const pasteClipboard = (): void => {
    const requestId = newRequestId();
    pendingClipboard.current.set(requestId, viewCenter());
    postToHost({ type: 'clipboardRead', requestId });
  };
  const duplicateSelection = (): void => {
    if (!design || selectedNodes.length === 0) return;
    const parsedCopy = parseClipboardText(copyToClipboardText(design, selectedNodes.map((n) => n.id)));
    if ('error' in parsedCopy) return;
    const x = Math.min(...selectedNodes.map((n) => n.position.x)) + 40;
    const y = Math.min(...selectedNodes.map((n) => n.position.y)) + 40;
    edit({ kind: 'paste', fragment: parsedCopy.fragment, position: { x, y } }, true);
  };
  const runAutoLayout = async (): Promise<void> => {
    if (!design) return;
    const boxes = nodes.map((n) => ({ id: n.id, width: n.measured?.width ?? DEFAULT_BLOCK.width, height: n.measured?.height ?? DEFAULT_BLOCK.height }));
    const laid = await autoLayout(boxes, design.edges);
    edit({ kind: 'move', positions: laid });
    setTimeout(() => void flow.fitView({ maxZoom: 1, duration: 200 }), 100);
  };
  const exportDiagram = async (format: 'svg' | 'png'): Promise<void> => {
    if (nodes.length === 0) return;
    const blocks = nodes.map((n) => ({
      id: n.id,
      position: n.position,
      width: n.measured?.width ?? DEFAULT_BLOCK.width,
      height: n.measured?.height ?? DEFAULT_BLOCK.height,
      status: n.data.status,
      lines: [`${n.data.title} · ${n.data.label}`, n.data.summary, `${n.data.shape} · ${n.data.params.toLocaleString('en-US')} params`].filter(Boolean),
    }));
    const svg = diagramSvg(blocks, edges.map((e) => ({ source: e.source, target: e.target, label: showEdgeShapes ? e.data?.shape ?? '' : '' })));
    const data = format === 'svg' ? svg : await svgToPngBase64(svg);
    postToHost({ type: 'saveDiagram', requestId: newRequestId(), format, data });
  };

  const runCommand = (command: CanvasCommand): void => {
    switch (command) {
      case 'autoLayout':
        void runAutoLayout();
        return;
      case 'fitView':
        void flow.fitView({ maxZoom: 1, duration: 200 });
        return;
      case 'quickAdd':
        setQuickAdd(true);
        return;
      case 'exportSvg':
      case 'exportPng':
        void exportDiagram(command === 'exportSvg' ? 'svg' : 'png').catch((err: unknown) => setToast(String(err)));
        return;
    }
  };
  // Host messages arrive through a listener registered once; it calls the latest closure.
  const commandRef = useRef(runCommand);
  commandRef.current = runCommand;
  const keyRef = useRef<(e: KeyboardEvent) => void>(() => undefined);
  keyRef.current = (e: KeyboardEvent) => {
    if (isTyping(e) || !design) return;
    const mod = e.ctrlKey || e.metaKey;
    if (e.key === 'Delete' || e.key === 'Backspace') deleteSelection();
    else if (mod && e.key.toLowerCase() === 'c') copySelection();
    else if (mod && e.key.toLowerCase() === 'v') pasteClipboard();
    else if (mod && e.key.toLowerCase() === 'd') duplicateSelection();
    else if (mod && e.key.toLowerCase() === 'a') setNodes((ns) => ns.map((n) => (n.selected ? n : { ...n, selected: true })));
    else if ((mod && e.key.toLowerCase() === 'k') || e.key === '/') setQuickAdd(true);
    else if (e.key === 'Escape') setNodes((ns) => ns.map((n) => (n.selected ? { ...n, selected: false } : n)));
    else return;
    e.preventDefault();
  };
  // React Flow moves selected blocks with the arrow keys; the move is written when the key is released.
  const positionsRef = useRef(positions);
  positionsRef.current = positions;
  useEffect(() => {
    const listener = (e: KeyboardEvent): void => keyRef.current(e);
    const keyUp = (e: KeyboardEvent): void => {
      if (!e.key.startsWith('Arrow') || isTyping(e)) return;
      setTimeout(() => {
        const moved = nodesRef.current.filter((n) => n.selected && positionsRef.current[n.id] && (n.position.x !== positionsRef.current[n.id].x || n.position.y !== positionsRef.current[n.id].y));
        if (moved.length) edit({ kind: 'move', positions: Object.fromEntries(moved.map((n) => [n.id, n.position])) });
      }, 0);
    };
    window.addEventListener('keydown', listener);
    window.addEventListener('keyup', keyUp);
    return () => {
      window.removeEventListener('keydown', listener);
      window.removeEventListener('keyup', keyUp);
    };
  }, []);

  const onNodesChange = useCallback((changes: NodeChange<LayerNode>[]) => setNodes((ns) => applyNodeChanges(changes.filter((c) => c.type !== 'remove'), ns)), []);
  const onEdgesChange = useCallback((changes: EdgeChange<ShapeEdgeType>[]) => setEdges((es) => applyEdgeChanges(changes.filter((c) => c.type !== 'remove'), es)), []);
  const onConnect: OnConnect = useCallback((c) => edit({ kind: 'connect', source: c.source, target: c.target }), []);
  const onNodeDragStop = useCallback((_: unknown, __: LayerNode, dragged: LayerNode[]) => {
    edit({ kind: 'move', positions: Object.fromEntries(dragged.map((n) => [n.id, n.position])) });
  }, []);
  const onMoveEnd = useCallback((_: unknown, viewport: Viewport) => saveViewState({ viewport }), []);
  // Below this zoom edge labels are unreadable; hiding them also spares the browser their layout.
  const [zoomedOut, setZoomedOut] = useState(false);
  const onMove = useCallback((_: unknown, viewport: Viewport) => setZoomedOut(viewport.zoom < LABEL_MIN_ZOOM), []);
  const onDrop = (e: DragEvent<HTMLDivElement>): void => {
    const layerType = e.dataTransfer.getData(LAYER_DRAG_TYPE);
    if (!layerType) return;
    e.preventDefault();
    const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    addLayer(layerType, { x: p.x - DEFAULT_BLOCK.width / 2, y: p.y - 20 });
  };

  if (!doc) return <div className="cnn-loading" data-testid="loading">Loading design…</div>;
  if (!design || !analysis) return <ErrorView parsed={doc.result.parsed} />;

  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const inputNode = design.nodes.find((n) => n.type === 'Input');
  const inputShape = inputNode ? analysis.nodes[inputNode.id]?.outputShape : undefined;
  const designInputShape = inputNode && Array.isArray(inputNode.params.shape) ? (inputNode.params.shape as number[]) : undefined;

  return (
    <EditorActionsContext.Provider value={actions}>
      <div className="cnn-editor" data-testid="editor" data-document-version={doc.version}>
        <header className="cnn-toolbar" role="toolbar" aria-label="Editor actions">
          <strong className="cnn-design-name" data-testid="design-name">
            {design.name}
          </strong>
          <VscodeButton className="cnn-button" data-testid="toolbar-quick-add" title="Add a layer (Ctrl+K)" onClick={() => setQuickAdd(true)}>
            Add layer
          </VscodeButton>
          <VscodeButton secondary className="cnn-button" data-testid="toolbar-auto-layout" onClick={() => void runAutoLayout()}>
            Auto-layout
          </VscodeButton>
          <VscodeButton secondary className="cnn-button" data-testid="toolbar-fit-view" onClick={() => runCommand('fitView')}>
            Fit view
          </VscodeButton>
          <VscodeCheckbox
            className="cnn-check"
            data-testid="toolbar-edge-shapes"
            label="Shapes on edges"
            checked={showEdgeShapes}
            onChange={(e) => {
              const checked = checkedOf(e);
              setShowEdgeShapes(checked);
              saveViewState({ showEdgeShapes: checked });
            }}
          />
          <span className="cnn-spacer" />
          <VscodeButton secondary className="cnn-button" data-testid="toolbar-export-svg" onClick={() => runCommand('exportSvg')}>
            SVG
          </VscodeButton>
          <VscodeButton secondary className="cnn-button" data-testid="toolbar-export-png" onClick={() => runCommand('exportPng')}>
            PNG
          </VscodeButton>
          <VscodeButton secondary className="cnn-button" data-testid="toolbar-summary" onClick={() => postToHost({ type: 'command', command: 'showSummary' })}>
            Summary
          </VscodeButton>
          <VscodeButton secondary className="cnn-button" data-testid="toolbar-export-code" onClick={() => postToHost({ type: 'command', command: 'export' })}>
            Export code
          </VscodeButton>
          <VscodeButton className="cnn-button" data-testid="toolbar-train" disabled={!analysis.valid} title={analysis.valid ? 'Train this design' : 'Fix the errors first'} onClick={() => analysis.valid && postToHost({ type: 'command', command: 'train' })}>
            Train
          </VscodeButton>
        </header>
        {whatIfShape && (
          <div className="cnn-whatif-banner" data-testid="whatif-banner">
            What-if: input {whatIfShape.join('×')} instead of {designInputShape?.join('×') ?? '?'}. Shapes, costs and problems below are for this size; the file is unchanged.
          </div>
        )}
        <div className="cnn-body">
          <Palette onAdd={addFromPalette} />
          <div className={`cnn-canvas${zoomedOut ? ' zoomed-out' : ''}`} ref={canvasRef} data-testid="canvas" onDragOver={(e) => (e.preventDefault(), (e.dataTransfer.dropEffect = 'copy'))} onDrop={onDrop}>
            <ReactFlow<LayerNode, ShapeEdgeType>
              nodes={nodes}
              edges={edges}
              nodeTypes={NODE_TYPES}
              edgeTypes={EDGE_TYPES}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              onNodeDragStop={onNodeDragStop}
              onMove={onMove}
              onMoveEnd={onMoveEnd}
              defaultViewport={saved.viewport}
              deleteKeyCode={null}
              nodesDraggable={!doc.readOnly}
              nodesConnectable={!doc.readOnly}
              selectionKeyCode="Shift"
              multiSelectionKeyCode={MULTI_SELECT_KEYS}
              minZoom={0.05}
              maxZoom={2}
              colorMode={document.body.classList.contains('vscode-light') || !document.body.className ? 'light' : 'dark'}
              proOptions={PRO_OPTIONS}
            >
              <Background />
              <Controls showInteractive={false} />
              <MiniMap pannable zoomable nodeStrokeWidth={3} nodeColor={minimapColor} />
            </ReactFlow>
          </div>
          <Inspector design={design} analysis={analysis} diagnostics={diagnostics} selected={selectedNode} selectedCount={selectedNodes.length} analyze={analyze} onEdit={editFromInspector} onFix={applyFix} />
        </div>
        <TotalsBar
          totals={analysis.totals}
          errors={errors}
          warnings={warnings}
          budgets={budgets}
          onBudgets={changeBudgets}
          heatmap={heatmap}
          onHeatmap={changeHeatmap}
          inputShape={whatIfShape ? designInputShape : inputShape}
          whatIfShape={whatIfShape}
          onWhatIf={changeWhatIf}
        />
        {quickAdd && <QuickAdd onAdd={(t) => addLayer(t)} onClose={() => setQuickAdd(false)} connectingFrom={selectedNode?.id} />}
        {toast && (
          <div className="cnn-toast" role="status" data-testid="toast">
            {toast}
          </div>
        )}
      </div>
    </EditorActionsContext.Provider>
  );
}
