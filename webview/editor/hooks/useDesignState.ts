import { useCallback, useMemo } from 'react';
import { analyzeDesign, type DesignAnalysis } from '../../../src/core/analysis/analyzeDesign';
import type { Diagnostic } from '../../../src/core/analysis/diagnostic';
import type { Design, Position } from '../../../src/core/design';
import { layeredPositions } from '../../../src/core/edit/layeredPositions';
import { withInputShape } from '../buildCanvas';
import type { LoadedDocument } from './useHostConnection';

export interface DesignState {
  /** The design, when the document holds one the editor can show and edit without loss. */
  design: Design | undefined;
  analysis: DesignAnalysis | undefined;
  /** Problems of the whole document (structure and design), or of the what-if analysis. */
  diagnostics: Diagnostic[];
  /** Where each block sits: its stored position, or a layered one for blocks without. */
  positions: Record<string, Position>;
  /** Analyzes a design the way the canvas does (with the what-if input size, if any). */
  analyze(design: Design): DesignAnalysis;
}

/** What the editor shows of the document: its design, analysis and problems, recomputed only when they change. */
export function useDesignState(doc: LoadedDocument | undefined, whatIfShape: number[] | undefined): DesignState {
  const parsed = doc?.result.parsed;
  const design = parsed?.design && parsed.lossless && !parsed.syntaxError ? parsed.design : undefined;
  const blockFiles = doc?.blockFiles;
  const analyze = useCallback((d: Design): DesignAnalysis => analyzeDesign(whatIfShape ? withInputShape(d, whatIfShape) : d, { blockFiles }), [whatIfShape, blockFiles]);
  const analysis = useMemo(() => (design ? (whatIfShape ? analyze(design) : doc!.result.analysis ?? analyze(design)) : undefined), [design, doc, whatIfShape, analyze]);
  const diagnostics = useMemo(() => (whatIfShape ? analysis?.diagnostics ?? [] : doc?.result.diagnostics ?? []), [whatIfShape, analysis, doc]);
  const positions = useMemo(() => (design ? layeredPositions(design) : {}), [design]);
  return { design, analysis, diagnostics, positions, analyze };
}
