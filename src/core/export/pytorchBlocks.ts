import type { BlockDefinition, Design, DesignEdge, DesignNode } from '../design';
import type { BlockInstance } from '../blocks/expandBlocks';
import type { CompiledGraph, CompiledNode } from './compileGraph';
import { pyCommentText, pyDocstringText, pyString } from './pythonSource';
import { identifierNamer } from './identifierNamer';
import { pythonConditions } from './pythonConditions';
import { unifyCopyLines, type CopyLineLanguage } from './unifyCopyLines';

/** The PyTorch code of a design with blocks: one class per block and the model's own body. */
export interface PyTorchBlockCode {
  classes: string[];
  init: string[];
  forward: string[];
  /** Argument names of the model's forward, one per Input. */
  inputVars: string[];
  outputVars: string[];
}

const PY_RESERVED = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield', 'self', 'torch', 'nn', 'F', 'json', 'struct', 'super', 'print',
]);

/** Unique Python identifiers for the names of one scope. */
const namer = (taken: Iterable<string> = []): ((raw: string) => string) => identifierNamer(PY_RESERVED, taken);

/** A JSON value as a Python literal. */
function pyLiteral(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyString(k)}: ${pyLiteral(v)}`).join(', ')}}`;
}

/** How PyTorch code reads and writes the values and conditions that tell copies of a block apart. */
const PYTORCH_LINES: CopyLineLanguage = { ...pythonConditions, literal: pyLiteral, keywordArgument: /, ([A-Za-z_][A-Za-z0-9_]*)=#/ };

/** A block expression in Python: "$width * 4" → "width * 4", "!$a && $b" → "not a and b". */
export function pyExpression(expression: string, names: ReadonlyMap<string, string>): string {
  return expression
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, n: string) => names.get(n) ?? n)
    .replace(/&&/g, ' and ')
    .replace(/\|\|/g, ' or ')
    .replace(/!(?!=)/g, ' not ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** One level being written: the design's own nodes, or one instance of a block. */
interface Level {
  nodes: DesignNode[];
  edges: DesignEdge[];
  /** "" for the model, "layer1.0." inside an instance. */
  prefix: string;
  inputs: string[];
  outputs: string[];
}

/** The code of one level for one instance: lines per slot (a node's modules, a node's forward), in order. */
interface RenderedLevel {
  /** The Python variable of a node's output, or of an instance's output port ("id\u0000port"). */
  vars: Map<string, string>;
  /** The module attribute of each node. */
  attr: Map<string, string>;
  init: Map<string, string | undefined>;
  forward: Map<string, string>;
  order: string[];
  inputVars: string[];
  outputVars: string[];
}

/**
 * The model written the way torchvision writes its networks: each block a `nn.Module` class whose
 * constructor takes the block's input channels and parameters, a stage of repeats an
 * `nn.Sequential` of instances, nodes "name.0", "name.1"… of a chain an `nn.Sequential` called
 * "name", so that state_dict keys read "layer1.0.conv1.weight". Returns undefined when a block's
 * instances differ in a way one class cannot say (the caller writes the flat model then).
 */
export function pytorchBlockCode(graph: CompiledGraph, source: Design): PyTorchBlockCode | undefined {
  const expansion = graph.analysis.expansion;
  if (!expansion || !source.blocks) return undefined;
  const blocks = source.blocks;
  const compiled = new Map<string, CompiledNode>(graph.nodes.map((c) => [c.node.id, c]));
  const instanceById = new Map<string, BlockInstance>(expansion.instances.map((i) => [i.id, i]));
  const isBlock = (type: string): boolean => Object.prototype.hasOwnProperty.call(blocks, type);
  const portsOf = (type: string): { inputs: number; outputs: number } => ({ inputs: blocks[type].inputs.length, outputs: blocks[type].outputs.length });
  const channelsOf = (flatId: string): number | undefined => {
    const shape = graph.analysis.nodes[flatId]?.outputShape;
    return shape ? shape[shape.length - 1] : undefined;
  };
  const classNames = new Map<string, string>();
  const takeClass = namer(['Net']);
  for (const name of Object.keys(blocks)) classNames.set(name, takeClass(name));

  /** Python names of a block's constructor arguments: its inputs' channels, then its parameters. */
  const signature = (name: string): { channels: string[]; params: Map<string, string> } => {
    const block = blocks[name];
    const take = namer();
    const channels = block.inputs.length === 1 ? [take('in_channels')] : block.inputs.map((i) => take(`${i}_channels`));
    const params = new Map(Object.keys(block.params).map((p) => [p, take(p)]));
    return { channels, params };
  };
  const signatures = new Map(Object.keys(blocks).map((b) => [b, signature(b)]));

  /** The constructor call of one copy. */
  const construct = (copy: BlockInstance): string => {
    const sig = signatures.get(copy.block)!;
    const channels = copy.inputSources.map((s) => String(channelsOf(s) ?? 0));
    const args = [...channels, ...[...sig.params].map(([p, py]) => `${py}=${pyLiteral(copy.args?.[p])}`)];
    return `${classNames.get(copy.block)}(${args.join(', ')})`;
  };

  const render = (level: Level, inputVars: string[] | undefined): RenderedLevel | undefined => {
    const take = namer(inputVars ?? []);
    const { attr, sequentialOf, members: groupMembers } = levelAttributes(level.nodes, level.edges, isBlock, portsOf);
    const vars = new Map<string, string>();
    const init = new Map<string, string | undefined>();
    const forward = new Map<string, string>();
    level.inputs.forEach((name, i) => vars.set(name, inputVars?.[i] ?? name));
    // Topological order of the level, stable in the order written.
    const order: string[] = [];
    const remaining = new Set(level.nodes.map((n) => n.id));
    const ready = (id: string): boolean => level.edges.every((e) => e.target !== id || !remaining.has(e.source));
    while (remaining.size) {
      const next = level.nodes.find((n) => remaining.has(n.id) && ready(n.id));
      if (!next) return undefined;
      remaining.delete(next.id);
      order.push(next.id);
    }
    const sourcesOf = (id: string): { source: string; port?: string }[] => level.edges.filter((e) => e.target === id).map((e) => ({ source: e.source, port: e.sourcePort }));
    const varOf = (source: string, port?: string): string => vars.get(port === undefined ? source : `${source}\u0000${port}`) ?? vars.get(source) ?? source;
    const inputVarsModel: string[] = [];
    const byNode = new Map(level.nodes.map((n) => [n.id, n]));
    /** Each chain's modules so far, written as one nn.Sequential at its first member once the last is seen. */
    const collected = new Map<string, { path: number[]; module: string }[]>();
    const asMember = (id: string, module: string): void => {
      const place = sequentialOf.get(id)!;
      const members = groupMembers.get(place.head)!;
      const modules = [...(collected.get(place.head) ?? []), { path: place.path, module }];
      collected.set(place.head, modules);
      const last = members[members.length - 1].id === id;
      init.set(id, undefined);
      forward.set(id, '');
      if (!last) return;
      init.set(members[0].id, `self.${attr.get(id)} = ${sequentialCode(modules)}`);
      const first = sourcesOf(members[0].id)[0];
      forward.set(id, `${vars.get(id)} = self.${attr.get(id)}(${first ? varOf(first.source, first.port) : ''})`);
    };
    for (const id of order) {
      const node = byNode.get(id)!;
      const flatId = `${level.prefix}${id}`;
      const inputs = sourcesOf(id).map((s) => varOf(s.source, s.port));
      if (isBlock(node.type)) {
        const instance = instanceById.get(flatId);
        if (!instance) return undefined;
        const block = blocks[node.type];
        const copies = (instance.copies ?? [instance.id]).map((c) => instanceById.get(c)!);
        const module = instance.copies ? `nn.Sequential(${copies.map(construct).join(', ')})` : construct(copies[0]);
        const outVars = block.outputs.map((o) => (block.outputs.length === 1 ? take(id) : take(`${id}_${o}`)));
        block.outputs.forEach((o, i) => vars.set(`${id}\u0000${o}`, outVars[i]));
        vars.set(id, outVars[0]);
        if (sequentialOf.has(id)) {
          asMember(id, module);
          continue;
        }
        init.set(id, `self.${attr.get(id)} = ${module}`);
        // Without ports, connections bind to the inputs in the order written.
        const bound = block.inputs.map(() => '');
        let next = 0;
        level.edges.forEach((e) => {
          if (e.target !== id) return;
          const k = e.targetPort !== undefined ? block.inputs.indexOf(e.targetPort) : next++;
          if (k >= 0 && k < bound.length) bound[k] = varOf(e.source, e.sourcePort);
        });
        forward.set(id, `${outVars.join(', ')} = self.${attr.get(id)}(${bound.join(', ')})`);
        continue;
      }
      const c = compiled.get(flatId);
      if (!c) {
        // Left out by its "when": its input (an Add's first) flows on.
        if (inputs.length !== 1 && !(node.type === 'Add' && inputs.length > 1)) return undefined;
        vars.set(id, take(id));
        const group = sequentialOf.get(id);
        const members = group ? groupMembers.get(group.head)! : [node];
        init.set(id, members[0].id === id ? `self.${attr.get(id)} = None` : undefined);
        // A left-out nn.Sequential passes its first member's input on at its last member.
        const isLast = members[members.length - 1].id === id;
        const first = sourcesOf(members[0].id)[0];
        forward.set(id, isLast ? `${vars.get(id)} = ${group ? (first ? varOf(first.source, first.port) : '') : inputs[0]}` : '');
        continue;
      }
      if (c.node.type === 'Input') {
        const v = take(id === 'input' ? 'x' : id);
        vars.set(id, v);
        inputVarsModel.push(v);
        continue;
      }
      const code = c.layer.toPyTorch(c.params, c.inputShapes, { module: (suffix = '') => `self.${attr.get(id)}${suffix}`, inputs });
      vars.set(id, take(id));
      if (sequentialOf.has(id)) {
        // A member of an nn.Sequential: one module, called on its input.
        if (code.asModule !== undefined && code.modules.length === 0) {
          asMember(id, code.asModule);
          continue;
        }
        if (code.modules.length !== 1 || code.modules[0].suffix !== '' || code.forward !== `self.${attr.get(id)}(${inputs[0]})`) return undefined;
        asMember(id, code.modules[0].init);
        continue;
      }
      init.set(id, code.modules.map((m) => `self.${attr.get(id)}${m.suffix} = ${m.init}`).join('\n') || undefined);
      forward.set(id, `${code.comment ? `# ${pyCommentText(`${id}: ${code.comment}`)}\n` : ''}${vars.get(id)} = ${code.forward}`);
    }
    const outputVars = level.outputs.length
      ? level.outputs.map((o) => {
          const e = level.edges.find((edge) => edge.target === o);
          return e ? varOf(e.source, e.sourcePort) : 'None';
        })
      : graph.outputIds.map((flatId) => vars.get(flatId) ?? flatId);
    return { vars, attr, init, forward, order, inputVars: inputVars ?? inputVarsModel, outputVars };
  };

  // The model's own level: the design's nodes.
  const top = render({ nodes: source.nodes, edges: source.edges, prefix: '', inputs: [], outputs: [] }, undefined);
  if (!top) return undefined;
  // The model's outputs are nodes of the flat design; at the top level a flat id is a node id, or an instance's output.
  const topOutputs = graph.outputIds.map((flatId) => {
    const owner = expansion.instances.find((i) => !i.parent && i.outputSources.includes(flatId));
    if (!owner) return top.outputVars[graph.outputIds.indexOf(flatId)];
    const port = blocks[owner.block].outputs[owner.outputSources.indexOf(flatId)];
    return top.vars.get(`${owner.id}\u0000${port}`) ?? top.vars.get(owner.id)!;
  });

  const classes: string[] = [];
  for (const name of orderBlocks(blocks)) {
    const copies = expansion.instances.filter((i) => i.block === name && i.args);
    if (!copies.length) continue;
    const cls = classCode(name, blocks[name], copies);
    if (!cls) return undefined;
    classes.push(cls);
  }
  const lines = (r: RenderedLevel, which: 'init' | 'forward'): string[] => r.order.flatMap((id) => (r[which].get(id) ?? '').split('\n').filter(Boolean));
  return { classes, init: lines(top, 'init'), forward: lines(top, 'forward'), inputVars: top.inputVars, outputVars: topOutputs };

  /** One class for every copy of a block, or undefined when they differ in a way its arguments cannot say. */
  function classCode(name: string, block: BlockDefinition, copies: BlockInstance[]): string | undefined {
    const sig = signatures.get(name)!;
    const rendered: RenderedLevel[] = [];
    for (const copy of copies) {
      const r = render({ nodes: block.nodes, edges: block.edges, prefix: `${copy.id}.`, inputs: block.inputs, outputs: block.outputs }, block.inputs.map((i) => i));
      if (!r) return undefined;
      rendered.push(r);
    }
    // What each argument is for each copy, as Python would print it.
    const argValues: { code: string; values: unknown[] }[] = [
      ...sig.channels.map((code, k) => ({ code, values: copies.map((c) => channelsOf(c.inputSources[k]) ?? 0) })),
      ...[...sig.params].map(([p, code]) => ({ code, values: copies.map((c) => c.args?.[p]) })),
    ];
    const unify = (texts: (string | undefined)[], node: DesignNode | undefined, inForward = false): string[] | undefined =>
      unifyCopyLines(texts, {
        node,
        block,
        copies,
        params: sig.params,
        args: argValues,
        lang: PYTORCH_LINES,
        expression: (e) => pyExpression(e, sig.params),
        // Several shapes of code (a node left out or not, an argument written or left at its default):
        // conditions on the arguments tell them apart, the node's "when" first; forward() tests the ones kept on the module.
        whenTest: () => whenTest(node!, inForward),
        testedArgument: (py) => {
          if (!inForward) return py;
          kept.add(py);
          return `self.${keptName(py)}`;
        },
        valuesFromAllShapes: true,
      });
    /**
     * The test of a node's "when": in __init__ the expression on the arguments; in forward(), which
     * has no arguments, whether the module is there, or for a node without a module the expression
     * on the arguments kept on the module.
     */
    const whenTest = (node: DesignNode, inForward: boolean): string => {
      const when = node.when as string;
      if (!inForward) return pyExpression(when, sig.params);
      // The module is written at the first node of its nn.Sequential, the test at the last.
      const attribute = `self.${rendered[0].attr.get(node.id)} = `;
      if (rendered.some((r) => [...r.init.values()].some((t) => (t ?? '').split('\n').some((l) => l.startsWith(attribute) && l !== `${attribute}None`)))) return `self.${rendered[0].attr.get(node.id)} is not None`;
      const names = new Map([...sig.params].map(([p, py]) => [p, `self.${keptName(py)}`]));
      for (const m of when.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) if (sig.params.has(m[1])) kept.add(sig.params.get(m[1])!);
      return pyExpression(when, names);
    };
    /** Arguments forward() tests, kept on the module (beside, not over, its layers). */
    const kept = new Set<string>();
    const attrs = new Set(rendered[0].attr.values());
    const keptName = (py: string): string => (attrs.has(py) ? `${py}_arg` : py);
    const order = rendered[0].order;
    if (rendered.some((r) => r.order.join() !== order.join())) return undefined;
    const byId = new Map(block.nodes.map((n) => [n.id, n]));
    const init: string[] = [];
    const forward: string[] = [];
    for (const id of order) {
      const texts = rendered.map((r) => r.init.get(id));
      // A node without modules (an Add a "when" leaves out in some copies) needs no attribute.
      if (texts.every((t) => t === undefined || /^self\.[A-Za-z0-9_]+ = None$/.test(t))) continue;
      const lines = unify(texts, byId.get(id));
      if (!lines) return undefined;
      init.push(...lines);
    }
    for (const id of order) {
      const texts = rendered.map((r) => r.forward.get(id) ?? '');
      if (texts.every((t) => t === '')) continue;
      const lines = unify(texts, byId.get(id), true);
      if (!lines) return undefined;
      forward.push(...lines);
    }
    const outputs = rendered[0].outputVars;
    if (rendered.some((r) => r.outputVars.join() !== outputs.join())) return undefined;
    const defaults = [...sig.params].map(([p, py]) => (block.params[p].default === undefined ? py : `${py}=${pyLiteral(block.params[p].default)}`));
    // Python wants the arguments without a default first.
    const required = defaults.filter((d) => !d.includes('='));
    const optional = defaults.filter((d) => d.includes('='));
    const docs = Object.entries(block.params).filter(([, s]) => s.doc).map(([p, s]) => `    ${sig.params.get(p)}: ${s.doc}`);
    return [
      `class ${classNames.get(name)}(nn.Module):`,
      `    """${pyDocstringText([block.description ?? `The block ${name}.`, ...(docs.length ? ['', 'Arguments:', ...docs] : [])].join('\n'))}"""`,
      '',
      `    def __init__(self, ${[...sig.channels, ...required, ...optional].join(', ')}):`,
      '        super().__init__()',
      ...[...kept].map((py) => `        self.${keptName(py)} = ${py}`),
      ...init.map((l) => `        ${l}`),
      '',
      `    def forward(self, ${block.inputs.join(', ')}):`,
      ...forward.map((l) => `        ${l}`),
      `        return ${outputs.join(', ')}`,
    ].join('\n');
  }
}

/** A node's place in an nn.Sequential: the attribute's source name and its indices ("conv.1.0" → conv, [1, 0]). */
interface SequentialPlace {
  head: string;
  path: number[];
}

/**
 * The module attribute of each node of one level (the design's or a block's): its id made an
 * identifier; nodes "p.0", "p.1"… (and "p.0.0", "p.0.1"… nested, as torchvision's
 * Conv2dNormActivation sits in an inverted residual) forming a chain share "p", an nn.Sequential
 * (`sequentialOf`, with each member's indices). A block instance with one input and one output may
 * be a member.
 */
function levelAttributes(
  nodes: DesignNode[],
  edges: DesignEdge[],
  isBlock: (type: string) => boolean,
  portsOf: (type: string) => { inputs: number; outputs: number },
): { attr: Map<string, string>; sequentialOf: Map<string, SequentialPlace>; members: Map<string, DesignNode[]> } {
  const takeAttr = namer();
  const attr = new Map<string, string>();
  const sequentialOf = new Map<string, SequentialPlace>();
  const members = new Map<string, DesignNode[]>();
  const groups = new Map<string, { node: DesignNode; path: number[] }[]>();
  for (const node of nodes) {
    const m = /^(.*?[^.\d][^.]*?)((?:\.\d+)+)$/.exec(node.id);
    if (m) groups.set(m[1], [...(groups.get(m[1]) ?? []), { node, path: m[2].slice(1).split('.').map(Number) }]);
  }
  const compare = (a: number[], b: number[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  };
  /** Indices from 0 without gaps at every level, and no member inside another. */
  const wellFormed = (paths: number[][], depth: number): boolean => {
    const byIndex = new Map<number, number[][]>();
    for (const p of paths) byIndex.set(p[depth], [...(byIndex.get(p[depth]) ?? []), p]);
    const indices = [...byIndex.keys()].sort((a, b) => a - b);
    if (indices.some((v, i) => v !== i)) return false;
    return [...byIndex.values()].every((sub) => (sub.length === 1 && sub[0].length === depth + 1) || (sub.every((p) => p.length > depth + 1) && wellFormed(sub, depth + 1)));
  };
  for (const [head, group] of groups) {
    group.sort((a, b) => compare(a.path, b.path));
    const chain = group.map((g) => g.node);
    const ids = new Set(chain.map((n) => n.id));
    const oneInOneOut = chain.every((n) => !isBlock(n.type) || (n.repeat === undefined || typeof n.repeat === 'number' ? portsOf(n.type).inputs === 1 && portsOf(n.type).outputs === 1 : false));
    const linked = chain.every((n, i) => {
      const incoming = edges.filter((e) => e.target === n.id);
      const outgoing = edges.filter((e) => e.source === n.id);
      // Each member reads the one before it only, and all but the last feed only the next.
      if (i > 0 && (incoming.length !== 1 || incoming[0].source !== chain[i - 1].id)) return false;
      if (i === 0 && (incoming.length !== 1 || ids.has(incoming[0].source))) return false;
      return i === chain.length - 1 || outgoing.every((e) => e.target === chain[i + 1].id);
    });
    const sameWhen = chain.every((n) => JSON.stringify(n.when) === JSON.stringify(chain[0].when));
    const free = nodes.every((o) => o.id !== head);
    if (!oneInOneOut || !linked || !sameWhen || !free || !wellFormed(group.map((g) => g.path), 0)) continue;
    for (const g of group) sequentialOf.set(g.node.id, { head, path: g.path });
    members.set(head, chain);
  }
  for (const node of nodes) {
    const group = sequentialOf.get(node.id);
    if (group) {
      if (!attr.has(group.head)) attr.set(group.head, takeAttr(group.head));
      attr.set(node.id, attr.get(group.head)!);
    } else attr.set(node.id, takeAttr(node.id));
  }
  return { attr, sequentialOf, members };
}

/** The nn.Sequential of a chain's modules, nested where its members' indices are. */
function sequentialCode(members: { path: number[]; module: string }[], depth = 0): string {
  const byIndex = new Map<number, { path: number[]; module: string }[]>();
  for (const m of members) byIndex.set(m.path[depth], [...(byIndex.get(m.path[depth]) ?? []), m]);
  const items = [...byIndex.keys()].sort((a, b) => a - b).map((k) => {
    const sub = byIndex.get(k)!;
    return sub.length === 1 && sub[0].path.length === depth + 1 ? sub[0].module : sequentialCode(sub, depth + 1);
  });
  return `nn.Sequential(${items.join(', ')})`;
}

/**
 * Where each layer of the expanded design sits in the module pytorchBlockCode writes, as in its
 * state_dict keys: "layer2.0.downsample.0" for the downsample's convolution of stage 2's first copy.
 */
export function pytorchModulePaths(source: Design, instances: readonly { id: string; copies?: string[] }[]): Map<string, string> {
  const blocks = source.blocks ?? {};
  const isBlock = (type: string): boolean => Object.prototype.hasOwnProperty.call(blocks, type);
  const portsOf = (type: string): { inputs: number; outputs: number } => ({ inputs: blocks[type].inputs.length, outputs: blocks[type].outputs.length });
  const stages = new Map(instances.filter((i) => i.copies).map((i) => [i.id, i.copies!]));
  const paths = new Map<string, string>();
  const walk = (nodes: DesignNode[], edges: DesignEdge[], flatPrefix: string, modulePrefix: string, depth: number): void => {
    if (depth > 64) return;
    const { attr, sequentialOf } = levelAttributes(nodes, edges, isBlock, portsOf);
    for (const node of nodes) {
      const flatId = `${flatPrefix}${node.id}`;
      const place = sequentialOf.get(node.id);
      const path = place ? `${modulePrefix}${attr.get(node.id)}.${place.path.join('.')}` : `${modulePrefix}${attr.get(node.id)}`;
      if (isBlock(node.type)) {
        const block = blocks[node.type];
        const copies = stages.get(flatId);
        if (copies) copies.forEach((copy, k) => walk(block.nodes, block.edges, `${copy}.`, `${path}.${k}.`, depth + 1));
        else walk(block.nodes, block.edges, `${flatId}.`, `${path}.`, depth + 1);
        continue;
      }
      paths.set(flatId, path);
    }
  };
  walk(source.nodes, source.edges, '', '', 0);
  return paths;
}

/**
 * The name of each layer's module in the exported PyTorch model, as its state_dict keys begin:
 * the module path where the model is written with block classes, the node's identifier otherwise.
 */
export function pytorchModuleNames(graph: CompiledGraph): Map<string, string> {
  const expansion = graph.analysis.expansion;
  if (graph.source && expansion && pytorchBlockCode(graph, graph.source)) return pytorchModulePaths(graph.source, expansion.instances);
  return new Map(graph.nodes.map((c) => [c.node.id, c.name]));
}

/** Blocks in an order where a block comes after the blocks it uses (Python needs the class first). */
function orderBlocks(blocks: Record<string, BlockDefinition>): string[] {
  const out: string[] = [];
  const visit = (name: string, trail: Set<string>): void => {
    if (out.includes(name) || trail.has(name)) return;
    trail.add(name);
    for (const n of blocks[name].nodes) if (Object.prototype.hasOwnProperty.call(blocks, n.type)) visit(n.type, trail);
    out.push(name);
  };
  for (const name of Object.keys(blocks)) visit(name, new Set());
  return out;
}
