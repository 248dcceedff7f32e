import { parseDesign, type ParsedDesign } from '../format/parseDesign';
import { EMPTY_SPANS, jsonPathKey } from '../format/parseJsonWithLocations';
import { analyzeDesign, type AnalysisOptions, type DesignAnalysis } from './analyzeDesign';
import type { Diagnostic } from './diagnostic';
import type { Design } from '../design';
import { resolveBlockFiles, type BlockFileSource } from '../blocks/resolveBlockFiles';

export interface DocumentAnalysisOptions extends AnalysisOptions {
  /**
   * The design files its blocks come from ("from" in "blocks"), by path relative to the design's
   * folder; the host reads them. Without it, a design that takes blocks from other files reports them unread.
   */
  blockFiles?: BlockFileSource;
}

export interface DocumentAnalysis {
  parsed: ParsedDesign;
  /**
   * The design to analyze, export and train: the parsed one with the blocks it takes from other
   * files put in (the parsed one itself when it takes none).
   */
  design?: Design;
  /** The other design files asked for (paths relative to the design's folder), found or not: a host re-analyzes when one changes. */
  blockFiles: string[];
  /** Present whenever the text held a design object, even a broken one. */
  analysis?: DesignAnalysis;
  /** Structural and design diagnostics together, each located in the text where possible. */
  diagnostics: Diagnostic[];
  /** No errors anywhere, structural or in the design: it can be compiled, trained and exported. */
  valid: boolean;
}

/**
 * Parses and analyzes `.cnn.json` text in one step, for the editor, the Problems panel and the
 * CLI (which pass the machine's memory in `options`). Never throws: an unexpected failure is itself reported as a diagnostic.
 */
export function analyzeDocument(text: string, options: DocumentAnalysisOptions = {}): DocumentAnalysis {
  let parsed: ParsedDesign = { diagnostics: [], lossless: false, spans: EMPTY_SPANS };
  let blockFiles: string[] = [];
  try {
    parsed = parseDesign(text);
    const { blockFiles: source, ...analysisOptions } = options;
    const resolved = parsed.design ? resolveBlockFiles(parsed.design, source) : undefined;
    blockFiles = resolved?.files ?? [];
    let analysis = resolved ? analyzeDesign(resolved.design, analysisOptions) : undefined;
    if (analysis && resolved && resolved.design !== parsed.design) {
      // Problems of blocks from other files are shown at the import that brings them in.
      const located = [...resolved.diagnostics, ...resolved.locate(analysis.diagnostics)];
      analysis = { ...analysis, diagnostics: located, valid: !located.some((d) => d.severity === 'error') };
    }
    const diagnostics = [...parsed.diagnostics, ...(analysis?.diagnostics ?? [])];
    for (const d of diagnostics) {
      if (d.line === undefined && d.path) {
        const span = parsed.spans.get(jsonPathKey(d.path));
        if (span) {
          d.line = span.line;
          d.column = span.column;
        }
      }
    }
    return { parsed, design: resolved?.design, blockFiles, analysis, diagnostics, valid: !diagnostics.some((d) => d.severity === 'error') };
  } catch (err) {
    return {
      parsed,
      blockFiles,
      valid: false,
      diagnostics: [
        ...parsed.diagnostics,
        {
          severity: 'error',
          code: 'internal-error',
          message: `CNN Designer could not analyze this design (${err instanceof Error ? err.message : String(err)}). Please report it with the file.`,
          fixes: [],
        },
      ],
    };
  }
}
