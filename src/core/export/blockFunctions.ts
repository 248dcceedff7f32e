import type { BlockDefinition, DesignEdge, DesignNode } from '../design';
import type { BlockInstance } from '../blocks/expandBlocks';
import { evaluateExpression, isExpression } from '../blocks/blockExpression';
import type { CompiledGraph, CompiledLayer } from './compileGraph';

/**
 * What differs between the Python (Keras) and the JavaScript (TF.js) code of a block function: the
 * rest (which layers a copy has, which values are arguments, which conditions tell copies apart) is
 * the same for both.
 */
export interface FunctionLanguage {
  /** Words no variable, parameter or function may take (keywords, the module's own names). */
  reserved: ReadonlySet<string>;
  /** A function's name from a block's: basic_block (Python), basicBlock (JavaScript). */
  functionName(block: string): string;
  literal(value: unknown): string;
  /** A block expression over the function's parameters; undefined where the language cannot say it. */
  expression(expression: string, names: ReadonlyMap<string, string>): string | undefined;
  /** The values in a line of code: numbers and the language's booleans. */
  value: RegExp;
  /** A keyword argument in a line whose values are "#" (`, strides=(#, #)`), one that may be left at its default. */
  keywordArgument: RegExp;
  /** `variable = <layer>(<inputs>)` for one Keras layer, named by the code `nameCode` (its own name where absent). */
  layerLine(layer: CompiledLayer, variable: string, inputs: string[], nameCode?: string): string;
  /** The name of a layer inside a function: the instance's `name` argument and the layer's own part. */
  nameCode(nameParameter: string, suffix: string): string;
  assign(variable: string, value: string): string;
  /** if / elif / else: `test` undefined for the last branch. */
  branches(cases: { test?: string; lines: string[] }[]): string[];
  equals(variable: string, literals: string[]): string;
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

/** Unique identifiers for the names of one scope. */
function namer(taken: Iterable<string>, reserved: ReadonlySet<string>): (raw: string) => string {
  const used = new Set([...taken, ...reserved]);
  return (raw) => {
    let base = raw.replace(/[^A-Za-z0-9_]/g, '_');
    if (!base || /^[0-9]/.test(base)) base = `v_${base}`;
    if (reserved.has(base)) base = `${base}_`;
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
}

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
      const lines = unifyLines(texts, node, block, used, params, lang);
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

/**
 * One piece of a block function from its code in every copy: values that are arguments (or
 * expressions of them) written as such, and where copies differ in shape, conditions on the node's
 * "when" and on the arguments.
 */
function unifyLines(
  written: (string | undefined)[],
  node: DesignNode,
  block: BlockDefinition,
  copies: BlockInstance[],
  params: ReadonlyMap<string, string>,
  lang: FunctionLanguage,
): string[] | undefined {
  const argValues = [...params].map(([p, code]) => ({ code, values: copies.map((c) => c.args?.[p]) }));
  const expressionsOf = (n: DesignNode): { code: string; values: unknown[] }[] =>
    Object.values(n.params)
      .filter(isExpression)
      .flatMap((e) => {
        const code = lang.expression(e, params);
        return code === undefined ? [] : [{ code, values: copies.map((c) => evaluateExpression(e, c.args ?? {})).map((r) => (r.ok ? r.value : undefined)) }];
      });
  const candidates = [...expressionsOf(node), ...argValues, ...block.nodes.filter((n) => n !== node).flatMap(expressionsOf)];
  const split = (text: string): string[] => text.split(lang.value);
  const texts = withDefaultsWritten(written, [...expressionsOf(node), ...argValues], lang);
  const skeleton = (text: string | undefined): string => (text === undefined ? '\u0000' : split(text).map((p, k) => (k % 2 ? '#' : p)).join(''));
  const matches = (c: { values: unknown[] }, i: number, token: string): boolean => lang.literal(c.values[i]) === token || (typeof c.values[i] === 'number' && Number(token) === c.values[i]);
  const groups = new Map<string, number[]>();
  texts.forEach((t, i) => groups.set(skeleton(t), [...(groups.get(skeleton(t)) ?? []), i]));
  const template = (members: number[]): string | undefined => {
    const tokens = members.map((i) => split(texts[i]!));
    const out: string[] = [];
    for (let t = 0; t < tokens[0].length; t++) {
      const column = tokens.map((row) => row[t]);
      if (t % 2 === 0 || column.every((v) => v === column[0])) {
        out.push(column[0]);
        continue;
      }
      const found = candidates.find((c) => members.every((i, k) => matches(c, i, column[k])));
      if (!found) return undefined;
      out.push(/^[A-Za-z_][A-Za-z0-9_.]*$/.test(found.code) ? found.code : `(${found.code})`);
    }
    return out.join('');
  };
  const bodies: { members: number[]; lines: string[] }[] = [];
  for (const members of groups.values()) {
    const text = texts[members[0]] === undefined ? '' : template(members);
    if (text === undefined) return undefined;
    bodies.push({ members, lines: text ? text.split('\n') : [] });
  }
  const whenValues = typeof node.when === 'string' ? copies.map((c) => evaluateExpression(node.when as string, c.args ?? {})).map((r) => (r.ok ? r.value : undefined)) : undefined;
  const decide = (group: typeof bodies): string[] | undefined => {
    if (group.length === 1) return group[0].lines;
    if (whenValues && typeof node.when === 'string') {
      const on = group.filter((b) => b.members.every((i) => whenValues[i] === true));
      const off = group.filter((b) => b.members.every((i) => whenValues[i] === false));
      const test = lang.expression(node.when, params);
      if (test !== undefined && on.length && off.length && on.length + off.length === group.length) {
        const onLines = decide(on);
        const offLines = decide(off);
        return onLines && offLines ? lang.branches([{ test, lines: onLines }, { lines: offLines }]) : undefined;
      }
    }
    // The argument the node mentions, with the fewest values, says it best.
    const mentioned = JSON.stringify([node.params, node.when]);
    const paramOf = (code: string): string => [...params].find(([, v]) => v === code)?.[0] ?? code;
    const distinct = (a: { values: unknown[] }): number => new Set(group.flatMap((b) => b.members.map((i) => lang.literal(a.values[i])))).size;
    const ranked = [...argValues].sort((a, b) => Number(!mentioned.includes(`$${paramOf(a.code)}`)) - Number(!mentioned.includes(`$${paramOf(b.code)}`)) || distinct(a) - distinct(b));
    const splitter = ranked.find((a) => {
      const owner = new Map<string, number>();
      return group.every((b, g) =>
        b.members.every((i) => {
          const key = lang.literal(a.values[i]);
          if (owner.has(key) && owner.get(key) !== g) return false;
          owner.set(key, g);
          return true;
        }),
      );
    });
    if (!splitter) return undefined;
    return lang.branches(
      group.map((b, g) => ({
        ...(g === group.length - 1 ? {} : { test: lang.equals(splitter.code, [...new Set(b.members.map((i) => lang.literal(splitter.values[i])))]) }),
        lines: b.lines,
      })),
    );
  };
  return decide(bodies);
}

/**
 * The code of every copy of one line with the keyword arguments some copies leave out written there
 * too: `strides=(2, 2)` in some copies and nothing in others gets `strides=(1, 1)` in those, the
 * value their arguments give it (the same in all of them: the default, which is why it was left
 * out), so one line with `strides=(stride, stride)` serves them all.
 */
function withDefaultsWritten(texts: (string | undefined)[], candidates: { values: unknown[] }[], lang: FunctionLanguage): (string | undefined)[] {
  const out = [...texts];
  const split = (t: string): string[] => t.split(lang.value);
  const skeleton = (t: string): string => split(t).map((p, k) => (k % 2 ? '#' : p)).join('');
  for (let round = 0; round < 8; round++) {
    const shapes = new Map<string, number[]>();
    out.forEach((t, i) => {
      if (t !== undefined) shapes.set(skeleton(t), [...(shapes.get(skeleton(t)) ?? []), i]);
    });
    let changed = false;
    for (const [longer, withIt] of shapes) {
      for (const m of longer.matchAll(new RegExp(lang.keywordArgument.source, 'g'))) {
        const without = shapes.get(longer.slice(0, m.index) + longer.slice(m.index! + m[0].length));
        if (!without) continue;
        const before = longer.slice(0, m.index).split('#').length - 1;
        const count = m[0].split('#').length - 1;
        const columns = Array.from({ length: count }, (_, k) => 2 * (before + k) + 1);
        const found = candidates.find(
          (c) =>
            withIt.every((i) => columns.every((col) => split(out[i]!)[col] === lang.literal(c.values[i]) || (typeof c.values[i] === 'number' && Number(split(out[i]!)[col]) === c.values[i]))) &&
            without.every((i) => lang.literal(c.values[i]) === lang.literal(c.values[without[0]])),
        );
        if (!found) continue;
        for (const i of without) {
          const tokens = split(out[i]!);
          // Where the longer shape has the argument: after the same values and the text after the last of them.
          const literalBefore = longer.slice(0, m.index).split('#').pop()!;
          const at = tokens.slice(0, 2 * before + 1).join('').length - (tokens[2 * before].length - literalBefore.length);
          const text = out[i]!;
          out[i] = `${text.slice(0, at)}${m[0].replace(/#/g, lang.literal(found.values[i]))}${text.slice(at)}`;
        }
        changed = true;
        break;
      }
      if (changed) break;
    }
    if (!changed) break;
  }
  return out;
}
