import type { BlockDefinition, Design, DesignEdge, DesignNode } from '../design';
import type { BlockInstance } from '../blocks/expandBlocks';
import { evaluateExpression, isExpression } from '../blocks/blockExpression';
import type { CompiledGraph, CompiledNode } from './compileGraph';
import { pyCommentText, pyDocstringText, pyString } from './pythonSource';

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
function namer(taken: Iterable<string> = []): (raw: string) => string {
  const used = new Set(taken);
  return (raw) => {
    let base = raw.replace(/[^A-Za-z0-9_]/g, '_');
    if (!base || /^[0-9]/.test(base)) base = `n_${base}`;
    if (PY_RESERVED.has(base)) base = `${base}_`;
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
}

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

/** A block expression in Python: "$width * 4" → "width * 4", "!$a && $b" → "not a and b". */
function pyExpression(expression: string, names: ReadonlyMap<string, string>): string {
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
    const { attr, sequentialOf } = levelAttributes(level.nodes, level.edges, isBlock);
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
    for (const id of order) {
      const node = byNode.get(id)!;
      const flatId = `${level.prefix}${id}`;
      const inputs = sourcesOf(id).map((s) => varOf(s.source, s.port));
      if (isBlock(node.type)) {
        const instance = instanceById.get(flatId);
        if (!instance) return undefined;
        const block = blocks[node.type];
        const copies = (instance.copies ?? [instance.id]).map((c) => instanceById.get(c)!);
        init.set(id, `self.${attr.get(id)} = ${instance.copies ? `nn.Sequential(${copies.map(construct).join(', ')})` : construct(copies[0])}`);
        const outVars = block.outputs.map((o) => (block.outputs.length === 1 ? take(id) : take(`${id}_${o}`)));
        block.outputs.forEach((o, i) => vars.set(`${id}\u0000${o}`, outVars[i]));
        vars.set(id, outVars[0]);
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
        // Left out by its "when": its input flows on.
        if (inputs.length !== 1) return undefined;
        vars.set(id, take(id));
        const group = sequentialOf.get(id);
        const members = group ? level.nodes.filter((n) => sequentialOf.get(n.id) === group) : [node];
        init.set(id, members[0].id === id ? `self.${attr.get(id)} = None` : undefined);
        // A left-out nn.Sequential passes its first member's input on at its last member.
        const isLast = members[members.length - 1].id === id;
        forward.set(id, isLast ? `${vars.get(id)} = ${group ? varOf(sourcesOf(members[0].id)[0]?.source ?? '', sourcesOf(members[0].id)[0]?.port) : inputs[0]}` : '');
        continue;
      }
      if (c.node.type === 'Input') {
        const v = take(id === 'input' ? 'x' : id);
        vars.set(id, v);
        inputVarsModel.push(v);
        continue;
      }
      const group = sequentialOf.get(id);
      const code = c.layer.toPyTorch(c.params, c.inputShapes, { module: (suffix = '') => `self.${attr.get(id)}${suffix}`, inputs });
      vars.set(id, take(id));
      if (group) {
        // A member of an nn.Sequential: one module, called on its input.
        if (code.modules.length !== 1 || code.modules[0].suffix !== '' || code.forward !== `self.${attr.get(id)}(${inputs[0]})`) return undefined;
        const members = level.nodes.filter((n) => sequentialOf.get(n.id) === group);
        const first = members[0].id === id;
        const last = members[members.length - 1].id === id;
        const previous = init.get(members[0].id);
        if (first) init.set(id, `self.${attr.get(id)} = nn.Sequential(${code.modules[0].init}`);
        else init.set(members[0].id, `${previous}, ${code.modules[0].init}`);
        if (last) init.set(members[0].id, `${init.get(members[0].id)})`);
        if (!first) init.set(id, undefined);
        if (last) forward.set(id, `${vars.get(id)} = self.${attr.get(id)}(${varOf(sourcesOf(members[0].id)[0]?.source ?? '')})`);
        else forward.set(id, '');
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
    const argValues: { py: string; values: unknown[] }[] = [
      ...sig.channels.map((py, k) => ({ py, values: copies.map((c) => channelsOf(c.inputSources[k]) ?? 0) })),
      ...[...sig.params].map(([p, py]) => ({ py, values: copies.map((c) => c.args?.[p]) })),
    ];
    const unify = (texts: (string | undefined)[], node: DesignNode | undefined, inForward = false): string[] | undefined => {
      const expressions = Object.values(node?.params ?? {})
        .filter(isExpression)
        .map((e) => ({ py: pyExpression(e, sig.params), values: copies.map((c) => evaluateExpression(e, c.args ?? {})).map((r) => (r.ok ? r.value : undefined)) }));
      const candidates = [...expressions, ...argValues];
      const VALUE = /(\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b|\bTrue\b|\bFalse\b)/;
      const tokensOf = copies.map((_, i) => (texts[i] ?? '').split(VALUE));
      const matches = (c: { values: unknown[] }, who: number[], column: (i: number) => string): boolean =>
        who.every((i) => pyLiteral(c.values[i]) === column(i) || (typeof c.values[i] === 'number' && Number(column(i)) === c.values[i]));
      const template = (members: number[]): string | undefined => {
        const tokens = members.map((i) => tokensOf[i]);
        const out: string[] = [];
        for (let t = 0; t < tokens[0].length; t++) {
          if (t % 2 === 0) {
            out.push(tokens[0][t]);
            continue;
          }
          // The same place in the other shapes of this line (the same text before it) says what a value is.
          const context = tokens[0].slice(0, t).filter((_, k) => k % 2 === 0).join('#');
          const alike = copies.map((_, i) => i).filter((i) => texts[i] !== undefined && tokensOf[i].length > t && tokensOf[i].slice(0, t).filter((_, k) => k % 2 === 0).join('#') === context);
          const column = (i: number): string => tokensOf[i][t];
          if (alike.every((i) => column(i) === column(members[0]))) {
            out.push(column(members[0]));
            continue;
          }
          const found = candidates.find((c) => matches(c, alike, column)) ?? candidates.find((c) => matches(c, members, column));
          if (!found) {
            if (members.every((i) => column(i) === column(members[0]))) {
              out.push(column(members[0]));
              continue;
            }
            return undefined;
          }
          out.push(/^[A-Za-z_][A-Za-z0-9_]*$/.test(found.py) ? found.py : `(${found.py})`);
        }
        return out.join('');
      };
      const skeleton = (i: number): string => (texts[i] === undefined ? '\u0000none' : texts[i]!.replace(/\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b|\bTrue\b|\bFalse\b/g, '#'));
      const groups = new Map<string, number[]>();
      copies.forEach((_, i) => groups.set(skeleton(i), [...(groups.get(skeleton(i)) ?? []), i]));
      const bodies = [...groups.values()].map((members) => ({ members, text: texts[members[0]] === undefined ? undefined : template(members) }));
      if (bodies.some((b) => texts[b.members[0]] !== undefined && b.text === undefined)) return undefined;
      if (bodies.length === 1) return bodies[0].text === undefined ? [] : bodies[0].text.split('\n');
      // Several shapes of code: a condition on the arguments tells them apart.
      const indent = (text: string | undefined): string[] => (text === undefined ? ['pass'] : text.split('\n')).map((l) => `    ${l}`);
      if (bodies.length === 2 && typeof node?.when === 'string') {
        const whenValues = copies.map((c) => evaluateExpression(node.when as string, c.args ?? {})).map((r) => (r.ok ? r.value : undefined));
        const on = bodies.find((b) => b.members.every((i) => whenValues[i] === true));
        const off = bodies.find((b) => b.members.every((i) => whenValues[i] === false));
        // forward() has no constructor arguments, but the module left out is None.
        const test = inForward ? `self.${rendered[0].attr.get(node.id)} is not None` : pyExpression(node.when, sig.params);
        if (on && off) return [`if ${test}:`, ...indent(on.text), 'else:', ...indent(off.text)];
      }
      const splitter = argValues.find((a) => {
        const owner = new Map<string, number>();
        return bodies.every((b, g) => b.members.every((i) => {
          const key = pyLiteral(a.values[i]);
          if (owner.has(key) && owner.get(key) !== g) return false;
          owner.set(key, g);
          return true;
        }));
      });
      if (!splitter) return undefined;
      if (inForward) kept.add(splitter.py);
      const name = inForward ? `self.${keptName(splitter.py)}` : splitter.py;
      return bodies.flatMap((b, g) => {
        const values = [...new Set(b.members.map((i) => pyLiteral(splitter.values[i])))];
        const test = values.length === 1 ? `${name} == ${values[0]}` : `${name} in (${values.join(', ')})`;
        return g === bodies.length - 1 ? ['else:', ...indent(b.text)] : [`${g === 0 ? 'if' : 'elif'} ${test}:`, ...indent(b.text)];
      });
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
      if (texts.every((t) => t === undefined)) continue;
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

/**
 * The module attribute of each node of one level (the design's or a block's): its id made an
 * identifier; nodes "p.0", "p.1"… forming a chain share "p", an nn.Sequential (`sequentialOf`).
 */
function levelAttributes(nodes: DesignNode[], edges: DesignEdge[], isBlock: (type: string) => boolean): { attr: Map<string, string>; sequentialOf: Map<string, string> } {
  const takeAttr = namer();
  const attr = new Map<string, string>();
  const sequentialOf = new Map<string, string>();
  const groups = new Map<string, DesignNode[]>();
  for (const node of nodes) {
    const m = /^(.+)\.(\d+)$/.exec(node.id);
    if (m) groups.set(m[1], [...(groups.get(m[1]) ?? []), node]);
  }
  for (const [prefix, members] of groups) {
    const chain = members.every((n, i) => n.id === `${prefix}.${i}` && !isBlock(n.type) && nodes.every((o) => o.id !== prefix) && (i === 0 || edges.filter((e) => e.target === n.id).every((e) => e.source === members[i - 1].id)));
    const sameWhen = members.every((n) => JSON.stringify(n.when) === JSON.stringify(members[0].when));
    if (chain && sameWhen && members.length > 1) for (const n of members) sequentialOf.set(n.id, prefix);
  }
  for (const node of nodes) {
    const group = sequentialOf.get(node.id);
    if (group) {
      if (!attr.has(group)) attr.set(group, takeAttr(group));
      attr.set(node.id, attr.get(group)!);
    } else attr.set(node.id, takeAttr(node.id));
  }
  return { attr, sequentialOf };
}

/**
 * Where each layer of the expanded design sits in the module pytorchBlockCode writes, as in its
 * state_dict keys: "layer2.0.downsample.0" for the downsample's convolution of stage 2's first copy.
 */
export function pytorchModulePaths(source: Design, instances: readonly { id: string; copies?: string[] }[]): Map<string, string> {
  const blocks = source.blocks ?? {};
  const isBlock = (type: string): boolean => Object.prototype.hasOwnProperty.call(blocks, type);
  const stages = new Map(instances.filter((i) => i.copies).map((i) => [i.id, i.copies!]));
  const paths = new Map<string, string>();
  const walk = (nodes: DesignNode[], edges: DesignEdge[], flatPrefix: string, modulePrefix: string, depth: number): void => {
    if (depth > 64) return;
    const { attr, sequentialOf } = levelAttributes(nodes, edges, isBlock);
    for (const node of nodes) {
      const flatId = `${flatPrefix}${node.id}`;
      if (isBlock(node.type)) {
        const block = blocks[node.type];
        const copies = stages.get(flatId);
        if (copies) copies.forEach((copy, k) => walk(block.nodes, block.edges, `${copy}.`, `${modulePrefix}${attr.get(node.id)}.${k}.`, depth + 1));
        else walk(block.nodes, block.edges, `${flatId}.`, `${modulePrefix}${attr.get(node.id)}.`, depth + 1);
        continue;
      }
      const group = sequentialOf.get(node.id);
      paths.set(flatId, group ? `${modulePrefix}${attr.get(node.id)}.${/\.(\d+)$/.exec(node.id)![1]}` : `${modulePrefix}${attr.get(node.id)}`);
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
