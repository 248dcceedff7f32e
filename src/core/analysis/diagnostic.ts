import type { JsonPath } from '../format/parseJsonWithLocations';

export type Severity = 'error' | 'warning' | 'info';

/** A one-click repair the editor can apply; always expressed as design-level edits. */
export type FixEdit = SingleFixEdit | { kind: 'combined'; edits: SingleFixEdit[] };

/** One design-level edit of a fix; `combined` applies several in order, as one fix (one undo step). */
export type SingleFixEdit =
  | { kind: 'setParams'; nodeId: string; params: Record<string, unknown> }
  | { kind: 'insertLayer'; source: string; target: string; layer: { type: string; params: Record<string, unknown> } }
  | { kind: 'removeEdge'; source: string; target: string }
  | { kind: 'addEdge'; source: string; target: string }
  /** Replaces the connection source → target by newSource → newTarget, in the same place (a mistyped end). */
  | { kind: 'reconnectEdge'; source: string; target: string; newSource: string; newTarget: string }
  | { kind: 'removeNode'; nodeId: string }
  | { kind: 'renameNode'; nodeId: string; newId: string };

export interface SuggestedFix {
  /** What the fix does, in words, e.g. "Use padding 1 (output 3×3)". */
  title: string;
  edit?: FixEdit;
}

export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. "stride-does-not-fit". */
  code: string;
  message: string;
  nodeId?: string;
  edge?: { source: string; target: string };
  /** Where in the JSON document it belongs (for the Problems panel), e.g. ["nodes", 3, "params", "strides"]. */
  path?: JsonPath;
  /** Line and column (1-based) when the path was located in the text. */
  line?: number;
  column?: number;
  /** Suggested fixes, the best first. */
  fixes: SuggestedFix[];
}

/** What a layer rule reports; the analysis fills in node id and path. */
export type DiagnosticInput = Omit<Diagnostic, 'fixes' | 'nodeId' | 'path' | 'line' | 'column'> & {
  fixes?: SuggestedFix[];
  /** The parameter it is about, to locate it in the text. */
  param?: string;
};
