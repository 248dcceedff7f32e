import { DESIGN_FORMAT, DESIGN_VERSION, type Design, type DesignEdge, type DesignNode } from '../design';
import type { Diagnostic } from '../analysis/diagnostic';
import { EMPTY_SPANS, jsonPathKey, parseJsonWithLocations, type JsonPath, type JsonSyntaxError, type SpanIndex } from './parseJsonWithLocations';

export interface ParsedDesign {
  /** The normalized design; undefined only when the text is not JSON or not an object at all. */
  design?: Design;
  /** JSON syntax error with line and column, when the text does not parse. */
  syntaxError?: JsonSyntaxError;
  /** Structural problems (wrong types, duplicate ids, unknown format...), located. */
  diagnostics: Diagnostic[];
  /**
   * True when `design` holds everything the text says, so a serialized edit of it loses nothing.
   * Editors must not write a document back while this is false.
   */
  lossless: boolean;
  /** Where each JSON path sits in the text. */
  spans: SpanIndex;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const NODE_KEYS = new Set(['id', 'type', 'name', 'params', 'position']);
const EDGE_KEYS = new Set(['source', 'target']);
const DESIGN_KEYS = new Set(['format', 'version', 'name', 'description', 'nodes', 'edges', 'training']);

function pickExtra(obj: Record<string, unknown>, known: Set<string>): Record<string, unknown> | undefined {
  const extra: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) {
      Object.defineProperty(extra, key, { value: obj[key], enumerable: true, writable: true, configurable: true });
      any = true;
    }
  }
  return any ? extra : undefined;
}

/**
 * Parses `.cnn.json` text into a normalized design, never throwing. Every problem becomes a
 * located diagnostic; parts that cannot be understood are left out of the design and make it
 * not lossless.
 */
export function parseDesign(text: string): ParsedDesign {
  const parsed = parseJsonWithLocations(text);
  if (!parsed.ok) {
    const { error } = parsed;
    return {
      syntaxError: error,
      lossless: false,
      spans: EMPTY_SPANS,
      diagnostics: [
        {
          severity: 'error',
          code: 'malformed-json',
          message: `The file is not valid JSON: ${error.message} at line ${error.line}, column ${error.column}.`,
          line: error.line,
          column: error.column,
          fixes: [{ title: 'Open the file as text and correct it; the designer will not change it until it parses' }],
        },
      ],
    };
  }
  const { spans } = parsed;
  const diagnostics: Diagnostic[] = [];
  let lossless = true;
  const problem = (path: JsonPath, message: string, code = 'invalid-structure', severity: Diagnostic['severity'] = 'error', drop = true): void => {
    const span = spans.get(jsonPathKey(path));
    diagnostics.push({ severity, code, message, path, line: span?.line, column: span?.column, fixes: [] });
    if (drop) lossless = false;
  };

  const root = parsed.value;
  if (!isObject(root)) {
    problem([], `A design must be a JSON object with "format": "${DESIGN_FORMAT}", but this file holds ${Array.isArray(root) ? 'an array' : typeof root}.`, 'not-a-design');
    return { diagnostics, lossless: false, spans };
  }
  if (root.format !== DESIGN_FORMAT) {
    problem(
      root.format === undefined ? [] : ['format'],
      root.format === undefined
        ? `This is not a CNN Designer file: "format": "${DESIGN_FORMAT}" is missing.`
        : `Unknown format ${JSON.stringify(root.format)}: expected "${DESIGN_FORMAT}".`,
      'wrong-format',
      'error',
      false,
    );
  }
  let version = DESIGN_VERSION;
  if (root.version === undefined) problem([], `"version" is missing; version ${DESIGN_VERSION} is assumed.`, 'missing-version', 'warning', false);
  else if (typeof root.version !== 'number' || !Number.isInteger(root.version) || root.version < 1) problem(['version'], '"version" must be a positive integer.');
  else if (root.version > DESIGN_VERSION) {
    problem(['version'], `This design was written by a newer CNN Designer (format version ${root.version}; this one reads ${DESIGN_VERSION}). Update the extension to edit it.`, 'newer-version');
    version = root.version;
  } else version = root.version;

  let name = 'Untitled';
  if (typeof root.name === 'string') name = root.name;
  else if (root.name !== undefined) problem(['name'], '"name" must be a string.');

  let description: string | undefined;
  if (typeof root.description === 'string') description = root.description;
  else if (root.description !== undefined) problem(['description'], '"description" must be a string.');

  const nodes: DesignNode[] = [];
  const ids = new Set<string>();
  if (root.nodes === undefined) problem([], 'The design has no "nodes" list.', 'invalid-structure', 'error', false);
  else if (!Array.isArray(root.nodes)) problem(['nodes'], '"nodes" must be a list of layers.');
  else {
    root.nodes.forEach((raw, index) => {
      const at: JsonPath = ['nodes', index];
      if (!isObject(raw)) return problem(at, `Node ${index + 1} must be an object like {"id": "conv1", "type": "Conv2D", "params": {...}}.`);
      if (typeof raw.id !== 'string' || raw.id.trim() === '') return problem(raw.id === undefined ? at : [...at, 'id'], `Node ${index + 1} needs an "id" that is a non-empty string.`);
      if (ids.has(raw.id)) return problem([...at, 'id'], `Two nodes have the id "${raw.id}"; ids must be unique.`, 'duplicate-id');
      if (typeof raw.type !== 'string') return problem(raw.type === undefined ? at : [...at, 'type'], `Node "${raw.id}" needs a "type" such as "Conv2D".`);
      ids.add(raw.id);
      const node: DesignNode = { id: raw.id, type: raw.type, params: {} };
      if (typeof raw.name === 'string') node.name = raw.name;
      else if (raw.name !== undefined) problem([...at, 'name'], `The name of node "${raw.id}" must be a string.`);
      if (isObject(raw.params)) node.params = raw.params;
      else if (raw.params !== undefined) problem([...at, 'params'], `The params of node "${raw.id}" must be an object.`);
      if (raw.position !== undefined) {
        const p = raw.position;
        if (isObject(p) && typeof p.x === 'number' && typeof p.y === 'number' && Number.isFinite(p.x) && Number.isFinite(p.y) && Object.keys(p).length === 2)
          node.position = { x: p.x, y: p.y };
        else problem([...at, 'position'], `The position of node "${raw.id}" must be {"x": number, "y": number}.`);
      }
      const extra = pickExtra(raw, NODE_KEYS);
      if (extra) node.extra = extra;
      nodes.push(node);
    });
  }

  const edges: DesignEdge[] = [];
  if (root.edges !== undefined && !Array.isArray(root.edges)) problem(['edges'], '"edges" must be a list of {"source", "target"} connections.');
  else if (Array.isArray(root.edges)) {
    root.edges.forEach((raw, index) => {
      const at: JsonPath = ['edges', index];
      if (!isObject(raw) || typeof raw.source !== 'string' || typeof raw.target !== 'string')
        return problem(at, `Edge ${index + 1} must be {"source": "<node id>", "target": "<node id>"}.`);
      const edge: DesignEdge = { source: raw.source, target: raw.target };
      const extra = pickExtra(raw, EDGE_KEYS);
      if (extra) edge.extra = extra;
      edges.push(edge);
    });
  }

  let training: Design['training'] = {};
  if (isObject(root.training)) training = root.training;
  else if (root.training !== undefined) problem(['training'], '"training" must be an object of settings.');

  const design: Design = { format: DESIGN_FORMAT, version, name, nodes, edges, training };
  if (description !== undefined) design.description = description;
  const extra = pickExtra(root, DESIGN_KEYS);
  if (extra) design.extra = extra;
  if (root.format !== DESIGN_FORMAT) lossless = false;
  return { design, diagnostics, lossless, spans };
}
