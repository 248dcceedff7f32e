import { DESIGN_FORMAT, DESIGN_VERSION, type BlockDefinition, type BlockImport, type BlockParam, type Design, type DesignEdge, type DesignNode } from '../design';
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

const NODE_KEYS = new Set(['id', 'type', 'name', 'params', 'position', 'repeat', 'overrides', 'when']);
const EDGE_KEYS = new Set(['source', 'target', 'sourcePort', 'targetPort']);
const DESIGN_KEYS = new Set(['format', 'version', 'name', 'description', 'nodes', 'edges', 'training', 'blocks']);
const BLOCK_KEYS = new Set(['description', 'params', 'inputs', 'outputs', 'nodes', 'edges']);
const PORT_KEYS = ['sourcePort', 'targetPort'] as const;
const BLOCK_PARAM_KEYS = new Set(['default', 'doc']);
const BLOCK_IMPORT_KEYS = new Set(['from', 'block']);

function pickExtra(obj: Record<string, unknown>, known: Set<string>): Record<string, unknown> | undefined {
  const extra: Record<string, unknown> = {};
  let any = false;
  // for-in lists no keys into an array: this runs for every node and edge on each keystroke.
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
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

  /** The nodes of a list at `at` (the design's or a block's), ids unique within it. */
  const parseNodes = (list: unknown, at: JsonPath, reserved: ReadonlySet<string> = new Set()): DesignNode[] => {
    const nodes: DesignNode[] = [];
    const ids = new Set<string>();
    if (list === undefined) {
      problem(at.slice(0, -1), `${at.length > 1 ? 'The block' : 'The design'} has no "nodes" list.`, 'invalid-structure', 'error', false);
      return nodes;
    }
    if (!Array.isArray(list)) {
      problem(at, '"nodes" must be a list of layers.');
      return nodes;
    }
    // Paths are only built for a problem: most nodes have none.
    const here = (index: number): JsonPath => [...at, index];
    for (let index = 0; index < list.length; index++) {
      const raw: unknown = list[index];
      if (!isObject(raw)) {
        problem(here(index), `Node ${index + 1} must be an object like {"id": "conv1", "type": "Conv2D", "params": {...}}.`);
        continue;
      }
      if (typeof raw.id !== 'string' || raw.id.trim() === '') {
        problem(raw.id === undefined ? here(index) : [...here(index), 'id'], `Node ${index + 1} needs an "id" that is a non-empty string.`);
        continue;
      }
      if (ids.has(raw.id)) {
        problem([...here(index), 'id'], `Two nodes have the id "${raw.id}"; ids must be unique.`, 'duplicate-id');
        continue;
      }
      if (reserved.has(raw.id)) {
        problem([...here(index), 'id'], `The node id "${raw.id}" is also the name of one of the block's inputs or outputs; names in a block must be unique.`, 'duplicate-id');
        continue;
      }
      if (typeof raw.type !== 'string') {
        problem(raw.type === undefined ? here(index) : [...here(index), 'type'], `Node "${raw.id}" needs a "type" such as "Conv2D".`);
        continue;
      }
      ids.add(raw.id);
      const node: DesignNode = { id: raw.id, type: raw.type, params: {} };
      if (typeof raw.name === 'string') node.name = raw.name;
      else if (raw.name !== undefined) problem([...here(index), 'name'], `The name of node "${raw.id}" must be a string.`);
      if (isObject(raw.params)) node.params = raw.params;
      else if (raw.params !== undefined) problem([...here(index), 'params'], `The params of node "${raw.id}" must be an object.`);
      if (raw.position !== undefined) {
        const p = raw.position;
        if (isObject(p) && typeof p.x === 'number' && typeof p.y === 'number' && Number.isFinite(p.x) && Number.isFinite(p.y) && Object.keys(p).length === 2)
          node.position = { x: p.x, y: p.y };
        else problem([...here(index), 'position'], `The position of node "${raw.id}" must be {"x": number, "y": number}.`);
      }
      if (typeof raw.repeat === 'number' || typeof raw.repeat === 'string') node.repeat = raw.repeat;
      else if (raw.repeat !== undefined) problem([...here(index), 'repeat'], `The repeat count of node "${raw.id}" must be a whole number (or a "$parameter" inside a block).`);
      if (raw.overrides !== undefined) {
        if (isObject(raw.overrides) && Object.values(raw.overrides).every(isObject)) node.overrides = raw.overrides as Record<string, Record<string, unknown>>;
        else problem([...here(index), 'overrides'], `The overrides of node "${raw.id}" must map copy numbers to arguments, e.g. {"0": {"stride": 2}}.`);
      }
      if (typeof raw.when === 'boolean' || typeof raw.when === 'string') node.when = raw.when;
      else if (raw.when !== undefined) problem([...here(index), 'when'], `"when" of node "${raw.id}" must be true, false or a "$parameter" expression.`);
      const extra = pickExtra(raw, NODE_KEYS);
      if (extra) node.extra = extra;
      nodes.push(node);
    }
    return nodes;
  };

  /** The edges of a list at `at` (the design's or a block's). */
  const parseEdges = (list: unknown, at: JsonPath): DesignEdge[] => {
    const edges: DesignEdge[] = [];
    if (list !== undefined && !Array.isArray(list)) problem(at, '"edges" must be a list of {"source", "target"} connections.');
    else if (Array.isArray(list)) {
      const here = (index: number): JsonPath => [...at, index];
      for (let index = 0; index < list.length; index++) {
        const raw: unknown = list[index];
        if (!isObject(raw) || typeof raw.source !== 'string' || typeof raw.target !== 'string') {
          problem(here(index), `Edge ${index + 1} must be {"source": "<node id>", "target": "<node id>"}.`);
          continue;
        }
        const edge: DesignEdge = { source: raw.source, target: raw.target };
        for (const port of PORT_KEYS) {
          if (typeof raw[port] === 'string') edge[port] = raw[port] as string;
          else if (raw[port] !== undefined) problem([...here(index), port], `"${port}" must name an ${port === 'sourcePort' ? 'output' : 'input'} of the block instance.`);
        }
        const extra = pickExtra(raw, EDGE_KEYS);
        if (extra) edge.extra = extra;
        edges.push(edge);
      }
    }
    return edges;
  };

  const names = (list: unknown, at: JsonPath, what: string): string[] => {
    if (Array.isArray(list) && list.every((n) => typeof n === 'string' && n !== '')) return list as string[];
    problem(at, `The block's "${what}" must be a list of names, e.g. ["x"].`);
    return [];
  };

  /** One block definition at ["blocks", name]. */
  const parseBlock = (raw: unknown, at: JsonPath): BlockDefinition | undefined => {
    if (!isObject(raw)) {
      problem(at, `The block "${String(at[1])}" must be an object with "params", "inputs", "outputs", "nodes" and "edges".`);
      return undefined;
    }
    const params: Record<string, BlockParam> = {};
    if (isObject(raw.params)) {
      for (const [key, spec] of Object.entries(raw.params)) {
        if (!isObject(spec)) {
          problem([...at, 'params', key], `The block parameter "${key}" must be an object such as {"default": 64} (or {} when every instance gives it).`);
          continue;
        }
        const param: BlockParam = {};
        if (spec.default !== undefined) param.default = spec.default;
        if (typeof spec.doc === 'string') param.doc = spec.doc;
        else if (spec.doc !== undefined) problem([...at, 'params', key, 'doc'], `The doc of block parameter "${key}" must be a string.`);
        for (const unknown of Object.keys(spec).filter((k) => !BLOCK_PARAM_KEYS.has(k)))
          problem([...at, 'params', key, unknown], `A block parameter has "default" and "doc"; "${unknown}" is not known.`, 'unknown-key');
        Object.defineProperty(params, key, { value: param, enumerable: true, writable: true, configurable: true });
      }
    } else if (raw.params !== undefined) problem([...at, 'params'], 'A block\'s "params" must be an object such as {"width": {"default": 64}}.');
    const inputs = names(raw.inputs ?? [], [...at, 'inputs'], 'inputs');
    const outputs = names(raw.outputs ?? [], [...at, 'outputs'], 'outputs');
    const block: BlockDefinition = {
      params,
      inputs,
      outputs,
      nodes: parseNodes(raw.nodes, [...at, 'nodes'], new Set([...inputs, ...outputs])),
      edges: parseEdges(raw.edges, [...at, 'edges']),
    };
    if (typeof raw.description === 'string') block.description = raw.description;
    else if (raw.description !== undefined) problem([...at, 'description'], 'A block\'s "description" must be a string.');
    const extra = pickExtra(raw, BLOCK_KEYS);
    if (extra) block.extra = extra;
    return block;
  };

  /** A block of another file at ["blocks", name]: {"from": "./other.cnn.json", "block"?: "Name"}. */
  const parseBlockImport = (raw: Record<string, unknown>, at: JsonPath): BlockImport | undefined => {
    if (typeof raw.from !== 'string' || raw.from === '') {
      problem([...at, 'from'], `"from" of the block "${String(at[1])}" must be the path of a design file relative to this one, e.g. "./blocks.cnn.json".`);
      return undefined;
    }
    const imported: BlockImport = { from: raw.from };
    if (typeof raw.block === 'string' && raw.block !== '') imported.block = raw.block;
    else if (raw.block !== undefined) problem([...at, 'block'], `"block" of the block "${String(at[1])}" must name a block of ${JSON.stringify(raw.from)}.`);
    for (const key of ['params', 'inputs', 'outputs', 'nodes', 'edges'])
      if (raw[key] !== undefined) problem([...at, key], `The block "${String(at[1])}" comes from ${JSON.stringify(raw.from)}; "${key}" belongs to its definition there. Remove "${key}" here, or remove "from" to define the block in this file.`);
    const extra = pickExtra(raw, new Set([...BLOCK_IMPORT_KEYS, ...BLOCK_KEYS]));
    if (extra) imported.extra = extra;
    return imported;
  };

  const nodes = parseNodes(root.nodes, ['nodes']);
  const edges = parseEdges(root.edges, ['edges']);

  let blocks: Record<string, BlockDefinition> | undefined;
  let blockImports: Record<string, BlockImport> | undefined;
  if (isObject(root.blocks)) {
    blocks = {};
    for (const [blockName, raw] of Object.entries(root.blocks)) {
      if (isObject(raw) && raw.from !== undefined) {
        const imported = parseBlockImport(raw, ['blocks', blockName]);
        if (imported) Object.defineProperty((blockImports ??= {}), blockName, { value: imported, enumerable: true, writable: true, configurable: true });
        continue;
      }
      const block = parseBlock(raw, ['blocks', blockName]);
      if (block) Object.defineProperty(blocks, blockName, { value: block, enumerable: true, writable: true, configurable: true });
    }
  } else if (root.blocks !== undefined) problem(['blocks'], '"blocks" must map block names to definitions, e.g. {"BasicBlock": {...}}.');

  let training: Design['training'] = {};
  if (isObject(root.training)) training = root.training;
  else if (root.training !== undefined) problem(['training'], '"training" must be an object of settings.');

  const design: Design = { format: DESIGN_FORMAT, version, name, nodes, edges, training };
  if (description !== undefined) design.description = description;
  if (blocks) design.blocks = blocks;
  if (blockImports) design.blockImports = blockImports;
  const extra = pickExtra(root, DESIGN_KEYS);
  if (extra) design.extra = extra;
  if (root.format !== DESIGN_FORMAT) lossless = false;
  return { design, diagnostics, lossless, spans };
}
