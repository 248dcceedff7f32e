import type { BlockDefinition, Design, DesignEdge, DesignNode, Position } from '../design';
import { getLayerType } from '../layers/layerCatalog';
import { layeredPositions } from './layeredPositions';
import { uniqueNodeId } from './uniqueNodeId';

export type MadeBlock =
  | { ok: true; design: Design; blockName: string; instanceId: string }
  | { ok: false; reason: string };

const BLOCK_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** `Block`, `Block2`, `Block3`…: the first that names neither a block of the design nor a layer type. */
function freeBlockName(design: Design, wanted: string | undefined): string {
  const taken = (name: string): boolean => (design.blocks !== undefined && Object.prototype.hasOwnProperty.call(design.blocks, name)) || getLayerType(name) !== undefined;
  const base = wanted ?? 'Block';
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}${i}`)) return `${base}${i}`;
}

/** Port names `stem` (one port) or `stem0`, `stem1`… that no node of the block uses as its id. */
function portNames(count: number, stem: string, nodeIds: ReadonlySet<string>): string[] {
  const names: string[] = [];
  let suffix = '';
  while ([...Array(count).keys()].some((i) => nodeIds.has(`${stem}${suffix}${count === 1 ? '' : i}`))) suffix += '_';
  for (let i = 0; i < count; i++) names.push(`${stem}${suffix}${count === 1 ? '' : i}`);
  return names;
}

/** One end of a connection: a node and, for an instance with several outputs, which one. */
const endKey = (id: string, port: string | undefined): string => JSON.stringify([id, port ?? null]);

/**
 * Turns the selected layers into a block: a new block definition holding them, and one instance of
 * it where they were, so the expanded design computes what the selection did. The block's inputs
 * are the outside outputs that feed the selection (in the order their connections are written),
 * its outputs the selected layers read from outside or read by no one (the model's outputs); every
 * connection keeps its place in the list, so multi-input layers (Concat) keep their input order.
 *
 * Refused when the selection holds an Input, takes no input from outside, or when a path leaves
 * the selection and comes back into it (the instance would feed itself).
 */
export function makeBlockFromSelection(design: Design, nodeIds: readonly string[], options: { blockName?: string } = {}): MadeBlock {
  const fail = (reason: string): MadeBlock => ({ ok: false, reason });
  const selected = new Set(nodeIds);
  const known = new Set(design.nodes.map((n) => n.id));
  const unknown = nodeIds.find((id) => !known.has(id));
  if (unknown !== undefined) return fail(`There is no layer "${unknown}" in this design (it may have just been deleted).`);
  if (selected.size === 0) return fail('Select the layers to make a block of first.');
  if (options.blockName !== undefined && !BLOCK_NAME.test(options.blockName)) return fail(`"${options.blockName}" cannot name a block: a letter, then letters, digits or "_".`);
  const inside = design.nodes.filter((n) => selected.has(n.id));
  const input = inside.find((n) => n.type === 'Input');
  if (input) return fail(`"${input.id}" is an Input: a block takes its input from the design, so leave the Input out of the selection.`);

  // A path out of the selection and back in would make the instance feed itself.
  const consumers = new Map<string, string[]>();
  for (const e of design.edges) (consumers.get(e.source) ?? consumers.set(e.source, []).get(e.source)!).push(e.target);
  const outsideReached = new Set<string>();
  const stack = design.edges.filter((e) => selected.has(e.source) && !selected.has(e.target)).map((e) => e.target);
  while (stack.length) {
    const id = stack.pop()!;
    if (outsideReached.has(id)) continue;
    outsideReached.add(id);
    for (const next of consumers.get(id) ?? []) {
      if (selected.has(next)) return fail(`"${id}" lies on a path that leaves the selection and comes back into it; select it too, or fewer layers.`);
      stack.push(next);
    }
  }

  // The block's inputs: each outside output feeding the selection, once, in the order of the edges.
  const inputKeys: string[] = [];
  const outputKeys: string[] = [];
  const outputOf = new Map<string, { id: string; port?: string }>();
  for (const e of design.edges) {
    if (!selected.has(e.source) && selected.has(e.target) && !inputKeys.includes(endKey(e.source, e.sourcePort))) inputKeys.push(endKey(e.source, e.sourcePort));
    if (selected.has(e.source) && !selected.has(e.target) && !outputOf.has(endKey(e.source, e.sourcePort))) {
      outputKeys.push(endKey(e.source, e.sourcePort));
      outputOf.set(endKey(e.source, e.sourcePort), { id: e.source, port: e.sourcePort });
    }
  }
  if (inputKeys.length === 0) return fail('The selected layers take no input from the rest of the design; a block needs at least one input.');
  // Selected layers nothing reads are outputs of the model: they stay outputs, through the block.
  const read = new Set(design.edges.map((e) => e.source));
  for (const n of inside)
    if (!read.has(n.id)) {
      outputKeys.push(endKey(n.id, undefined));
      outputOf.set(endKey(n.id, undefined), { id: n.id });
    }

  const innerIds = new Set(inside.map((n) => n.id));
  const inputs = portNames(inputKeys.length, 'x', innerIds);
  const outputs = portNames(outputKeys.length, 'out', innerIds);
  const inputName = new Map(inputKeys.map((k, i) => [k, inputs[i]]));
  const outputName = new Map(outputKeys.map((k, i) => [k, outputs[i]]));

  const blockEdges: DesignEdge[] = [];
  for (const e of design.edges) {
    if (!selected.has(e.target)) continue;
    const edge: DesignEdge = selected.has(e.source) ? { ...e } : { ...e, source: inputName.get(endKey(e.source, e.sourcePort))! };
    if (!selected.has(e.source)) delete edge.sourcePort;
    blockEdges.push(edge);
  }
  for (const key of outputKeys) {
    const from = outputOf.get(key)!;
    blockEdges.push(from.port === undefined ? { source: from.id, target: outputName.get(key)! } : { source: from.id, target: outputName.get(key)!, sourcePort: from.port });
  }

  const blockName = freeBlockName(design, options.blockName);
  const instanceId = uniqueNodeId(blockName, known);
  const block: BlockDefinition = { params: {}, inputs, outputs, nodes: inside.map((n) => ({ ...n })), edges: blockEdges };
  const instance: DesignNode = { id: instanceId, type: blockName, params: {} };
  // Where the user placed the layers, the instance goes (their top-left corner); unplaced layers leave it unplaced too.
  if (inside.some((n) => n.position)) {
    const at = layeredPositions(design);
    const corner: Position = { x: Math.round(Math.min(...inside.map((n) => at[n.id].x))), y: Math.round(Math.min(...inside.map((n) => at[n.id].y))) };
    instance.position = corner;
  }

  // The design's edges, each in its place: into the selection once per input, out of it per reader.
  const edges: DesignEdge[] = [];
  const wiredInputs = new Set<string>();
  for (const e of design.edges) {
    const fromInside = selected.has(e.source);
    const toInside = selected.has(e.target);
    if (fromInside && toInside) continue;
    if (!fromInside && !toInside) {
      edges.push(e);
      continue;
    }
    if (toInside) {
      const key = endKey(e.source, e.sourcePort);
      if (wiredInputs.has(key)) continue;
      wiredInputs.add(key);
      const edge: DesignEdge = { source: e.source, target: instanceId };
      if (e.sourcePort !== undefined) edge.sourcePort = e.sourcePort;
      if (inputs.length > 1) edge.targetPort = inputName.get(key)!;
      edges.push(edge);
      continue;
    }
    const edge: DesignEdge = { source: instanceId, target: e.target };
    if (outputs.length > 1) edge.sourcePort = outputName.get(endKey(e.source, e.sourcePort))!;
    if (e.targetPort !== undefined) edge.targetPort = e.targetPort;
    edges.push(edge);
  }

  // The instance takes the place of the first selected node, so the list still reads in order.
  const first = design.nodes.findIndex((n) => selected.has(n.id));
  const nodes = design.nodes.flatMap((n, i) => (i === first ? [instance] : selected.has(n.id) ? [] : [n]));
  return { ok: true, design: { ...design, nodes, edges, blocks: { ...(design.blocks ?? {}), [blockName]: block } }, blockName, instanceId };
}
