import { closestName } from '../closestName';
import type { BlockDefinition, Design, DesignEdge, DesignNode } from '../design';
import type { Diagnostic, SuggestedFix } from '../analysis/diagnostic';
import type { JsonPath } from '../format/parseJsonWithLocations';
import { getLayerType, LAYER_TYPE_NAMES } from '../layers/layerCatalog';
import { nodeIdProblem } from '../format/nodeIdProblem';
import { evaluateExpression, isExpression, referencedNames, substituteExpressions } from './blockExpression';

/** Where a node of the flattened design comes from, when a block instance made it. */
export interface ExpandedNodeOrigin {
  /** The innermost block instance holding it, e.g. "layer1.0". */
  instance: string;
  block: string;
  /** The node's id inside the block definition. */
  localId: string;
  /** The node in the block definition: ["blocks", block, "nodes", index]. */
  definitionPath: JsonPath;
  /** The node of the design's own list that holds it (the outermost instance). */
  topNodeId: string;
}

/** One block instance of the expanded design: a single copy, or a stage of `repeat` copies. */
export interface BlockInstance {
  /** Prefix of the ids of its nodes: "layer1" for a stage or a lone instance, "layer1.0" for a copy. */
  id: string;
  block: string;
  /** The arguments after defaults and overrides; absent for a stage (its copies hold them). */
  args?: Record<string, unknown>;
  /** For a stage: its copies, in order. */
  copies?: string[];
  /** The instance (or stage) it sits in, when it is inside another block. */
  parent?: string;
  /** Where the instance node is written. */
  path: JsonPath;
  /** Ids of the flattened nodes inside it, in order. */
  nodeIds: string[];
  /** The flattened nodes feeding each of its inputs, in the block's input order ('' where unconnected). */
  inputSources: string[];
  /** The flattened nodes producing each of its outputs, in the block's output order ('' where none). */
  outputSources: string[];
}

export interface BlockExpansion {
  /** The same design with every instance replaced by the nodes of its block: what exports and training use. */
  design: Design;
  origins: ReadonlyMap<string, ExpandedNodeOrigin>;
  /** Every instance, the outer ones first, in the order of the design. */
  instances: BlockInstance[];
  /** Where each edge of `design` is written (the design's own edges or a block's). */
  edgePaths: JsonPath[];
  /** Index of each node of the design's own list, by the id it has in `design` (the lone nodes and the failed instances). */
  topIndex: ReadonlyMap<string, number>;
  /** Instances that could not be expanded; each has an error and stays a node of its block's type. */
  failed: ReadonlySet<string>;
  diagnostics: Diagnostic[];
}

/** Copies of one instance at most, and nodes of an expanded design at most: a design is untrusted input. */
export const MAX_REPEAT = 1000;
export const MAX_EXPANDED_NODES = 20000;
export const MAX_INSTANCES = 5000;

const BLOCK_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const PORT_OR_PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Virtual endpoints joining a level to the one inside it; the characters cannot occur in node ids. */
const inPort = (instance: string, name: string): string => `\u0000in\u0000${instance}\u0000${name}`;
const outPort = (instance: string, name: string): string => `\u0000out\u0000${instance}\u0000${name}`;
const bypass = (id: string): string => `\u0000bypass\u0000${id}`;
const isVirtual = (id: string): boolean => id.startsWith('\u0000');

/** A name from the design, quoted for a message: every control character and line break escaped. */
const shown = (text: string): string =>
  JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text).replace(/[\x7f-\x9f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** True when the design defines blocks or has nodes that only instances may have. */
export function usesBlocks(design: Design): boolean {
  return design.blocks !== undefined || design.nodes.some((n) => n.repeat !== undefined || n.overrides !== undefined || n.when !== undefined) || design.edges.some((e) => e.sourcePort !== undefined || e.targetPort !== undefined);
}

interface Level {
  nodes: DesignNode[];
  edges: DesignEdge[];
  /** Path of the node list: ["nodes"] or ["blocks", name, "nodes"]. */
  nodesPath: JsonPath;
  edgesPath: JsonPath;
  /** "" at the top, "layer1.0." inside an instance. */
  prefix: string;
  /** The block's arguments; undefined at the top, where no expression is computed. */
  scope?: Record<string, unknown>;
  /** The instance being expanded (absent at the top). */
  instance?: { id: string; block: string; definition: BlockDefinition; topNodeId: string; path: JsonPath };
}

/**
 * Flattens a design with blocks into a plain one: each instance becomes the nodes of its block, with
 * ids "<instance>.<node>" ("<instance>.<copy>.<node>" for a stage of repeats), expressions computed
 * from its arguments and the block's inputs and outputs wired through. Pure and total: every problem
 * (unknown block, unknown or missing argument, recursion, bad argument, wrong wiring) is a located
 * diagnostic, and an instance that cannot be expanded stays as a node of its type.
 */
export function expandBlocks(design: Design): BlockExpansion {
  const blocks: Record<string, BlockDefinition> = design.blocks ?? Object.create(null);
  const blockNames = Object.keys(blocks);
  const isBlock = (type: string): boolean => own(blocks, type);
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const report = (d: Omit<Diagnostic, 'fixes'> & { fixes?: SuggestedFix[] }): void => {
    const key = `${d.code}\u0000${JSON.stringify(d.path)}\u0000${d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    diagnostics.push({ ...d, fixes: d.fixes ?? [] });
  };

  const invalidBlocks = checkDefinitions(blocks, report);

  const nodes: DesignNode[] = [];
  const rawEdges: { source: string; target: string; path: JsonPath }[] = [];
  const origins = new Map<string, ExpandedNodeOrigin>();
  const instances: BlockInstance[] = [];
  const topIndex = new Map<string, number>();
  const failed = new Set<string>();
  const taken = new Set<string>();
  /** What a virtual endpoint is, for messages about its wiring. */
  const virtualInfo = new Map<string, { what: string; path: JsonPath; nodeId?: string; firstOfSeveral?: boolean }>();
  let tooLarge = false;

  const emit = (node: DesignNode, at: JsonPath, topNodeId: string): boolean => {
    if (taken.has(node.id)) {
      report({
        severity: 'error',
        code: 'block-id-collision',
        nodeId: topNodeId,
        path: at,
        message: `Expanding the blocks gives two layers the id "${node.id}"; rename the instance or the node so that "<instance>.<node>" ids stay unique.`,
      });
      return false;
    }
    if (nodes.length >= MAX_EXPANDED_NODES) {
      if (!tooLarge)
        report({
          severity: 'error',
          code: 'block-expansion-too-large',
          nodeId: topNodeId,
          path: at,
          message: `The expanded design would have more than ${MAX_EXPANDED_NODES} layers; lower the repeat counts.`,
        });
      tooLarge = true;
      return false;
    }
    taken.add(node.id);
    nodes.push(node);
    return true;
  };

  /** Expands one level (the design's own list or a block's inside); returns nothing, wiring goes through endpoints. */
  const expandLevel = (level: Level, stack: string[]): void => {
    if (tooLarge) return;
    const byId = new Map(level.nodes.map((n) => [n.id, n]));
    /** Endpoint ids of each local name: what an edge into it targets, what an edge from it starts at. */
    const into = new Map<string, (port: string | undefined, k: number) => string | undefined>();
    const from = new Map<string, (port: string | undefined, k: number) => string | undefined>();
    const def = level.instance?.definition;
    if (level.instance && def) {
      for (const name of def.inputs) from.set(name, () => inPort(level.instance!.id, name));
      for (const name of def.outputs) into.set(name, () => outPort(level.instance!.id, name));
    }
    const at = (index: number, ...rest: (string | number)[]): JsonPath => [...level.nodesPath, index, ...rest];
    const topNodeOf = (node: DesignNode): string => level.instance?.topNodeId ?? node.id;
    const where = level.instance ? `In ${level.instance.id} (${level.instance.block}): ` : '';

    level.nodes.forEach((node, index) => {
      if (tooLarge) return;
      const id = `${level.prefix}${node.id}`;
      const topNodeId = topNodeOf(node);
      const fail = (path: JsonPath, code: string, message: string, fixes: SuggestedFix[] = []): void => report({ severity: 'error', code, nodeId: topNodeId, path, message: `${where}${message}`, fixes });
      const compute = (value: unknown, path: JsonPath): { ok: boolean; value: unknown } => {
        if (!level.scope) return { ok: true, value };
        const r = substituteExpressions(value, level.scope);
        if (r.ok) return r;
        // Unknown names are reported once per block, by the definition check.
        if (!/is not a parameter of this block/.test(r.error)) fail(path, 'bad-block-argument', `${JSON.stringify(value)} cannot be computed: ${r.error} (arguments: ${describeArgs(level.scope)}).`);
        return { ok: false, value: undefined };
      };

      if (!isBlock(node.type)) {
        for (const key of ['repeat', 'overrides'] as const) {
          if (node[key] !== undefined && getLayerType(node.type))
            fail(at(index, key), 'not-a-block-instance', `"${key}" belongs to block instances, and "${node.id}" is a ${node.type} layer.`, level.instance ? [] : [{ title: `Remove "${key}"` }]);
        }
        let enabled = true;
        if (node.when !== undefined) {
          const r = compute(node.when, at(index, 'when'));
          if (r.ok && typeof r.value !== 'boolean') fail(at(index, 'when'), 'bad-block-argument', `"when" of "${node.id}" must be true or false, but is ${JSON.stringify(r.value)}.`);
          else if (r.ok) enabled = r.value as boolean;
        }
        if (!enabled) {
          const v = bypass(id);
          // A left-out Add passes on its first input: a residual connection only where the shape allows.
          virtualInfo.set(v, { what: `"${node.id}", left out by its "when",`, path: at(index, 'when'), nodeId: topNodeId, ...(node.type === 'Add' ? { firstOfSeveral: true } : {}) });
          into.set(node.id, () => v);
          from.set(node.id, () => v);
          return;
        }
        const params: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(node.params)) {
          const r = compute(value, at(index, 'params', key));
          if (r.ok) Object.defineProperty(params, key, { value: r.value, enumerable: true, writable: true, configurable: true });
        }
        const flat: DesignNode = { id, type: node.type, params };
        if (node.name !== undefined) flat.name = node.name;
        if (!level.instance) {
          if (node.position) flat.position = node.position;
          if (node.extra) flat.extra = node.extra;
        }
        if (!emit(flat, at(index), topNodeId)) return;
        if (level.instance) origins.set(id, { instance: level.instance.id, block: level.instance.block, localId: node.id, definitionPath: at(index), topNodeId });
        else topIndex.set(id, index);
        into.set(node.id, () => id);
        from.set(node.id, () => id);
        return;
      }

      // A block instance.
      const block = blocks[node.type];
      const keepAsNode = (): void => {
        failed.add(id);
        if (!level.instance) topIndex.set(id, index);
        if (emit({ id, type: node.type, params: {} }, at(index), topNodeId)) {
          into.set(node.id, () => id);
          from.set(node.id, () => id);
        }
      };
      // An instance whose own id breaks the id rule stays one node: the analysis offers to rename it.
      if (invalidBlocks.has(node.type) || nodeIdProblem(node.id)) return keepAsNode();
      if (stack.includes(node.type)) {
        // Reported once by the definition check; a cycle is never expanded.
        return keepAsNode();
      }
      if (node.when !== undefined) fail(at(index, 'when'), 'not-supported', '"when" applies to layers inside a block, not to block instances.');
      const args = (given: Record<string, unknown>, path: JsonPath, allowFixes: boolean): Record<string, unknown> | undefined => {
        const values: Record<string, unknown> = {};
        let ok = true;
        for (const [key, value] of Object.entries(given)) {
          if (!own(block.params, key)) {
            const meant = closestName(key, Object.keys(block.params));
            ok = false;
            fail(
              [...path, key],
              'unknown-block-argument',
              `${node.type} has no parameter ${shown(key)}.${meant ? ` Did you mean "${meant}"?` : ''} Its parameters: ${Object.keys(block.params).join(', ') || 'none'}.`,
              !allowFixes
                ? []
                : meant && !own(given, meant)
                  ? [{ title: `Rename the argument to "${meant}"`, edit: { kind: 'setParams', nodeId: node.id, params: { [key]: null, [meant]: value } } }]
                  : [{ title: `Remove the argument "${key}"`, edit: { kind: 'setParams', nodeId: node.id, params: { [key]: null } } }],
            );
            continue;
          }
          const r = level.scope ? substituteExpressions(value, level.scope) : { ok: true as const, value };
          if (!r.ok) {
            ok = false;
            if (!/is not a parameter of this block/.test(r.error)) fail([...path, key], 'bad-block-argument', `The argument "${key}" cannot be computed: ${r.error}.`);
            continue;
          }
          Object.defineProperty(values, key, { value: r.value, enumerable: true, writable: true, configurable: true });
        }
        return ok ? values : undefined;
      };
      const base = args(node.params, at(index, 'params'), !level.instance);
      if (!base) return keepAsNode();
      const resolved: Record<string, unknown> = {};
      const missing: string[] = [];
      for (const [name, spec] of Object.entries(block.params)) {
        if (own(base, name)) resolved[name] = base[name];
        else if (spec.default !== undefined) resolved[name] = spec.default;
        else missing.push(name);
      }
      if (missing.length) {
        fail(
          at(index, 'params'),
          'missing-block-argument',
          `${node.type} needs ${missing.map((m) => `"${m}"`).join(', ')}, which ${missing.length > 1 ? 'have' : 'has'} no default; give ${missing.length > 1 ? 'them' : 'it'} in "params".`,
          level.instance ? [] : [{ title: `Add ${missing.map((m) => `"${m}"`).join(', ')} to the params` }],
        );
        return keepAsNode();
      }

      let count = 1;
      if (node.repeat !== undefined) {
        const r = compute(node.repeat, at(index, 'repeat'));
        if (!r.ok) return keepAsNode();
        if (typeof r.value !== 'number' || !Number.isInteger(r.value) || r.value < 1 || r.value > MAX_REPEAT) {
          fail(at(index, 'repeat'), 'bad-repeat', `"repeat" must be a whole number from 1 to ${MAX_REPEAT}, but is ${JSON.stringify(r.value)}.`);
          return keepAsNode();
        }
        count = r.value;
        if (block.inputs.length !== 1 || block.outputs.length !== 1) {
          fail(at(index, 'repeat'), 'bad-repeat', `Copies of a block run one after the other, so a repeated block needs exactly one input and one output; ${node.type} has ${block.inputs.length} and ${block.outputs.length}.`);
          return keepAsNode();
        }
      }
      const overrides: Record<number, Record<string, unknown>> = {};
      if (node.overrides !== undefined) {
        if (node.repeat === undefined) fail(at(index, 'overrides'), 'bad-repeat', '"overrides" change single copies of a stage, so they need "repeat".');
        for (const [key, given] of Object.entries(node.overrides)) {
          const copy = /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : NaN;
          if (!(copy < count)) {
            fail(at(index, 'overrides', key), 'bad-repeat', `"${key}" is not a copy of this stage: copies are numbered 0 to ${count - 1}.`);
            continue;
          }
          const values = args(given, at(index, 'overrides', key), false);
          if (!values) return keepAsNode();
          overrides[copy] = values;
        }
      }

      const stageId = id;
      const ids = node.repeat === undefined ? [stageId] : Array.from({ length: count }, (_, k) => `${stageId}.${k}`);
      const topNodeId2 = topNodeId;
      const stage: BlockInstance | undefined =
        node.repeat === undefined ? undefined : { id: stageId, block: node.type, copies: ids, parent: level.instance?.id, path: at(index), nodeIds: [], inputSources: [], outputSources: [] };
      if (stage) instances.push(stage);
      const first = nodes.length;
      ids.forEach((copyId, k) => {
        // Blocks of blocks multiply: count instances too, since a block may hold no layer of its own.
        if (tooLarge || instances.length >= MAX_INSTANCES) {
          if (!tooLarge) report({ severity: 'error', code: 'block-expansion-too-large', nodeId: topNodeId, path: at(index), message: `The expanded design would have more than ${MAX_INSTANCES} block instances; lower the repeat counts.` });
          tooLarge = true;
          return;
        }
        const copyArgs = { ...resolved, ...(overrides[k] ?? {}) };
        const instance: BlockInstance = { id: copyId, block: node.type, args: copyArgs, parent: stage ? stageId : level.instance?.id, path: at(index), nodeIds: [], inputSources: [], outputSources: [] };
        instances.push(instance);
        const start = nodes.length;
        for (const name of block.inputs) virtualInfo.set(inPort(copyId, name), { what: `The input "${name}" of ${copyId} (${node.type})`, path: at(index), nodeId: topNodeId2 });
        expandLevel(
          {
            nodes: block.nodes,
            edges: block.edges,
            nodesPath: ['blocks', node.type, 'nodes'],
            edgesPath: ['blocks', node.type, 'edges'],
            prefix: `${copyId}.`,
            scope: copyArgs,
            instance: { id: copyId, block: node.type, definition: block, topNodeId: topNodeId2, path: at(index) },
          },
          [...stack, node.type],
        );
        instance.nodeIds = nodes.slice(start).map((n) => n.id);
        if (k > 0) rawEdges.push({ source: outPort(ids[k - 1], block.outputs[0]), target: inPort(copyId, block.inputs[0]), path: at(index) });
      });
      if (stage) stage.nodeIds = nodes.slice(first).map((n) => n.id);
      const firstId = ids[0];
      const lastId = ids[ids.length - 1];
      let nextInput = 0;
      into.set(node.id, (port) => {
        if (port !== undefined) return block.inputs.includes(port) ? inPort(firstId, port) : undefined;
        // Without a port, connections bind to the inputs in the order they are written.
        const name = block.inputs[nextInput++];
        return name === undefined ? undefined : inPort(firstId, name);
      });
      from.set(node.id, (port) => {
        if (port !== undefined) return block.outputs.includes(port) ? outPort(lastId, port) : undefined;
        return block.outputs.length === 1 ? outPort(lastId, block.outputs[0]) : undefined;
      });
    });

    level.edges.forEach((edge, k) => {
      const path: JsonPath = [...level.edgesPath, k];
      const fromEnd = from.get(edge.source);
      const intoEnd = into.get(edge.target);
      if (!level.instance && (!fromEnd || !intoEnd)) {
        // A name that is no node: the analysis of the expanded design reports it, with its guesses.
        rawEdges.push({ source: fromEnd?.(edge.sourcePort, k) ?? edge.source, target: intoEnd?.(edge.targetPort, k) ?? edge.target, path });
        return;
      }
      if (!fromEnd || !intoEnd) return; // reported by the definition check
      const source = fromEnd(edge.sourcePort, k);
      const target = intoEnd(edge.targetPort, k);
      const sourceNode = byId.get(edge.source);
      const targetNode = byId.get(edge.target);
      const sourceBlock = sourceNode && isBlock(sourceNode.type) ? sourceNode.type : undefined;
      const targetBlock = targetNode && isBlock(targetNode.type) ? targetNode.type : undefined;
      if (source === undefined || target === undefined) {
        const blockName = source === undefined ? sourceBlock : targetBlock;
        const ports = blockName ? (source === undefined ? blocks[blockName].outputs : blocks[blockName].inputs) : [];
        const port = source === undefined ? edge.sourcePort : edge.targetPort;
        report({
          severity: 'error',
          code: 'block-port',
          path: port !== undefined ? [...path, source === undefined ? 'sourcePort' : 'targetPort'] : path,
          nodeId: level.instance?.topNodeId,
          message: `${level.instance ? `In ${level.instance.id} (${level.instance.block}): ` : ''}${
            port !== undefined
              ? `${blockName} has no ${source === undefined ? 'output' : 'input'} "${port}"; it has ${ports.map((p) => `"${p}"`).join(', ')}.`
              : source === undefined
                ? `"${edge.source}" (${blockName}) has several outputs (${ports.join(', ')}); say which one with "sourcePort".`
                : `"${edge.target}" (${blockName}) has ${ports.length} input${ports.length === 1 ? '' : 's'} (${ports.join(', ')}) and more connections arrive; remove one, or say which input with "targetPort".`
          }`,
        });
        return;
      }
      for (const [port, isInstance] of [
        [edge.sourcePort, sourceBlock],
        [edge.targetPort, targetBlock],
      ] as const) {
        if (port !== undefined && !isInstance) report({ severity: 'error', code: 'block-port', path, nodeId: level.instance?.topNodeId, message: `${where}"sourcePort" and "targetPort" name the inputs and outputs of block instances; this connection joins layers.` });
      }
      rawEdges.push({ source, target, path });
    });
  };

  expandLevel({ nodes: design.nodes, edges: design.edges, nodesPath: ['nodes'], edgesPath: ['edges'], prefix: '' }, []);

  // Join the levels: a virtual endpoint passes on what its one connection brings.
  const incoming = new Map<string, { source: string; path: JsonPath }[]>();
  // A design too large to expand is an error already; its wiring is not worth following.
  if (tooLarge) rawEdges.length = 0;
  for (const e of rawEdges) if (isVirtual(e.target)) incoming.set(e.target, [...(incoming.get(e.target) ?? []), e]);
  const memo = new Map<string, string | undefined>();
  /** The real layer a virtual endpoint stands for, following the chain once (memoized, without recursion). */
  const resolved = (id: string): string | undefined => {
    const chain: string[] = [];
    const onChain = new Set<string>();
    let current: string | undefined = id;
    while (current !== undefined && isVirtual(current) && !memo.has(current)) {
      if (onChain.has(current)) {
        current = undefined;
        break;
      }
      chain.push(current);
      onChain.add(current);
      const arriving: { source: string; path: JsonPath }[] = incoming.get(current) ?? [];
      const info = virtualInfo.get(current);
      if (arriving.length !== 1 && info && !(info.firstOfSeveral && arriving.length > 1))
        report({
          severity: 'error',
          code: arriving.length === 0 ? 'block-input-unconnected' : 'block-input-overconnected',
          nodeId: info.nodeId,
          path: info.path,
          message: arriving.length === 0 ? `${info.what} has no input; connect one.` : `${info.what} receives ${arriving.length} connections; a block input takes one: put an Add or Concat before it.`,
        });
      current = arriving.length === 0 ? undefined : arriving[0].source;
    }
    const end = current !== undefined && isVirtual(current) ? memo.get(current) : current;
    for (const v of chain) memo.set(v, end);
    return isVirtual(id) ? memo.get(id) : id;
  };
  const edges: DesignEdge[] = [];
  const edgePaths: JsonPath[] = [];
  for (const e of rawEdges) {
    if (isVirtual(e.target)) continue;
    const source = resolved(e.source);
    if (source === undefined) continue;
    edges.push({ source, target: e.target });
    edgePaths.push(e.path);
  }
  // Ports nothing reads still get their message (an input that nothing feeds).
  if (!tooLarge) for (const [id] of virtualInfo) if (id.startsWith('\u0000in\u0000')) resolved(id);
  for (const instance of instances) {
    const block = blocks[instance.block];
    const copies = instance.copies ?? [instance.id];
    instance.inputSources = block.inputs.map((name) => resolvedQuiet(inPort(copies[0], name)));
    instance.outputSources = block.outputs.map((name) => resolvedQuiet(outPort(copies[copies.length - 1], name)));
  }
  function resolvedQuiet(id: string): string {
    return memo.get(id) ?? (incoming.has(id) ? (resolved(id) ?? '') : '');
  }

  const flat: Design = { ...design, nodes, edges };
  delete flat.blocks;
  return { design: flat, origins, instances, edgePaths, topIndex, failed, diagnostics };
}

const describeArgs = (scope: Record<string, unknown>): string =>
  Object.entries(scope)
    .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
    .join(', ') || 'none';

/**
 * The checks of the block definitions themselves, reported once each: names, ports, wiring, "$"
 * names and recursion. Returns the blocks that cannot be expanded.
 */
function checkDefinitions(blocks: Record<string, BlockDefinition>, report: (d: Omit<Diagnostic, 'fixes'> & { fixes?: SuggestedFix[] }) => void): Set<string> {
  const invalid = new Set<string>();
  const names = Object.keys(blocks);
  for (const name of names) {
    const block = blocks[name];
    const path: JsonPath = ['blocks', name];
    const error = (at: JsonPath, code: string, message: string, fixes: SuggestedFix[] = [], fatal = true): void => {
      report({ severity: 'error', code, path: at, message: `Block ${shown(name)}: ${message}`, fixes });
      if (fatal) invalid.add(name);
    };
    if (!BLOCK_NAME.test(name)) error(path, 'invalid-block-name', 'a block name is a letter, then up to 63 letters, digits or "_" (it names a class in exported code).');
    else if (getLayerType(name)) error(path, 'invalid-block-name', `"${name}" is already a layer type; give the block another name.`);
    for (const param of Object.keys(block.params))
      if (!PORT_OR_PARAM_NAME.test(param)) error([...path, 'params', param], 'invalid-block-name', `the parameter name ${shown(param)} must be a letter or "_", then letters, digits or "_".`);
    const ports = [...block.inputs, ...block.outputs];
    ports.forEach((port, i) => {
      const list = i < block.inputs.length ? 'inputs' : 'outputs';
      const at: JsonPath = [...path, list, i < block.inputs.length ? i : i - block.inputs.length];
      if (!PORT_OR_PARAM_NAME.test(port)) error(at, 'invalid-block-name', `the port name ${shown(port)} must be a letter or "_", then letters, digits or "_".`);
      else if (ports.indexOf(port) !== i) error(at, 'invalid-block-name', `"${port}" names two of its inputs and outputs.`);
    });
    if (block.inputs.length === 0) error([...path, 'inputs'], 'block-without-ports', 'a block needs at least one input, e.g. "inputs": ["x"].');
    if (block.outputs.length === 0) error([...path, 'outputs'], 'block-without-ports', 'a block needs at least one output, e.g. "outputs": ["out"].');
    const nodeIds = new Set(block.nodes.map((n) => n.id));
    block.nodes.forEach((node, index) => {
      const at: JsonPath = [...path, 'nodes', index];
      if (node.type === 'Input') error([...at, 'type'], 'input-in-block', 'an Input layer cannot sit inside a block; connect the block\'s inputs instead.');
      else if (!getLayerType(node.type) && !own(blocks, node.type)) {
        const meant = closestName(node.type, [...names, ...LAYER_TYPE_NAMES]);
        error([...at, 'type'], 'unknown-layer-type', `${shown(node.type)} is neither a layer type nor a block.${meant ? ` Did you mean "${meant}"?` : ''}`, meant ? [{ title: `Change the type to ${meant}` }] : []);
      }
      for (const [key, value] of Object.entries({ ...node.params, ...(node.when !== undefined ? { when: node.when } : {}), ...(node.repeat !== undefined ? { repeat: node.repeat } : {}) })) {
        for (const text of stringsIn(value)) {
          if (!isExpression(text)) continue;
          for (const ref of referencedNames(text)) {
            if (own(block.params, ref)) continue;
            const meant = closestName(ref, Object.keys(block.params));
            error(
              key === 'when' || key === 'repeat' ? [...at, key] : [...at, 'params', key],
              'unknown-block-parameter',
              `"$${ref}" in ${JSON.stringify(text)} is not a parameter of the block.${meant ? ` Did you mean "$${meant}"?` : ''} Declare it in "params" or use one of: ${Object.keys(block.params).join(', ') || 'none'}.`,
              meant ? [{ title: `Use "$${meant}"` }] : [{ title: `Declare "${ref}" in the block's "params"` }],
            );
          }
          const trial = evaluateExpression(text, Object.fromEntries(Object.keys(block.params).map((p) => [p, 1])));
          if (!trial.ok && /cannot appear|ends too early|missing|cannot start|more after/.test(trial.error))
            error(key === 'when' || key === 'repeat' ? [...at, key] : [...at, 'params', key], 'bad-block-expression', `${JSON.stringify(text)} is not an expression: ${trial.error}.`);
        }
      }
    });
    const sources = new Set([...block.inputs, ...nodeIds]);
    const targets = new Set([...block.outputs, ...nodeIds]);
    const feeding = new Map<string, number>();
    block.edges.forEach((edge, k) => {
      const at: JsonPath = [...path, 'edges', k];
      const bad = [!sources.has(edge.source) ? edge.source : undefined, !targets.has(edge.target) ? edge.target : undefined].filter((x): x is string => x !== undefined);
      if (bad.length) {
        const guess = (typed: string, known: Set<string>): string => {
          const meant = closestName(typed, known);
          return meant ? ` Did you mean "${meant}"?` : '';
        };
        const sourceProblem = !sources.has(edge.source) ? ` ${shown(edge.source)} is not a node or an input of the block.${guess(edge.source, sources)}` : '';
        const targetProblem = !targets.has(edge.target) ? ` ${shown(edge.target)} is not a node or an output of the block.${guess(edge.target, targets)}` : '';
        error(at, 'dangling-edge', `a connection cannot be made:${sourceProblem}${targetProblem}`, [{ title: 'Remove this connection, or correct the name' }]);
      }
      if (block.outputs.includes(edge.target)) feeding.set(edge.target, (feeding.get(edge.target) ?? 0) + 1);
    });
    block.outputs.forEach((output, i) => {
      const n = feeding.get(output) ?? 0;
      if (n !== 1)
        error([...path, 'outputs', i], n === 0 ? 'block-output-unconnected' : 'block-output-overconnected', n === 0 ? `its output "${output}" receives no connection; add an edge {"source": "<node>", "target": "${output}"}.` : `its output "${output}" receives ${n} connections; an output takes one.`);
    });
  }
  // Recursion: a block that uses itself, directly or through others, would never end.
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    state.set(name, 'open');
    blocks[name].nodes.forEach((node, index) => {
      if (!own(blocks, node.type)) return;
      if (state.get(node.type) === 'open') {
        const start = trail.indexOf(node.type);
        const cycle = [...(start >= 0 ? trail.slice(start) : []), name, node.type];
        report({
          severity: 'error',
          code: 'block-recursion',
          path: ['blocks', name, 'nodes', index, 'type'],
          message: `Block "${name}" uses ${node.type === name ? 'itself' : `"${node.type}", which uses it again`} (${cycle.join(' → ')}), so it would never end; a block may use other blocks, not itself.`,
          fixes: [{ title: `Replace the "${node.id}" node by the layers it should contain` }],
        });
        for (const b of cycle) invalid.add(b);
        return;
      }
      if (!state.has(node.type)) visit(node.type, [...trail, name]);
    });
    state.set(name, 'done');
  };
  for (const name of names) if (!state.has(name)) visit(name, []);
  return invalid;
}

/** Every string inside a parameter value. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}
