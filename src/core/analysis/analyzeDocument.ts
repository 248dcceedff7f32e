import { parseDesign, type ParsedDesign } from '../format/parseDesign';
import { EMPTY_SPANS, jsonPathKey } from '../format/parseJsonWithLocations';
import { analyzeDesign, type AnalysisOptions, type DesignAnalysis } from './analyzeDesign';
import type { Diagnostic } from './diagnostic';
import type { Design } from '../design';

export interface DocumentAnalysis {
  parsed: ParsedDesign;
  /**
   * The design to analyze, export and train: the parsed one, with the blocks it takes from other
   * files put in (given in `options.blockFiles`).
   */
  design?: Design;
  /** The other design files its blocks were looked for in (paths relative to its folder), found or not: a host analyzes again when one changes. */
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
export function analyzeDocument(text: string, options: AnalysisOptions = {}): DocumentAnalysis {
  let parsed: ParsedDesign = { diagnostics: [], lossless: false, spans: EMPTY_SPANS };
  try {
    parsed = parseDesign(text);
    return documentAnalysis(parsed, parsed.design ? analyzeDesign(parsed.design, options) : undefined);
  } catch (err) {
    return {
      parsed,
      blockFiles: [],
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

/** The parse and the analysis as one result: every problem together, located in the text where it was not yet. */
export function documentAnalysis(parsed: ParsedDesign, analysis: DesignAnalysis | undefined): DocumentAnalysis {
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
  return { parsed, design: analysis?.blockFiles?.design ?? parsed.design, blockFiles: analysis?.blockFiles?.files ?? [], analysis, diagnostics, valid: !diagnostics.some((d) => d.severity === 'error') };
}
