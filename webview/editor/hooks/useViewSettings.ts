import { useMemo, useState } from 'react';
import { loadViewState, saveViewState, type Budgets, type EditorViewState, type HeatmapMode } from '../vscodeApi';

export interface ViewSettings {
  /** What was saved when the editor was last shown (its viewport is restored once). */
  saved: EditorViewState;
  heatmap: HeatmapMode;
  setHeatmap(mode: HeatmapMode): void;
  budgets: Budgets;
  setBudgets(budgets: Budgets): void;
  /** An input size to analyze instead of the design's own (never written to the file). */
  whatIfShape: number[] | undefined;
  setWhatIfShape(shape: number[] | undefined): void;
  showEdgeShapes: boolean;
  setShowEdgeShapes(show: boolean): void;
}

/** The editor's view choices, kept in VS Code's webview state so they survive hiding the editor. */
export function useViewSettings(): ViewSettings {
  const saved = useMemo(loadViewState, []);
  const [heatmap, setHeatmap] = useState<HeatmapMode>(saved.heatmap ?? 'off');
  const [budgets, setBudgets] = useState<Budgets>(saved.budgets ?? {});
  const [whatIfShape, setWhatIfShape] = useState<number[] | undefined>(saved.whatIfShape);
  const [showEdgeShapes, setShowEdgeShapes] = useState(saved.showEdgeShapes ?? true);
  // Stable setters, so the totals bar and inspector (memoized) are not re-rendered for nothing.
  const [setters] = useState(() => ({
    setHeatmap: (mode: HeatmapMode) => (setHeatmap(mode), saveViewState({ heatmap: mode })),
    setBudgets: (b: Budgets) => (setBudgets(b), saveViewState({ budgets: b })),
    setWhatIfShape: (shape: number[] | undefined) => (setWhatIfShape(shape), saveViewState({ whatIfShape: shape })),
    setShowEdgeShapes: (show: boolean) => (setShowEdgeShapes(show), saveViewState({ showEdgeShapes: show })),
  }));
  return { saved, heatmap, budgets, whatIfShape, showEdgeShapes, ...setters };
}
