import type { Design } from '../design';
import { getLayerType } from '../layers/layerCatalog';

/** A connection as declared: from the node producing a tensor to the node reading it. */
export interface GraphEdge {
  source: string;
  target: string;
}

/** A declared connection with its place in the declared list (the design's `edges` array). */
export interface IndexedEdge extends GraphEdge {
  index: number;
}

const NONE: readonly string[] = Object.freeze([]);

/** Whether `list` holds `value` among its first `count` entries. */
function includesBefore(list: readonly string[], value: string, count: number): boolean {
  for (let i = 0; i < count; i++) if (list[i] === value) return true;
  return false;
}

/**
 * The one model of a design's wiring that every part of the product reads: which nodes exist,
 * the connections that count (both ends known, each pair once), each node's inputs in declared
 * order and its consumers, a topological order, the graph's inputs and outputs and the cycles.
 * The analysis builds it once per run and hands it on as `analysis.graph`; exporters, the TF.js
 * compiler, the summary, the layout and the canvas read it instead of walking `edges` themselves.
 *
 * Built in time linear in nodes and edges, and immutable afterwards.
 */
export class DesignGraph {
  /** Node ids in declared order, each once (a repeated id counts where it first appears). */
  readonly ids: readonly string[];
  /** The connections that count, in declared order: both ends are nodes, and a repeated pair counts once. */
  readonly edges: readonly GraphEdge[];
  /** Connections naming an id that is not a node, with the ids missing. */
  readonly danglingEdges: readonly { edge: IndexedEdge; missing: string[] }[];
  /** Second and later declarations of a pair already connected. */
  readonly duplicateEdges: readonly IndexedEdge[];
  /**
   * Node ids where every node comes after its inputs (Kahn's order: ready nodes in declared order,
   * breadth-first). Nodes on a cycle, or downstream of one, are left out and listed in `cyclic`.
   */
  readonly order: readonly string[];
  /** Nodes left out of `order` because they sit on or behind a cycle, in declared order. */
  readonly cyclic: readonly string[];
  /** The graph's inputs: nodes that start the network (Input layers), in declared order. */
  readonly inputIds: readonly string[];
  /** The graph's outputs: ordered nodes nothing reads, other than inputs, in topological order. */
  readonly outputIds: readonly string[];

  private readonly position: Map<string, number>;
  /** Inputs and consumers by the node's declared position (arrays, not maps: built on every keystroke). */
  private readonly inputsAt: (string[] | undefined)[];
  private readonly consumersAt: (string[] | undefined)[];

  private constructor(ids: readonly string[], edges: readonly GraphEdge[], isGraphInput?: (id: string) => boolean) {
    const position = new Map<string, number>();
    const firstIds: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (position.has(id)) continue;
      position.set(id, i);
      firstIds.push(id);
    }
    const kept: GraphEdge[] = [];
    const dangling: { edge: IndexedEdge; missing: string[] }[] = [];
    const duplicates: IndexedEdge[] = [];
    const inputsAt: (string[] | undefined)[] = new Array(ids.length).fill(undefined);
    const consumersAt: (string[] | undefined)[] = new Array(ids.length).fill(undefined);
    // Each list is allocated at its final size (a push beyond a list's size reserves room for 16
    // more, and this runs on every keystroke): count first, then fill.
    const inCount = new Int32Array(ids.length);
    const outCount = new Int32Array(ids.length);
    const inFilled = new Int32Array(ids.length);
    const outFilled = new Int32Array(ids.length);
    for (let index = 0; index < edges.length; index++) {
      const source = position.get(edges[index].source);
      const target = position.get(edges[index].target);
      if (source === undefined || target === undefined) continue;
      inCount[target]++;
      outCount[source]++;
    }
    // Inputs per node are few, so a repeated pair is found in the target's list; a node with very
    // many inputs gets a set, so the build stays linear.
    let manyInputs: Map<number, Set<string>> | undefined;
    for (let index = 0; index < edges.length; index++) {
      const e = edges[index];
      const source = position.get(e.source);
      const target = position.get(e.target);
      if (source === undefined || target === undefined) {
        dangling.push({ edge: { source: e.source, target: e.target, index }, missing: [...(source !== undefined ? [] : [e.source]), ...(target !== undefined ? [] : [e.target])] });
        continue;
      }
      let ins = inputsAt[target];
      const filled = inFilled[target];
      if (ins && (filled < 16 ? includesBefore(ins, e.source, filled) : manyInputs?.get(target)?.has(e.source))) {
        duplicates.push({ source: e.source, target: e.target, index });
        continue;
      }
      kept.push(e);
      if (!ins) ins = inputsAt[target] = new Array<string>(inCount[target]);
      ins[filled] = e.source;
      inFilled[target] = filled + 1;
      if (filled + 1 >= 16) {
        manyInputs ??= new Map();
        const set = manyInputs.get(target);
        if (set) set.add(e.source);
        else manyInputs.set(target, new Set(ins.slice(0, filled + 1)));
      }
      const outs = (consumersAt[source] ??= new Array<string>(outCount[source]));
      outs[outFilled[source]++] = e.target;
    }
    // A repeated connection was counted but not kept: its lists end short.
    if (duplicates.length) {
      for (let at = 0; at < ids.length; at++) {
        if (inputsAt[at]) inputsAt[at]!.length = inFilled[at];
        if (consumersAt[at]) consumersAt[at]!.length = outFilled[at];
      }
    }

    // Kahn's algorithm; whatever is never ready sits on or behind a cycle.
    const waiting = new Int32Array(ids.length);
    const order: string[] = [];
    for (const id of firstIds) {
      const at = position.get(id)!;
      const count = inputsAt[at]?.length ?? 0;
      if (count === 0) order.push(id);
      else waiting[at] = count;
    }
    for (let head = 0; head < order.length; head++) {
      const outs = consumersAt[position.get(order[head])!];
      if (!outs) continue;
      for (const t of outs) {
        const at = position.get(t)!;
        if (--waiting[at] === 0) order.push(t);
      }
    }
    const cyclic = order.length < firstIds.length ? firstIds.filter((id) => waiting[position.get(id)!] > 0) : [];

    this.ids = firstIds;
    this.edges = kept;
    this.danglingEdges = dangling;
    this.duplicateEdges = duplicates;
    this.order = order;
    this.cyclic = cyclic;
    this.position = position;
    this.inputsAt = inputsAt;
    this.consumersAt = consumersAt;
    const isInput = isGraphInput ?? ((id: string) => !inputsAt[position.get(id)!]);
    this.inputIds = ids.filter(isInput);
    this.outputIds = order.filter((id) => !consumersAt[position.get(id)!] && !isInput(id));
  }

  /**
   * The graph of any list of node ids and connections (e.g. the layers of an imported model).
   * Its inputs are the nodes `isGraphInput` names, by default those without inputs.
   */
  static of(ids: readonly string[], edges: readonly GraphEdge[], isGraphInput?: (id: string) => boolean): DesignGraph {
    return new DesignGraph(ids, edges, isGraphInput);
  }

  /** The graph of a design: its inputs are the nodes whose layer type takes no input (Input). */
  static fromDesign(design: Design): DesignGraph {
    const ids: string[] = new Array(design.nodes.length);
    const inputs = new Set<string>();
    for (let i = 0; i < design.nodes.length; i++) {
      const node = design.nodes[i];
      ids[i] = node.id;
      if (getLayerType(node.type)?.inputs.max === 0) inputs.add(node.id);
    }
    return new DesignGraph(ids, design.edges, (id) => inputs.has(id));
  }

  /** Whether `id` is a node. */
  has(id: string): boolean {
    return this.position.has(id);
  }

  /** Where the node `id` is declared (its index in the design's `nodes`), or -1. */
  indexOf(id: string): number {
    return this.position.get(id) ?? -1;
  }

  /** The nodes feeding `id`, in the order their connections are declared: a merge's operands in order. */
  inputs(id: string): readonly string[] {
    const at = this.position.get(id);
    return (at !== undefined && this.inputsAt[at]) || NONE;
  }

  /** The nodes reading `id`'s output, in declared order. */
  consumers(id: string): readonly string[] {
    const at = this.position.get(id);
    return (at !== undefined && this.consumersAt[at]) || NONE;
  }

  /** How many inputs `id` has: 0 for a graph input, 1 for most layers, 2 or more for a merge. */
  arity(id: string): number {
    return this.inputs(id).length;
  }

  /** True when every node is in `order`. */
  get acyclic(): boolean {
    return this.cyclic.length === 0;
  }

  /**
   * One cycle, as node ids along its connections (the last one connects back to the first), or
   * [] when the graph has none.
   */
  findCycle(): string[] {
    if (this.cyclic.length === 0) return [];
    // Peel off the stuck nodes that lead into no other stuck node (they sit behind a cycle, not on
    // one); every node left then has a successor left, so a walk from any of them must close a loop.
    const onLoop = new Set(this.cyclic);
    const leadsTo = new Map<string, number>();
    const peel: string[] = [];
    for (const id of this.cyclic) {
      const count = this.consumers(id).filter((t) => onLoop.has(t)).length;
      leadsTo.set(id, count);
      if (count === 0) peel.push(id);
    }
    for (let head = 0; head < peel.length; head++) {
      const id = peel[head];
      onLoop.delete(id);
      for (const source of this.inputs(id)) {
        if (!onLoop.has(source)) continue;
        const left = leadsTo.get(source)! - 1;
        leadsTo.set(source, left);
        if (left === 0) peel.push(source);
      }
    }
    const start = this.cyclic.find((id) => onLoop.has(id));
    if (start === undefined) return [];
    const path: string[] = [];
    const at = new Map<string, number>();
    let current = start;
    while (!at.has(current)) {
      at.set(current, path.length);
      path.push(current);
      current = this.consumers(current).find((t) => onLoop.has(t))!;
    }
    return path.slice(at.get(current)!);
  }

  /**
   * A topological order that finishes a branch before starting the next (where `order` is
   * breadth-first), so that generated code reads like hand-written code: a residual block's main
   * path, then its shortcut, then the merge. Leaves out the nodes `order` leaves out.
   */
  depthFirstOrder(): string[] {
    const waiting = new Map<string, number>();
    for (const id of this.order) waiting.set(id, this.arity(id));
    const stack = this.order.filter((id) => waiting.get(id) === 0).reverse();
    const out: string[] = [];
    while (stack.length) {
      const id = stack.pop()!;
      out.push(id);
      const ready: string[] = [];
      for (const t of this.consumers(id)) {
        const left = waiting.get(t)! - 1;
        waiting.set(t, left);
        if (left === 0) ready.push(t);
      }
      for (let i = ready.length - 1; i >= 0; i--) stack.push(ready[i]);
    }
    return out;
  }

  /** True when the graph is one path: one input and every node read by at most one and reading at most one. */
  get isChain(): boolean {
    return this.inputIds.length === 1 && this.order.every((id) => this.arity(id) <= 1 && this.consumers(id).length <= 1);
  }
}
