import { createContext } from 'react';
import type { FixEdit } from '../../src/core/analysis/diagnostic';

/** Actions blocks can trigger without carrying callbacks in their data. */
export interface EditorActions {
  applyFix(edit: FixEdit): void;
}

export const EditorActionsContext = createContext<EditorActions>({ applyFix: () => undefined });
