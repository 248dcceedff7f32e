import type { CanvasCommand } from '../../src/protocol/editorProtocol';
import { VscodeButton, VscodeCheckbox, checkedOf } from './controls';
import { postToHost } from './vscodeApi';

interface ToolbarProps {
  designName: string;
  /** Whether the design can be trained (no errors). */
  valid: boolean;
  showEdgeShapes: boolean;
  onShowEdgeShapes(show: boolean): void;
  onQuickAdd(): void;
  onCommand(command: CanvasCommand): void;
  /** A model file shown read-only as a design: nothing to add to it, and it trains once saved as a design. */
  imported?: boolean;
  /** Layers are selected (of the design, not of an opened block): they can become a block. */
  canMakeBlock: boolean;
}

/** The bar above the canvas: adding, laying out and fitting, edge labels, exports, the summary and training. */
export function Toolbar({ designName, valid, showEdgeShapes, onShowEdgeShapes, onQuickAdd, onCommand, imported = false, canMakeBlock }: ToolbarProps) {
  return (
    <header className="cnn-toolbar" role="toolbar" aria-label="Editor actions">
      <strong className="cnn-design-name" data-testid="design-name">
        {designName}
      </strong>
      {!imported && (
        <VscodeButton className="cnn-button" data-testid="toolbar-quick-add" title="Add a layer (Ctrl+K)" onClick={onQuickAdd}>
          Add layer
        </VscodeButton>
      )}
      {!imported && (
        <VscodeButton
          secondary
          className="cnn-button"
          data-testid="toolbar-make-block"
          disabled={!canMakeBlock}
          title={canMakeBlock ? 'Move the selected layers into a new block, with one instance of it in their place' : 'Select layers first (Shift+drag, or Ctrl+click)'}
          onClick={() => canMakeBlock && onCommand('makeBlock')}
        >
          Make block
        </VscodeButton>
      )}
      <VscodeButton secondary className="cnn-button" data-testid="toolbar-auto-layout" onClick={() => onCommand('autoLayout')}>
        Auto-layout
      </VscodeButton>
      <VscodeButton secondary className="cnn-button" data-testid="toolbar-fit-view" onClick={() => onCommand('fitView')}>
        Fit view
      </VscodeButton>
      <VscodeCheckbox className="cnn-check" data-testid="toolbar-edge-shapes" label="Shapes on edges" checked={showEdgeShapes} onChange={(e) => onShowEdgeShapes(checkedOf(e))} />
      <span className="cnn-spacer" />
      <VscodeButton secondary className="cnn-button" data-testid="toolbar-export-svg" onClick={() => onCommand('exportSvg')}>
        SVG
      </VscodeButton>
      <VscodeButton secondary className="cnn-button" data-testid="toolbar-export-png" onClick={() => onCommand('exportPng')}>
        PNG
      </VscodeButton>
      <VscodeButton secondary className="cnn-button" data-testid="toolbar-summary" onClick={() => postToHost({ type: 'command', command: 'showSummary' })}>
        Summary
      </VscodeButton>
      <VscodeButton secondary className="cnn-button" data-testid="toolbar-export-code" onClick={() => postToHost({ type: 'command', command: 'export' })}>
        Export code
      </VscodeButton>
      {!imported && (
        <VscodeButton className="cnn-button" data-testid="toolbar-train" disabled={!valid} title={valid ? 'Train this design' : 'Fix the errors first'} onClick={() => valid && postToHost({ type: 'command', command: 'train' })}>
          Train
        </VscodeButton>
      )}
    </header>
  );
}
