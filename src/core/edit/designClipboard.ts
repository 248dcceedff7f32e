import type { Design, DesignEdge, DesignNode } from '../design';
import type { ClipboardFragment } from './editIntention';

/** Marks clipboard text as ours, so pasting arbitrary text is refused instead of misread. */
export const CLIPBOARD_FORMAT = 'cnn-designer/fragment';

/** Clipboard text holding the selected nodes and the connections among them. */
export function copyToClipboardText(design: Design, nodeIds: readonly string[]): string {
  const selected = new Set(nodeIds);
  const nodes = design.nodes.filter((n) => selected.has(n.id));
  const edges = design.edges.filter((e) => selected.has(e.source) && selected.has(e.target));
  return JSON.stringify({ format: CLIPBOARD_FORMAT, version: 1, nodes, edges });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPosition = (v: unknown): v is { x: number; y: number } => isObject(v) && Number.isFinite(v.x) && Number.isFinite(v.y);

/**
 * Reads clipboard text written by `copyToClipboardText` (in this or another design). Returns the
 * fragment, or a reason it is not one.
 */
export function parseClipboardText(text: string): { fragment: ClipboardFragment } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'The clipboard does not hold CNN Designer layers.' };
  }
  if (!isObject(value) || value.format !== CLIPBOARD_FORMAT) return { error: 'The clipboard does not hold CNN Designer layers.' };
  return parseFragment(value);
}

/** Checks an untrusted fragment value node by node (it may come from a webview or the clipboard). */
export function parseFragment(value: unknown): { fragment: ClipboardFragment } | { error: string } {
  if (!isObject(value) || !Array.isArray(value.nodes) || !Array.isArray(value.edges)) return { error: 'A fragment needs "nodes" and "edges" lists.' };
  const nodes: DesignNode[] = [];
  for (const raw of value.nodes) {
    if (!isObject(raw) || typeof raw.id !== 'string' || raw.id === '' || typeof raw.type !== 'string') return { error: 'Every copied node needs an id and a type.' };
    if (raw.params !== undefined && !isObject(raw.params)) return { error: `The params of "${raw.id}" must be an object.` };
    if (raw.name !== undefined && typeof raw.name !== 'string') return { error: `The name of "${raw.id}" must be a string.` };
    if (raw.position !== undefined && !isPosition(raw.position)) return { error: `The position of "${raw.id}" must be {x, y}.` };
    const node: DesignNode = { id: raw.id, type: raw.type, params: isObject(raw.params) ? { ...raw.params } : {} };
    if (typeof raw.name === 'string') node.name = raw.name;
    if (isPosition(raw.position)) node.position = { x: raw.position.x, y: raw.position.y };
    if (isObject(raw.extra)) node.extra = { ...raw.extra };
    nodes.push(node);
  }
  const edges: DesignEdge[] = [];
  for (const raw of value.edges) {
    if (!isObject(raw) || typeof raw.source !== 'string' || typeof raw.target !== 'string') return { error: 'Every copied connection needs a source and a target.' };
    edges.push({ source: raw.source, target: raw.target });
  }
  return { fragment: { nodes, edges } };
}
