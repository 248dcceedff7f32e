import type { FixEdit } from '../analysis/diagnostic';
import type { BlockDefinition, Design, DesignEdge, DesignNode, Position } from '../design';
import { nodeIdProblem, safeNodeId } from '../format/nodeIdProblem';
import { getLayerType } from '../layers/layerCatalog';
import { defaultParams } from './defaultParams';
import type { EditIntention, StructureIntention } from './editIntention';
import { layeredPositions } from './layeredPositions';
import { makeBlockFromSelection } from './makeBlockFromSelection';
import { MAX_REPEAT } from '../blocks/expandBlocks';
import { uniqueNodeId } from './uniqueNodeId';

export type IntentionResult =
  /** `changed` is false when the intention leaves the design as it was (the editor then writes nothing). */
  | { ok: true; design: Design; changed: boolean; createdIds: string[] }
  /** The intention does not fit this design (a stale message, a loop...); `reason` says why, for the user. */
  | { ok: false; reason: string };

/** Positions are stored as whole pixels, so a drag changes a short, stable line of the file. */
const roundPosition = (p: Position): Position => ({ x: Math.round(p.x), y: Math.round(p.y) });

const sameEdge = (a: { source: string; target: string }, b: { source: string; target: string }): boolean => a.source === b.source && a.target === b.target;

/** True when `to` can already reach `from`, so an edge from → to would close a loop. */
function reaches(edges: readonly DesignEdge[], from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const e of edges) (next.get(e.source) ?? next.set(e.source, []).get(e.source)!).push(e.target);
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    for (const t of next.get(id) ?? []) if (!seen.has(t)) (seen.add(t), stack.push(t));
  }
  return false;
}

const jsonEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Applies one editor intention to a design and returns the new design; the input is never
 * mutated. The same function serves the extension host (which writes the result to the document)
 * and the webview (which previews a change before sending it).
 */
export function applyIntention(design: Design, intention: EditIntention): IntentionResult {
  if (isStructureIntention(intention) && intention.block !== undefined) return applyInsideBlock(design, intention.block, intention);
  const ids = new Set(design.nodes.map((n) => n.id));
  const fail = (reason: string): IntentionResult => ({ ok: false, reason });
  const done = (next: Design, createdIds: string[] = []): IntentionResult => ({ ok: true, design: next, changed: !jsonEqual(next, design), createdIds });
  const withNodes = (nodes: DesignNode[], edges: DesignEdge[] = design.edges): Design => ({ ...design, nodes, edges });
  const missing = (id: string): string => `There is no layer "${id}" in this design (it may have just been deleted).`;

  switch (intention.kind) {
    case 'addLayer': {
      const layer = getLayerType(intention.layerType);
      if (!layer) return fail(`"${intention.layerType}" is not a layer type.`);
      if (intention.connectFrom !== undefined && !ids.has(intention.connectFrom)) return fail(missing(intention.connectFrom));
      const id = uniqueNodeId(layer.type, ids);
      const node: DesignNode = { id, type: layer.type, params: { ...defaultParams(layer.type), ...(intention.params ?? {}) }, position: roundPosition(intention.position) };
      const edges = intention.connectFrom !== undefined && layer.inputs.max > 0 ? [...design.edges, { source: intention.connectFrom, target: id }] : design.edges;
      return done(withNodes([...design.nodes, node], edges), [id]);
    }
    case 'connect': {
      const { source, target } = intention;
      if (!ids.has(source)) return fail(missing(source));
      if (!ids.has(target)) return fail(missing(target));
      if (source === target) return fail('A layer cannot feed itself.');
      if (design.edges.some((e) => sameEdge(e, intention))) return done(design);
      const targetNode = design.nodes.find((n) => n.id === target)!;
      const layer = getLayerType(targetNode.type);
      if (layer && layer.inputs.max === 0) return fail(`${layer.label} "${target}" starts the network and takes no input.`);
      if (reaches(design.edges, target, source)) return fail(`Connecting ${source} → ${target} would form a loop; a CNN must be a graph without cycles.`);
      // A single-input layer gets its input replaced, which is what dropping a new wire on it means.
      const kept = layer && layer.inputs.max === 1 ? design.edges.filter((e) => e.target !== target) : design.edges;
      return done(withNodes(design.nodes, [...kept, { source, target }]));
    }
    case 'disconnect':
      return done(withNodes(design.nodes, design.edges.filter((e) => !sameEdge(e, intention))));
    case 'delete': {
      const gone = new Set(intention.nodeIds.filter((id) => ids.has(id)));
      const nodes = design.nodes.filter((n) => !gone.has(n.id));
      const edges = design.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target) && !intention.edges.some((d) => sameEdge(d, e)));
      return done(withNodes(nodes, edges));
    }
    case 'move': {
      const unknown = Object.keys(intention.positions).filter((id) => !ids.has(id));
      if (unknown.length) return fail(missing(unknown[0]));
      const nodes = design.nodes.map((n) =>
        Object.prototype.hasOwnProperty.call(intention.positions, n.id) ? { ...n, position: roundPosition(intention.positions[n.id]) } : n,
      );
      return done(withNodes(nodes));
    }
    case 'setParams': {
      if (!ids.has(intention.nodeId)) return fail(missing(intention.nodeId));
      const nodes = design.nodes.map((n) => (n.id === intention.nodeId ? { ...n, params: withParams(n.params, intention.params) } : n));
      return done(withNodes(nodes));
    }
    case 'rename': {
      const { nodeId, name, newId } = intention;
      if (!ids.has(nodeId)) return fail(missing(nodeId));
      if (newId !== undefined && newId !== nodeId) {
        const problem = nodeIdProblem(newId);
        if (problem) return fail(problem);
        if (ids.has(newId)) return fail(`Another layer already has the id "${newId}".`);
      }
      const finalId = newId ?? nodeId;
      const nodes = design.nodes.map((n) => {
        if (n.id !== nodeId) return n;
        const renamed: DesignNode = { ...n, id: finalId };
        if (name !== undefined) {
          if (name === '') delete renamed.name;
          else renamed.name = name;
        }
        return renamed;
      });
      const edges = finalId === nodeId ? design.edges : design.edges.map((e) => ({ ...e, source: e.source === nodeId ? finalId : e.source, target: e.target === nodeId ? finalId : e.target }));
      return done(withNodes(nodes, edges));
    }
    case 'paste': {
      const { fragment } = intention;
      if (fragment.nodes.length === 0) return done(design);
      const taken = new Set(ids);
      const rename = new Map<string, string>();
      for (const n of fragment.nodes) {
        const copyId = taken.has(n.id) ? uniqueNodeId(n.id, taken, 'copy') : n.id;
        // A pasted fragment is untrusted text: its ids follow the id rule like any other.
        const id = nodeIdProblem(copyId) ? safeNodeId(copyId, taken) : copyId;
        taken.add(id);
        rename.set(n.id, id);
      }
      const placed = layeredPositions({ ...design, nodes: fragment.nodes, edges: fragment.edges });
      const minX = Math.min(...fragment.nodes.map((n) => placed[n.id].x));
      const minY = Math.min(...fragment.nodes.map((n) => placed[n.id].y));
      const pasted = fragment.nodes.map((n) => ({
        ...n,
        id: rename.get(n.id)!,
        params: { ...n.params },
        position: roundPosition({ x: placed[n.id].x - minX + intention.position.x, y: placed[n.id].y - minY + intention.position.y }),
      }));
      const edges = fragment.edges.filter((e) => rename.has(e.source) && rename.has(e.target)).map((e) => ({ source: rename.get(e.source)!, target: rename.get(e.target)! }));
      return done(withNodes([...design.nodes, ...pasted], [...design.edges, ...edges]), pasted.map((n) => n.id));
    }
    case 'applyFix':
      return applyFix(design, intention.edit);
    case 'makeBlock': {
      const made = makeBlockFromSelection(design, intention.nodeIds, { blockName: intention.blockName });
      return made.ok ? done(made.design, [made.instanceId]) : fail(made.reason);
    }
    case 'setRepeat': {
      const node = design.nodes.find((n) => n.id === intention.nodeId);
      if (!node) return fail(missing(intention.nodeId));
      const block = blockOf(design, node.type);
      if (!block) return fail(`"${node.id}" is not a block instance; only an instance of a block can repeat.`);
      const { repeat } = intention;
      if (repeat !== null) {
        if (!Number.isInteger(repeat) || repeat < 1 || repeat > MAX_REPEAT) return fail(`Repeat must be a whole number from 1 to ${MAX_REPEAT}.`);
        if (repeat > 1 && (block.inputs.length !== 1 || block.outputs.length !== 1))
          return fail(`${node.type} has ${block.inputs.length} inputs and ${block.outputs.length} outputs; only a block with one input and one output can repeat.`);
      }
      const nodes = design.nodes.map((n) => {
        if (n.id !== node.id) return n;
        const next: DesignNode = { ...n };
        // One copy is what no `repeat` means: the field goes rather than reading "repeat": 1.
        if (repeat === null || (repeat === 1 && n.overrides === undefined)) delete next.repeat;
        else next.repeat = repeat;
        return next;
      });
      return done(withNodes(nodes));
    }
    case 'setBlockNodeParams': {
      const block = blockOf(design, intention.block);
      if (!block) return fail(`There is no block "${intention.block}" in this design.`);
      if (!block.nodes.some((n) => n.id === intention.nodeId)) return fail(`Block ${intention.block} has no layer "${intention.nodeId}".`);
      const nodes = block.nodes.map((n) => (n.id === intention.nodeId ? { ...n, params: withParams(n.params, intention.params) } : n));
      return done({ ...design, blocks: { ...design.blocks, [intention.block]: { ...block, nodes } } });
    }
  }
}

const isStructureIntention = (intention: EditIntention): intention is StructureIntention =>
  intention.kind === 'addLayer' || intention.kind === 'connect' || intention.kind === 'disconnect' || intention.kind === 'delete' || intention.kind === 'move';

/** Stands for a block's output port in the design a block's edit runs on: a type no layer has, so it takes any input. */
const OUTPUT_PORT_TYPE = '#output';

/**
 * A structure edit inside the definition of `blockName`: the same edit the design's own layers get,
 * run on a design whose node list is the block's (its input ports stand in as Input layers, its
 * output ports as nodes that take one input), and written back into that block only.
 */
function applyInsideBlock(design: Design, blockName: string, intention: StructureIntention): IntentionResult {
  const block = blockOf(design, blockName);
  if (!block) {
    const imported = design.blockImports && Object.prototype.hasOwnProperty.call(design.blockImports, blockName);
    return { ok: false, reason: imported ? `Block ${blockName} is defined in ${design.blockImports![blockName].from}; edit it there.` : `There is no block "${blockName}" in this design.` };
  }
  const ports = new Set([...block.inputs, ...block.outputs]);
  const portNodes: DesignNode[] = [
    ...block.inputs.map((id): DesignNode => ({ id, type: 'Input', params: {} })),
    ...block.outputs.map((id): DesignNode => ({ id, type: OUTPUT_PORT_TYPE, params: {} })),
  ];
  let edges = block.edges;
  let scoped: StructureIntention = { ...intention };
  delete scoped.block;
  const fromOutput = scoped.kind === 'addLayer' ? scoped.connectFrom : scoped.kind === 'connect' ? scoped.source : undefined;
  if (fromOutput !== undefined && block.outputs.includes(fromOutput)) return { ok: false, reason: `${fromOutput} is an output of block ${blockName}; nothing inside the block can take input from it.` };
  if (scoped.kind === 'delete') {
    const portIds = scoped.nodeIds.filter((id) => ports.has(id));
    if (portIds.length) return { ok: false, reason: `${portIds[0]} is a port of block ${blockName}; the block's inputs and outputs stay.` };
  } else if (scoped.kind === 'move') {
    scoped = { ...scoped, positions: Object.fromEntries(Object.entries(scoped.positions).filter(([id]) => !ports.has(id))) };
  } else if (scoped.kind === 'connect' && block.outputs.includes(scoped.target)) {
    // An output port passes on exactly one tensor: a new wire into it replaces the old one.
    const { source, target } = scoped;
    if (!block.edges.some((e) => e.source === source && e.target === target)) edges = block.edges.filter((e) => e.target !== target);
  }
  const inner: Design = { ...design, nodes: [...portNodes, ...block.nodes], edges };
  const result = applyIntention(inner, scoped);
  if (!result.ok) return result;
  const nodes = result.design.nodes.filter((n) => !ports.has(n.id));
  const next: BlockDefinition = { ...block, nodes, edges: result.design.edges };
  const edited: Design = { ...design, blocks: { ...design.blocks, [blockName]: next } };
  return { ok: true, design: edited, changed: !jsonEqual(edited, design), createdIds: result.createdIds };
}

const blockOf = (design: Design, name: string): BlockDefinition | undefined =>
  design.blocks && Object.prototype.hasOwnProperty.call(design.blocks, name) ? design.blocks[name] : undefined;

/** `params` with `changes` applied: a null (or undefined) value removes the parameter so its default applies. */
function withParams(params: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const next: Record<string, unknown> = { ...params };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined) delete next[key];
    else next[key] = value;
  }
  return next;
}

function applyFix(design: Design, edit: FixEdit): IntentionResult {
  switch (edit.kind) {
    case 'combined': {
      let current = design;
      const createdIds: string[] = [];
      for (const part of edit.edits) {
        const result = applyFix(current, part);
        if (!result.ok) return result;
        current = result.design;
        createdIds.push(...result.createdIds);
      }
      return { ok: true, design: current, changed: !jsonEqual(current, design), createdIds };
    }
    case 'setParams':
      return applyIntention(design, { kind: 'setParams', nodeId: edit.nodeId, params: edit.params });
    case 'removeEdge':
      return applyIntention(design, { kind: 'disconnect', source: edit.source, target: edit.target });
    case 'addEdge':
      return applyIntention(design, { kind: 'connect', source: edit.source, target: edit.target });
    case 'removeNode':
      return applyIntention(design, { kind: 'delete', nodeIds: [edit.nodeId], edges: [] });
    case 'renameNode':
      return applyIntention(design, { kind: 'rename', nodeId: edit.nodeId, newId: edit.newId });
    case 'reconnectEdge': {
      const { newSource, newTarget } = edit;
      const ids = new Set(design.nodes.map((n) => n.id));
      const unknown = [newSource, newTarget].find((id) => !ids.has(id));
      if (unknown !== undefined) return { ok: false, reason: `There is no layer "${unknown}" in this design.` };
      if (!design.edges.some((e) => sameEdge(e, edit))) return { ok: false, reason: `There is no connection ${edit.source} → ${edit.target} to change.` };
      const replacement = { source: newSource, target: newTarget };
      if (design.edges.some((e) => sameEdge(e, replacement))) return { ok: false, reason: `${newSource} → ${newTarget} is already connected.` };
      if (newSource === newTarget || reaches(design.edges, newTarget, newSource)) return { ok: false, reason: `${newSource} → ${newTarget} would close a loop.` };
      // In place, so the target's input order (which matters for Concat) stays.
      const edges = design.edges.map((e) => (sameEdge(e, edit) ? replacement : e));
      return { ok: true, design: { ...design, edges }, changed: true, createdIds: [] };
    }
    case 'insertLayer': {
      const { source, target, layer } = edit;
      const type = getLayerType(layer.type);
      if (!type) return { ok: false, reason: `"${layer.type}" is not a layer type.` };
      if (!design.edges.some((e) => sameEdge(e, edit))) return { ok: false, reason: `There is no connection ${source} → ${target} to insert into.` };
      const ids = new Set(design.nodes.map((n) => n.id));
      const id = uniqueNodeId(type.type, ids);
      const at = layeredPositions(design);
      const position = at[source] && at[target] ? roundPosition({ x: (at[source].x + at[target].x) / 2 + 40, y: (at[source].y + at[target].y) / 2 }) : undefined;
      const node: DesignNode = { id, type: type.type, params: { ...layer.params } };
      if (position) node.position = position;
      // Keep the target's input order, which matters for Concat.
      const edges = design.edges.flatMap((e) => (sameEdge(e, edit) ? [{ source, target: id }, { source: id, target }] : [e]));
      const next: Design = { ...design, nodes: [...design.nodes, node], edges };
      return { ok: true, design: next, changed: true, createdIds: [id] };
    }
  }
}
