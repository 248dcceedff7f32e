import { useEffect, useRef } from 'react';
import type { Position } from '../../../src/core/design';
import type { EditIntention } from '../../../src/core/edit/editIntention';
import type { LayerNode } from '../LayerBlock';
import type { EditorCommands } from './useEditorCommands';
import type { Selection } from './useSelection';

/** Whether a key event comes from a field; the form controls are web components, so look at the innermost target in their shadow roots. */
const isTyping = (e: KeyboardEvent): boolean => {
  const target = e.composedPath()[0] ?? e.target;
  return (
    target instanceof HTMLElement &&
    (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA' || target.isContentEditable || target.getAttribute('role') === 'combobox')
  );
};

export interface ShortcutContext {
  /** False while no design is shown (an error view): the keys then do nothing. */
  enabled: boolean;
  commands: EditorCommands;
  selection: Selection;
  openQuickAdd(): void;
  /** The canvas' blocks and the design's positions, to write a move made with the arrow keys. */
  nodes: LayerNode[];
  positions: Record<string, Position>;
  edit(intention: EditIntention): void;
}

/**
 * The canvas' keys: Delete, Ctrl+C / V / D / A, Ctrl+K or / for quick-add, Escape; React Flow moves
 * selected blocks with the arrow keys, and the move is written when the key is released. The
 * listeners are registered once and call the latest context.
 */
export function useKeyboardShortcuts(context: ShortcutContext): void {
  const latest = useRef(context);
  latest.current = context;
  useEffect(() => {
    const keyDown = (e: KeyboardEvent): void => {
      const { enabled, commands, selection, openQuickAdd } = latest.current;
      if (isTyping(e) || !enabled) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (e.key === 'Delete' || e.key === 'Backspace') commands.deleteSelection();
      else if (mod && key === 'c') commands.copySelection();
      else if (mod && key === 'v') void commands.pasteClipboard();
      else if (mod && key === 'd') commands.duplicateSelection();
      else if (mod && key === 'a') selection.selectAll();
      else if ((mod && key === 'k') || e.key === '/') openQuickAdd();
      else if (e.key === 'Escape') selection.clear();
      else return;
      e.preventDefault();
    };
    const keyUp = (e: KeyboardEvent): void => {
      if (!e.key.startsWith('Arrow') || isTyping(e)) return;
      // After React Flow has applied the key's move to the blocks.
      setTimeout(() => {
        const { nodes, positions, edit } = latest.current;
        const moved = nodes.filter((n) => n.selected && positions[n.id] && (n.position.x !== positions[n.id].x || n.position.y !== positions[n.id].y));
        if (moved.length) edit({ kind: 'move', positions: Object.fromEntries(moved.map((n) => [n.id, n.position])) });
      }, 0);
    };
    window.addEventListener('keydown', keyDown);
    window.addEventListener('keyup', keyUp);
    return () => {
      window.removeEventListener('keydown', keyDown);
      window.removeEventListener('keyup', keyUp);
    };
  }, []);
}
