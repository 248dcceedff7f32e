import { useCallback, useMemo, useRef, useState } from 'react';
import type { FixEdit } from '../../src/core/analysis/diagnostic';
import type { Position } from '../../src/core/design';
import type { EditIntention } from '../../src/core/edit/editIntention';
import { Breadcrumb } from './Breadcrumb';
import { openedBlock } from './buildBlockView';
import { Canvas } from './Canvas';
import type { LayerNode } from './LayerBlock';
import { VscodeButton } from './controls';
import { postToHost } from './vscodeApi';
import { EditorActionsContext, type EditorActions } from './editorActions';
import { ErrorView } from './ErrorView';
import { ImportErrorView } from './ImportErrorView';
import { useCanvasGraph } from './hooks/useCanvasGraph';
import { useDesignState } from './hooks/useDesignState';
import { useEditorCommands, type EditorCommands } from './hooks/useEditorCommands';
import { useHostConnection } from './hooks/useHostConnection';
import { useKeyboardShortcuts } from './hooks/useKeyboardShortcuts';
import { useSelection } from './hooks/useSelection';
import { useToast } from './hooks/useToast';
import { useViewport } from './hooks/useViewport';
import { useViewSettings } from './hooks/useViewSettings';
import { Inspector } from './Inspector';
import { Palette } from './Palette';
import { QuickAdd } from './QuickAdd';
import { Toast } from './Toast';
import { Toolbar } from './Toolbar';
import { TotalsBar } from './TotalsBar';

const NO_POSITIONS: Record<string, Position> = {};
const NO_PATH: readonly string[] = [];

/**
 * The graph editor: the document from the host, shown as a canvas with a palette, an inspector, a
 * toolbar and a totals bar. Every change the user makes goes to the host as an edit intention; the
 * new document comes back and is shown (the text is the only source of truth).
 */
export function Editor() {
  const [toast, showToast] = useToast();
  const [quickAdd, setQuickAdd] = useState(false);
  const view = useViewSettings();
  // Host events arrive before this render's graph and commands exist: they go through refs.
  const commandsRef = useRef<EditorCommands | undefined>(undefined);
  const cancelSelectRef = useRef<() => void>(() => undefined);
  const host = useHostConnection({
    onCanvasCommand: (command) => commandsRef.current?.run(command),
    onEditRefused: (reason) => {
      cancelSelectRef.current();
      if (reason) showToast(reason);
    },
    onNotice: showToast,
  });
  const state = useDesignState(host.doc, view.whatIfShape);
  // The instances opened, from the design down (a block nested in a block opens from inside it);
  // the view closes by itself when the path no longer leads to an instance (an undo).
  const [openPath, setOpenPath] = useState<readonly string[]>(NO_PATH);
  const opened = useMemo(() => (state.design && openPath.length ? openedBlock(state.design, openPath) : undefined), [state.design, openPath]);
  const graph = useCanvasGraph(state, view.heatmap, view.showEdgeShapes, opened);
  cancelSelectRef.current = graph.cancelSelectNextCreated;
  const selection = useSelection(graph, opened ? undefined : state.design);
  const selectedInBlock = opened && selection.nodes.length === 1 ? opened.block.nodes.find((n) => n.id === selection.nodes[0].id) : undefined;
  const openedRef = useRef(opened);
  openedRef.current = opened;
  // Double-clicked inside an opened block, a nested instance opens one level deeper.
  const openNode = useCallback((node: LayerNode) => node.data.instance && setOpenPath((path) => [...(openedRef.current ? path : []), node.id]), []);
  const openFromDesign = useCallback((instanceId: string) => setOpenPath([instanceId]), []);
  const canvasRef = useRef<HTMLDivElement>(null);
  const viewport = useViewport(canvasRef, graph.nodes, !!view.saved.viewport);
  const commands = useEditorCommands({ canvasRef, host, state, graph, selection, viewport, showEdgeShapes: view.showEdgeShapes, openQuickAdd: setQuickAdd, showToast, opened });
  commandsRef.current = commands;
  // An opened block's layers are laid out from its wiring: arrow keys move nothing there.
  useKeyboardShortcuts({ enabled: !!state.design, commands, selection, openQuickAdd: () => setQuickAdd(true), nodes: graph.nodes, positions: opened ? NO_POSITIONS : state.positions, edit: host.edit });

  // Stable callbacks for the memoized blocks, palette and inspector.
  const applyFix = useCallback((fix: FixEdit) => void host.edit({ kind: 'applyFix', edit: fix }), [host.edit]);
  const editFromInspector = useCallback((intention: EditIntention) => void host.edit(intention), [host.edit]);
  const addFromPalette = useCallback((layerType: string) => commandsRef.current?.addLayer(layerType), []);
  const actions = useMemo<EditorActions>(() => ({ applyFix }), [applyFix]);

  const { doc } = host;
  const { design, analysis, diagnostics } = state;
  if (host.failure) return <ImportErrorView failure={host.failure} />;
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
        <Toolbar
          designName={design.name}
          valid={analysis.valid}
          showEdgeShapes={view.showEdgeShapes}
          onShowEdgeShapes={view.setShowEdgeShapes}
          onQuickAdd={() => setQuickAdd(true)}
          onCommand={commands.run}
          imported={doc.imported}
          canMakeBlock={!opened && !doc.readOnly && selection.nodes.length > 0}
        />
        {opened && <Breadcrumb designName={design.name} opened={opened} onGoTo={(depth) => setOpenPath((path) => path.slice(0, depth))} />}
        {doc.readOnlyReason && (
          <div className="cnn-readonly-banner" data-testid="readonly-banner" role="status">
            <span>
              <strong>Read-only:</strong> {doc.readOnlyReason}
            </span>
            {doc.imported && (
              <VscodeButton className="cnn-button" data-testid="save-as-design" onClick={() => postToHost({ type: 'command', command: 'saveAsDesign' })}>
                Save as design
              </VscodeButton>
            )}
          </div>
        )}
        {view.whatIfShape && (
          <div className="cnn-whatif-banner" data-testid="whatif-banner">
            What-if: input {view.whatIfShape.join('×')} instead of {designInputShape?.join('×') ?? '?'}. Shapes, costs and problems below are for this size; the file is unchanged.
          </div>
        )}
        <div className="cnn-body">
          <Palette onAdd={addFromPalette} />
          <Canvas
            canvasRef={canvasRef}
            nodes={graph.nodes}
            edges={graph.edges}
            readOnly={doc.readOnly}
            defaultViewport={view.saved.viewport}
            zoomedOut={viewport.zoomedOut}
            onNodesChange={graph.onNodesChange}
            onEdgesChange={graph.onEdgesChange}
            onMove={viewport.onMove}
            onMoveEnd={viewport.onMoveEnd}
            edit={host.edit}
            block={opened?.blockName}
            onDropLayer={commands.addLayer}
            onOpenNode={openNode}
          />
          <Inspector design={design} analysis={analysis} diagnostics={diagnostics} selected={selection.node} selectedCount={selection.nodes.length} analyze={state.analyze} onEdit={editFromInspector} onFix={applyFix} opened={opened} selectedInBlock={selectedInBlock} onOpenBlock={openFromDesign} />
        </div>
        <TotalsBar
          totals={analysis.totals}
          errors={errors}
          warnings={warnings}
          budgets={view.budgets}
          onBudgets={view.setBudgets}
          heatmap={view.heatmap}
          onHeatmap={view.setHeatmap}
          inputShape={view.whatIfShape ? designInputShape : inputShape}
          whatIfShape={view.whatIfShape}
          onWhatIf={view.setWhatIfShape}
        />
        {quickAdd && <QuickAdd onAdd={(t) => commands.addLayer(t)} onClose={() => setQuickAdd(false)} connectingFrom={opened ? (selection.nodes.length === 1 ? selection.nodes[0].id : undefined) : selection.node?.id} />}
        <Toast message={toast} />
      </div>
    </EditorActionsContext.Provider>
  );
}
