import type { BlockDefinition, DesignEdge, DesignNode } from '../design';
import type { BlockInstance } from '../blocks/expandBlocks';
import type { CompiledGraph, CompiledLayer } from './compileGraph';
import { identifierNamer } from './identifierNamer';
import { unifyCopyLines, type CopyLineLanguage } from './unifyCopyLines';

/**
 * What differs between the Python (Keras) and the JavaScript (TF.js) code of a block function: the
 * rest (which layers a copy has, which values are arguments, which conditions tell copies apart) is
 * the same for both.
 */
export interface FunctionLanguage extends CopyLineLanguage {
  /** Words no variable, parameter or function may take (keywords, the module's own names). */
  reserved: ReadonlySet<string>;
  /** A function's name from a block's: basic_block (Python), basicBlock (JavaScript). */
  functionName(block: string): string;
  /** A block expression over the function's parameters; undefined where the language cannot say it. */
  expression(expression: string, names: ReadonlyMap<string, string>): string | undefined;
  /** `variable = <layer>(<inputs>)` for one Keras layer, named by the code `nameCode` (its own name where absent). */
  layerLine(layer: CompiledLayer, variable: string, inputs: string[], nameCode?: string): string;
  /** The name of a layer inside a function: the instance's `name` argument and the layer's own part. */
  nameCode(nameParameter: string, suffix: string): string;
  assign(variable: string, value: string): string;
  defineFunction(name: string, doc: string, inputs: string[], nameParameter: string, params: { name: string; default?: unknown }[], locals: string[], body: string[], outputs: string[]): string[];
  call(variable: string, fn: string, inputs: string[], name: string, args: { name: string; value: unknown }[]): string;
}

export interface BlockFunctionCode {
  /** One function per block used. */
  functions: string[];
  /** The model body: the top level's layers and one call per instance, in order. */
  body: string[];
  /** The variable holding each Keras layer's output at the top level (a copy's output is its call's variable). */
  variableOf: (layerName: string) => string;
}

/** Unique identifiers for the names of one scope ("v_" before a leading digit). */
const namer = (taken: Iterable<string>, reserved: ReadonlySet<string>): ((raw: string) => string) => identifierNamer(reserved, taken, 'v_');

/** Nodes of one block level in an order where each comes after those it reads, stable in the order written. */
function topological(nodes: DesignNode[], edges: DesignEdge[]): DesignNode[] | undefined {
  const order: DesignNode[] = [];
  const remaining = new Set(nodes.map((n) => n.id));
  while (remaining.size) {
    const next = nodes.find((n) => remaining.has(n.id) && edges.every((e) => e.target !== n.id || !remaining.has(e.source)));
    if (!next) return undefined;
    remaining.delete(next.id);
    order.push(next);
  }
  return order;
}

/**
 * A design with blocks as Keras or TF.js code that reads like it: one function per block (taking the
 * input tensors, the instance's name, which prefixes its layers' names, and the block's parameters),
 * called once per instance. The layers and their names are the flat export's, so weights fit either.
 * Returns undefined where the blocks hold blocks, or copies differ in a way the arguments cannot say
 * (the caller writes the flat model then).
 */
export function blockFunctionCode(graph: CompiledGraph, lang: FunctionLanguage): BlockFunctionCode | undefined {
  const source = graph.source;
  const expansion = graph.analysis.expansion;
  if (!source?.blocks || !expansion) return undefined;
  const blocks = source.blocks;
  const isBlock = (type: string): boolean => Object.prototype.hasOwnProperty.call(blocks, type);
  if (Object.values(blocks).some((b) => b.nodes.some((n) => isBlock(n.type)))) return undefined;
  const names = new Map(graph.nodes.map((c) => [c.node.id, c.name]));
  const layersOf = new Map<string, CompiledLayer[]>();
  for (const layer of graph.layers) layersOf.set(layer.nodeId, [...(layersOf.get(layer.nodeId) ?? []), layer]);
  const byId = new Map(expansion.instances.map((i) => [i.id, i]));
  // The copies written at the top level: lone instances and the copies of stages.
  const copies = expansion.instances.filter((i) => i.args && (i.parent === undefined || (byId.get(i.parent)?.copies !== undefined && byId.get(i.parent)!.parent === undefined)));
  const ownerOf = new Map<string, BlockInstance>();
  for (const copy of copies) for (const id of copy.nodeIds) ownerOf.set(id, copy);
  const topTaken = new Set(graph.layers.map((l) => l.name));
  const takeFunction = namer(topTaken, lang.reserved);
  const functionNames = new Map(Object.keys(blocks).map((b) => [b, takeFunction(lang.functionName(b))]));

  const functions: string[] = [];
  for (const [name, block] of Object.entries(blocks)) {
    const used = copies.filter((c) => c.block === name);
    if (!used.length) continue;
    const code = blockFunction(name, block, used);
    if (!code) return undefined;
    functions.push(code.join('\n'));
  }

  // The model: top-level layers as the flat export writes them, each copy one call.
  const alias = new Map<string, string>();
  const takeTop = namer(topTaken, lang.reserved);
  const called = new Set<string>();
  const emitted = new Set<string>();
  const body: string[] = [];
  const variableOf = (layerName: string): string => alias.get(layerName) ?? layerName;
  for (const layer of graph.layers) {
    const copy = ownerOf.get(layer.nodeId);
    if (!copy) {
      if (layer.inbound.some((i) => !emitted.has(i))) return undefined;
      body.push(lang.layerLine(layer, layer.name, layer.inbound.map(variableOf)));
      emitted.add(layer.name);
      continue;
    }
    if (called.has(copy.id)) continue;
    const inputs = copy.inputSources.map((s) => graph.outputLayer.get(s));
    if (inputs.some((i) => i === undefined || !emitted.has(i))) return undefined;
    const variable = takeTop(copy.id);
    const block = blocks[copy.block];
    body.push(lang.call(variable, functionNames.get(copy.block)!, inputs.map((i) => variableOf(i!)), copyPrefix(copy), Object.keys(block.params).map((p) => ({ name: p, value: copy.args![p] }))));
    called.add(copy.id);
    if (block.outputs.length !== 1) return undefined;
    for (const id of copy.nodeIds) for (const l of layersOf.get(id) ?? []) emitted.add(l.name);
    const out = graph.outputLayer.get(copy.outputSources[0]);
    if (!out) return undefined;
    alias.set(out, variable);
  }
  return { functions, body, variableOf };

  /** The flat names' prefix of a copy's layers: "layer1_0" for the copy "layer1.0". */
  function copyPrefix(copy: BlockInstance): string {
    return copy.id.replace(/[^A-Za-z0-9_]/g, '_');
  }

  function blockFunction(name: string, block: BlockDefinition, used: BlockInstance[]): string[] | undefined {
    if (block.outputs.length !== 1) return undefined;
    const take = namer([], lang.reserved);
    const inputs = block.inputs.map((i) => take(i));
    const nameParameter = take('name');
    const params = new Map(Object.keys(block.params).map((p) => [p, take(p)]));
    const order = topological(block.nodes, block.edges);
    if (!order) return undefined;
    // One variable per node, the same in every copy (a left-out node's is its input's).
    const nodeVar = new Map(order.map((n) => [n.id, take(n.id)]));
    const varOfPort = (source: string): string | undefined => nodeVar.get(source) ?? inputs[block.inputs.indexOf(source)];
    const locals = new Set<string>();
    const body: string[] = [];
    for (const node of order) {
      const sources = block.edges.filter((e) => e.target === node.id).map((e) => varOfPort(e.source));
      if (sources.some((s) => s === undefined)) return undefined;
      const texts: (string | undefined)[] = [];
      for (const copy of used) {
        const flatId = `${copy.id}.${node.id}`;
        const layers = layersOf.get(flatId);
        const prefix = `${copyPrefix(copy)}_`;
        if (!layers) {
          // Left out by its "when": its input (an Add's first) flows on.
          texts.push(lang.assign(nodeVar.get(node.id)!, sources[0]!));
          continue;
        }
        const main = graph.outputLayer.get(flatId);
        const lines: string[] = [];
        for (const layer of layers) {
          if (!layer.name.startsWith(prefix)) return undefined;
          const variable = layer.name === main ? nodeVar.get(node.id)! : `${nodeVar.get(node.id)}${layer.name.slice(names.get(flatId)!.length)}`;
          if (variable !== nodeVar.get(node.id)) {
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable) || lang.reserved.has(variable) || [...nodeVar.values(), ...inputs, nameParameter, ...params.values()].includes(variable)) return undefined;
            locals.add(variable);
          }
          const inbound = layer.inbound.map((i) => {
            const inside = layers.find((l) => l.name === i);
            if (inside) return inside.name === main ? nodeVar.get(node.id)! : `${nodeVar.get(node.id)}${inside.name.slice(names.get(flatId)!.length)}`;
            // From another node of the copy, or from one of its inputs.
            const from = block.edges.filter((e) => e.target === node.id).find((e) => graph.outputLayer.get(resolveFlat(copy, e.source)) === i);
            return from ? varOfPort(from.source) : undefined;
          });
          if (inbound.some((i) => i === undefined)) return undefined;
          lines.push(lang.layerLine(layer, variable, inbound as string[], lang.nameCode(nameParameter, layer.name.slice(prefix.length))));
        }
        texts.push(lines.join('\n'));
      }
      const whenTest = typeof node.when === 'string' ? lang.expression(node.when, params) : undefined;
      const lines = unifyCopyLines(texts, {
        node,
        block,
        copies: used,
        params,
        args: [...params].map(([p, code]) => ({ code, values: used.map((c) => c.args?.[p]) })),
        lang,
        expression: (e) => lang.expression(e, params),
        whenTest: whenTest === undefined ? undefined : () => whenTest,
      });
      if (!lines) return undefined;
      body.push(...lines);
    }
    const out = block.edges.find((e) => e.target === block.outputs[0]);
    const output = out ? varOfPort(out.source) : undefined;
    if (!output) return undefined;
    const signature = Object.entries(block.params).map(([p, spec]) => ({ name: params.get(p)!, ...(spec.default !== undefined ? { default: spec.default } : {}) }));
    const docs = [block.description ?? `The block ${name}.`, ...Object.entries(block.params).filter(([, s]) => s.doc).map(([p, s]) => `${params.get(p)}: ${s.doc}`)];
    return lang.defineFunction(functionNames.get(name)!, docs.join('\n'), inputs, nameParameter, signature, [...nodeVar.values(), ...locals], body, [output]);
  }

  /** The flat node a block-level source of a copy is: its node, or (a block input) what feeds the copy. */
  function resolveFlat(copy: BlockInstance, source: string): string {
    const block = blocks[copy.block];
    const k = block.inputs.indexOf(source);
    if (k >= 0) return copy.inputSources[k];
    // A left-out node stands for what flows through it.
    const flatId = `${copy.id}.${source}`;
    if (layersOf.has(flatId)) return flatId;
    const through = block.edges.find((e) => e.target === source);
    return through ? resolveFlat(copy, through.source) : flatId;
  }
}
