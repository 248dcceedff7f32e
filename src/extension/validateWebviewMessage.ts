import type { FixEdit, SingleFixEdit } from '../core/analysis/diagnostic';
import type { Position } from '../core/design';
import { parseFragment } from '../core/edit/designClipboard';
import { nodeIdProblem } from '../core/format/nodeIdProblem';
import type { EditIntention } from '../core/edit/editIntention';
import { HOST_COMMANDS, type HostCommand, type WebviewToHostMessage } from '../protocol/editorProtocol';

/** Thrown for a message that does not follow the protocol; the host drops it and logs why. */
export class InvalidMessageError extends Error {}

type Json = Record<string, unknown>;

const MAX_STRING = 10_000;
const MAX_DATA = 50_000_000;
const MAX_ITEMS = 100_000;

const fail = (path: string, expected: string): never => {
  throw new InvalidMessageError(`${path} must be ${expected}`);
};
const object = (v: unknown, path: string): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : fail(path, 'an object'));
const string = (v: unknown, path: string, max = MAX_STRING): string => (typeof v === 'string' && v.length <= max ? v : fail(path, `a string of at most ${max} characters`));
const id = (v: unknown, path: string): string => (string(v, path, 200) !== '' ? (v as string) : fail(path, 'a non-empty id'));
/** A new id the webview proposes: it must follow the node id rule (docs/format.md). */
const newNodeId = (v: unknown, path: string): string => {
  const problem = nodeIdProblem(string(v, path, 200));
  return problem ? fail(path, `a valid layer id (${problem})`) : (v as string);
};
const finite = (v: unknown, path: string): number => (typeof v === 'number' && Number.isFinite(v) ? v : fail(path, 'a finite number'));
const requestId = (v: unknown, path: string): number => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : fail(path, 'a non-negative integer'));
const array = (v: unknown, path: string): unknown[] => (Array.isArray(v) && v.length <= MAX_ITEMS ? v : fail(path, `a list of at most ${MAX_ITEMS} items`));
const position = (v: unknown, path: string): Position => {
  const o = object(v, path);
  return { x: finite(o.x, `${path}.x`), y: finite(o.y, `${path}.y`) };
};
const oneOf = <T extends string>(v: unknown, options: readonly T[], path: string): T =>
  typeof v === 'string' && (options as readonly string[]).includes(v) ? (v as T) : fail(path, `one of ${options.join(', ')}`);

/** A plain JSON value (what a parameter may hold), bounded in depth and size. */
function jsonValue(v: unknown, path: string, depth = 0): unknown {
  if (depth > 8) return fail(path, 'nested at most 8 levels');
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number') return finite(v, path);
  if (typeof v === 'string') return string(v, path);
  if (Array.isArray(v)) return array(v, path).map((item, i) => jsonValue(item, `${path}[${i}]`, depth + 1));
  const o = object(v, path);
  const out: Json = {};
  for (const [k, item] of Object.entries(o)) Object.defineProperty(out, k, { value: jsonValue(item, `${path}.${k}`, depth + 1), enumerable: true, writable: true, configurable: true });
  return out;
}
const params = (v: unknown, path: string): Record<string, unknown> => object(jsonValue(object(v, path), path), path);
const edgeRef = (v: unknown, path: string): { source: string; target: string } => {
  const o = object(v, path);
  return { source: id(o.source, `${path}.source`), target: id(o.target, `${path}.target`) };
};

/** Parts a combined fix may have (the analysis makes two). */
const MAX_COMBINED = 4;

function fixEdit(v: unknown, path: string): FixEdit {
  const o = object(v, path);
  if (o.kind === 'combined') {
    const parts = array(o.edits, `${path}.edits`);
    if (parts.length === 0 || parts.length > MAX_COMBINED) return fail(`${path}.edits`, `1 to ${MAX_COMBINED} edits`);
    return { kind: 'combined', edits: parts.map((part, i) => singleFixEdit(part, `${path}.edits[${i}]`)) };
  }
  return singleFixEdit(v, path);
}

function singleFixEdit(v: unknown, path: string): SingleFixEdit {
  const o = object(v, path);
  switch (o.kind) {
    case 'setParams':
      return { kind: 'setParams', nodeId: id(o.nodeId, `${path}.nodeId`), params: params(o.params, `${path}.params`) };
    case 'insertLayer': {
      const layer = object(o.layer, `${path}.layer`);
      return {
        kind: 'insertLayer',
        source: id(o.source, `${path}.source`),
        target: id(o.target, `${path}.target`),
        layer: { type: string(layer.type, `${path}.layer.type`, 100), params: params(layer.params, `${path}.layer.params`) },
      };
    }
    case 'removeEdge':
      return { kind: 'removeEdge', ...edgeRef(o, path) };
    case 'addEdge':
      return { kind: 'addEdge', ...edgeRef(o, path) };
    case 'removeNode':
      return { kind: 'removeNode', nodeId: id(o.nodeId, `${path}.nodeId`) };
    case 'renameNode':
      return { kind: 'renameNode', nodeId: id(o.nodeId, `${path}.nodeId`), newId: newNodeId(o.newId, `${path}.newId`) };
    case 'reconnectEdge':
      return { kind: 'reconnectEdge', ...edgeRef(o, path), newSource: id(o.newSource, `${path}.newSource`), newTarget: id(o.newTarget, `${path}.newTarget`) };
    default:
      return fail(`${path}.kind`, 'setParams, insertLayer, removeEdge, addEdge, removeNode, renameNode, reconnectEdge (or combined, of these)');
  }
}

/** Checks an edit intention field by field and rebuilds it from the checked values only. */
export function validateIntention(v: unknown, path = 'intention'): EditIntention {
  const o = object(v, path);
  // A structure edit inside a block's definition names the block; whether it exists is the edit's own check.
  const inBlock = o.block === undefined ? {} : { block: id(o.block, `${path}.block`) };
  switch (o.kind) {
    case 'addLayer': {
      const out: EditIntention = { kind: 'addLayer', layerType: string(o.layerType, `${path}.layerType`, 100), position: position(o.position, `${path}.position`), ...inBlock };
      if (o.params !== undefined) out.params = params(o.params, `${path}.params`);
      if (o.connectFrom !== undefined) out.connectFrom = id(o.connectFrom, `${path}.connectFrom`);
      return out;
    }
    case 'connect':
    case 'disconnect':
      return { kind: o.kind, ...edgeRef(o, path), ...inBlock };
    case 'delete':
      return {
        kind: 'delete',
        nodeIds: array(o.nodeIds, `${path}.nodeIds`).map((n, i) => id(n, `${path}.nodeIds[${i}]`)),
        edges: array(o.edges, `${path}.edges`).map((e, i) => edgeRef(e, `${path}.edges[${i}]`)),
        ...inBlock,
      };
    case 'move': {
      const raw = object(o.positions, `${path}.positions`);
      const positions: Record<string, Position> = {};
      // defineProperty: an id such as "__proto__" must become a key, not a prototype.
      for (const [key, p] of Object.entries(raw))
        Object.defineProperty(positions, id(key, `${path}.positions key`), { value: position(p, `${path}.positions.${key}`), enumerable: true, writable: true, configurable: true });
      return { kind: 'move', positions, ...inBlock };
    }
    case 'setParams':
      return { kind: 'setParams', nodeId: id(o.nodeId, `${path}.nodeId`), params: params(o.params, `${path}.params`) };
    case 'rename': {
      const out: EditIntention = { kind: 'rename', nodeId: id(o.nodeId, `${path}.nodeId`) };
      if (o.name !== undefined) out.name = string(o.name, `${path}.name`, 200);
      if (o.newId !== undefined) out.newId = newNodeId(o.newId, `${path}.newId`);
      return out;
    }
    case 'paste': {
      const checked = jsonValue(o.fragment, `${path}.fragment`);
      const parsed = parseFragment(checked);
      if ('error' in parsed) return fail(`${path}.fragment`, `a copied fragment (${parsed.error})`);
      return { kind: 'paste', fragment: parsed.fragment, position: position(o.position, `${path}.position`) };
    }
    case 'applyFix':
      return { kind: 'applyFix', edit: fixEdit(o.edit, `${path}.edit`) };
    case 'makeBlock': {
      const out: EditIntention = { kind: 'makeBlock', nodeIds: array(o.nodeIds, `${path}.nodeIds`).map((n, i) => id(n, `${path}.nodeIds[${i}]`)) };
      if (o.blockName !== undefined) out.blockName = string(o.blockName, `${path}.blockName`, 64);
      return out;
    }
    case 'setRepeat':
      return { kind: 'setRepeat', nodeId: id(o.nodeId, `${path}.nodeId`), repeat: o.repeat === null ? null : finite(o.repeat, `${path}.repeat`) };
    case 'setBlockNodeParams':
      return { kind: 'setBlockNodeParams', block: id(o.block, `${path}.block`), nodeId: id(o.nodeId, `${path}.nodeId`), params: params(o.params, `${path}.params`) };
    default:
      return fail(`${path}.kind`, 'a known intention (addLayer, connect, disconnect, delete, move, setParams, rename, paste, applyFix, makeBlock, setRepeat, setBlockNodeParams)');
  }
}

/**
 * Turns an untrusted message from the webview into a typed one, or throws InvalidMessageError
 * naming the first field that is wrong. Only checked fields are copied into the result.
 */
export function validateWebviewMessage(v: unknown): WebviewToHostMessage {
  const o = object(v, 'message');
  switch (o.type) {
    case 'ready':
      return { type: 'ready' };
    case 'edit':
      return { type: 'edit', requestId: requestId(o.requestId, 'requestId'), intention: validateIntention(o.intention) };
    case 'command':
      return { type: 'command', command: oneOf<HostCommand>(o.command, HOST_COMMANDS, 'command') };
    case 'clipboardWrite':
      return { type: 'clipboardWrite', text: string(o.text, 'text', MAX_DATA) };
    case 'clipboardRead':
      return { type: 'clipboardRead', requestId: requestId(o.requestId, 'requestId') };
    case 'saveDiagram':
      return { type: 'saveDiagram', requestId: requestId(o.requestId, 'requestId'), format: oneOf(o.format, ['svg', 'png'] as const, 'format'), data: string(o.data, 'data', MAX_DATA) };
    case 'notify':
      return { type: 'notify', severity: oneOf(o.severity, ['info', 'warning', 'error'] as const, 'severity'), message: string(o.message, 'message', 2000) };
    default:
      return fail('message.type', 'a known message type');
  }
}
