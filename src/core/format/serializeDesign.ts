import type { BlockDefinition, BlockImport, Design, DesignEdge, DesignNode } from '../design';
import { getLayerType } from '../layers/layerCatalog';
import { TRAINING_KEY_ORDER, TRAINING_SETTING_GROUPS, TRAINING_SETTINGS } from '../training/trainingSettingsSpec';


/** Copies `source` with `order` keys first, then the rest in their own order. */
function ordered(source: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (key: string): void => {
    if (source[key] !== undefined) Object.defineProperty(out, key, { value: source[key], enumerable: true, writable: true, configurable: true });
  };
  for (const key of order) if (Object.prototype.hasOwnProperty.call(source, key)) put(key);
  for (const key of Object.keys(source)) if (!order.includes(key)) put(key);
  return out;
}

function nodeToJson(node: DesignNode): Record<string, unknown> {
  const paramOrder = getLayerType(node.type)?.params.map((p) => p.name) ?? [];
  const out: Record<string, unknown> = { id: node.id, type: node.type };
  if (node.name !== undefined) out.name = node.name;
  if (node.when !== undefined) out.when = node.when;
  out.params = ordered(node.params, paramOrder);
  if (node.repeat !== undefined) out.repeat = node.repeat;
  if (node.overrides !== undefined) out.overrides = node.overrides;
  if (node.position) out.position = { x: node.position.x, y: node.position.y };
  return { ...out, ...ordered(node.extra ?? {}, Object.keys(out)) };
}

function edgeToJson(edge: DesignEdge): Record<string, unknown> {
  const out: Record<string, unknown> = { source: edge.source };
  if (edge.sourcePort !== undefined) out.sourcePort = edge.sourcePort;
  out.target = edge.target;
  if (edge.targetPort !== undefined) out.targetPort = edge.targetPort;
  return { ...out, ...ordered(edge.extra ?? {}, Object.keys(out)) };
}

function blockToJson(block: BlockDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (block.description !== undefined) out.description = block.description;
  out.params = ordered(block.params as Record<string, unknown>, []);
  out.inputs = [...block.inputs];
  out.outputs = [...block.outputs];
  out.nodes = block.nodes.map(nodeToJson);
  out.edges = block.edges.map(edgeToJson);
  return { ...out, ...ordered(block.extra ?? {}, Object.keys(out)) };
}

function blockImportToJson(imported: BlockImport): Record<string, unknown> {
  const out: Record<string, unknown> = { from: imported.from };
  if (imported.block !== undefined) out.block = imported.block;
  return { ...out, ...ordered(imported.extra ?? {}, Object.keys(out)) };
}

/** The training block in the specification's order, its groups (`augment`) too; unknown keys after, as written. */
function trainingToJson(training: Record<string, unknown>): Record<string, unknown> {
  const out = ordered(training, TRAINING_KEY_ORDER);
  for (const group of TRAINING_SETTING_GROUPS) {
    const value = out[group];
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const order = TRAINING_SETTINGS.filter((s) => s.key.startsWith(`${group}.`)).map((s) => s.key.slice(group.length + 1));
    out[group] = ordered(value as Record<string, unknown>, order);
  }
  return out;
}

/** The design as a plain JSON value in canonical key order. */
export function designToJson(design: Design): Record<string, unknown> {
  const out: Record<string, unknown> = { format: design.format, version: design.version, name: design.name };
  if (design.description !== undefined) out.description = design.description;
  if (design.blocks !== undefined || design.blockImports !== undefined)
    out.blocks = Object.fromEntries([
      ...Object.entries(design.blockImports ?? {}).map(([name, imported]) => [name, blockImportToJson(imported)]),
      ...Object.entries(design.blocks ?? {}).map(([name, block]) => [name, blockToJson(block)]),
    ]);
  out.nodes = design.nodes.map(nodeToJson);
  out.edges = design.edges.map(edgeToJson);
  out.training = trainingToJson(design.training);
  const extra = ordered(design.extra ?? {}, []);
  for (const key of Object.keys(extra)) if (!(key in out)) Object.defineProperty(out, key, { value: extra[key], enumerable: true, writable: true, configurable: true });
  return out;
}

const MAX_INLINE = 100;

const isLeafy = (value: unknown): boolean =>
  value === null || typeof value !== 'object' || (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object' || (Array.isArray(v) && v.every(isLeafy))));

function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Indented JSON (two spaces unless `unit` says otherwise) in which containers of plain values that
 * fit on a line stay on one line (params, positions, shapes, edges), so that one edit changes one
 * line of a git diff. `indent` is the indentation of the line the value starts on and `keyLength`
 * what precedes the value on that line after it (e.g. `"params": `).
 */
export function formatJson(value: unknown, indent = '', keyLength = 0, unit = '  '): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
  if (children.length === 0) return Array.isArray(value) ? '[]' : '{}';
  if (children.every(isLeafy)) {
    const text = inline(value);
    if (indent.length + keyLength + text.length <= MAX_INLINE) return text;
  }
  const inner = indent + unit;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + formatJson(v, inner, 0, unit)).join(',\n')}\n${indent}]`;
  const lines = Object.entries(value).map(([k, v]) => {
    const key = `${JSON.stringify(k)}: `;
    return inner + key + formatJson(v, inner, key.length, unit);
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

/** Deterministic text of a design: canonical key order, two-space indentation, final newline. */
export function serializeDesign(design: Design): string {
  return `${formatJson(designToJson(design))}\n`;
}
