import type { Design, DesignNode } from '../design';
import { locateScalarEdit, objectElementStarts, type ElementStarts, type ScalarEdit } from '../format/locateScalarEdit';
import type { ParsedDesign } from '../format/parseDesign';
import { spansOnRequest } from '../format/parseJsonWithLocations';
import { analysisPartsOf, DEFAULT_MACHINE_MEMORY_BYTES, type AnalysisOptions } from './analyzeDesign';
import { analyzeDocument, documentAnalysis, type DocumentAnalysis } from './analyzeDocument';
import type { Diagnostic } from './diagnostic';
import { reanalyzeDesign } from './reanalyzeDesign';

/** A document's text and its analysis. */
export interface AnalyzedText {
  text: string;
  result: DocumentAnalysis;
}

/** Where each node of a followed document starts in its text, so that the next edit is located from its node on. */
const NODE_STARTS = new WeakMap<DocumentAnalysis, ElementStarts>();

const sameOptions = (a: AnalysisOptions, b: AnalysisOptions): boolean =>
  (a.machineMemoryBytes ?? DEFAULT_MACHINE_MEMORY_BYTES) === (b.machineMemoryBytes ?? DEFAULT_MACHINE_MEMORY_BYTES) && (a.searchFixes !== false) === (b.searchFixes !== false);

/** `value` (an object or array parsed from JSON) with the value at `path` replaced, copying only the containers on the path. */
function withValueAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [key, ...rest] = path;
  if (Array.isArray(value)) {
    if (typeof key !== 'number' || key >= value.length) return undefined;
    const copy = [...value];
    const inner = withValueAt(value[key], rest, replacement);
    if (inner === undefined) return undefined;
    copy[key] = inner;
    return copy;
  }
  if (typeof value !== 'object' || value === null || typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
  const inner = withValueAt((value as Record<string, unknown>)[key], rest, replacement);
  if (inner === undefined) return undefined;
  // Spread and defineProperty keep a "__proto__" key an own key, as the parser does.
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  Object.defineProperty(copy, key, { value: inner, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** The value at `path` inside `value`, or undefined. */
function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let here = value;
  for (const key of path) {
    if (typeof here !== 'object' || here === null || !Object.prototype.hasOwnProperty.call(here, key)) return undefined;
    here = (here as Record<string | number, unknown>)[key];
  }
  return here;
}

/**
 * The design after an edit of one node's parameter or position, and which nodes' layers it
 * changed; undefined for any other edit.
 */
function editedDesign(design: Design, edit: ScalarEdit): { design: Design; editedIds: string[] } | undefined {
  const [list, index, field, ...rest] = edit.path;
  if (list !== 'nodes' || typeof index !== 'number' || index >= design.nodes.length) return undefined;
  const node = design.nodes[index];
  // The design must hold what the text held there (it always does; a cheap guard against a wrong place).
  if (!Object.is(valueAt(node, [field, ...rest]), edit.oldValue)) return undefined;
  let changed: DesignNode;
  let editedIds: string[];
  if (field === 'params' && rest.length > 0) {
    const params = withValueAt(node.params, rest, edit.value);
    if (params === undefined) return undefined;
    changed = { ...node, params: params as Record<string, unknown> };
    editedIds = [node.id];
  } else if (field === 'position' && node.position && rest.length === 1 && (rest[0] === 'x' || rest[0] === 'y') && typeof edit.value === 'number' && Number.isFinite(edit.value)) {
    // Where a block is drawn is no part of the analysis.
    changed = { ...node, position: { ...node.position, [rest[0]]: edit.value } };
    editedIds = [];
  } else return undefined;
  const nodes = [...design.nodes];
  nodes[index] = changed;
  return { design: { ...design, nodes }, editedIds };
}

/** The analysis of the edited text from the previous one, or undefined when the edit is not one it can follow. */
function followEdit(previous: AnalyzedText, text: string, options: AnalysisOptions): DocumentAnalysis | undefined {
  const { parsed, analysis } = previous.result;
  if (!analysis || !parsed.design || !parsed.lossless || parsed.syntaxError) return undefined;
  const parts = analysisPartsOf(analysis);
  if (!parts || parts.design !== parsed.design || !sameOptions(parts.options, options)) return undefined;
  let nodeStarts = NODE_STARTS.get(previous.result);
  if (!nodeStarts) {
    nodeStarts = objectElementStarts(previous.text, 'nodes');
    NODE_STARTS.set(previous.result, nodeStarts);
  }
  const edit = locateScalarEdit(previous.text, text, nodeStarts.offsets.length === parsed.design.nodes.length ? nodeStarts : undefined);
  if (!edit) return undefined;
  const next = editedDesign(parsed.design, edit);
  if (!next) return undefined;

  // The text moved only after the edited value, on its line (a JSON scalar holds no line break):
  // problems located there move by the change in length.
  const shift = edit.newEnd - edit.oldEnd;
  let editLine = 0;
  let editColumn = 0;
  const relocate = (d: Diagnostic): Diagnostic => {
    if (shift === 0 || d.line === undefined || d.column === undefined) return d;
    if (editLine === 0) {
      const lineStart = previous.text.lastIndexOf('\n', edit.start - 1) + 1;
      editColumn = edit.start - lineStart + 1;
      editLine = 1;
      for (let i = previous.text.indexOf('\n'); i !== -1 && i < lineStart; i = previous.text.indexOf('\n', i + 1)) editLine++;
    }
    return d.line === editLine && d.column > editColumn ? { ...d, column: d.column + shift } : d;
  };
  const reanalyzed = reanalyzeDesign(analysis, next.design, next.editedIds, relocate);
  if (!reanalyzed) return undefined;
  const reparsed: ParsedDesign = { design: next.design, diagnostics: parsed.diagnostics.map(relocate), lossless: true, spans: spansOnRequest(text) };
  const result = documentAnalysis(reparsed, reanalyzed);
  const moved = shift === 0 ? nodeStarts : { path: nodeStarts.path, offsets: nodeStarts.offsets.map((offset) => (offset > edit.start ? offset + shift : offset)) };
  NODE_STARTS.set(result, moved);
  return result;
}

/**
 * The analysis of `text`, the document after an edit of `previous.text`: exactly analyzeDocument(text,
 * options), but after the editor's most frequent edit, one parameter or position of a node, it
 * re-parses only the edited value and re-analyzes only the layers the edit reaches (see
 * reanalyzeDesign). Any other edit, or a previous analysis with other options, is analyzed in full.
 */
export function reanalyzeAfterEdit(previous: AnalyzedText, text: string, options: AnalysisOptions = {}): DocumentAnalysis {
  const parts = previous.result.analysis && analysisPartsOf(previous.result.analysis);
  if (text === previous.text && parts && sameOptions(parts.options, options)) return previous.result;
  try {
    return followEdit(previous, text, options) ?? analyzeDocument(text, options);
  } catch {
    // Whatever goes wrong following the edit, the full analysis reports it properly.
    return analyzeDocument(text, options);
  }
}
