import type { BlockDefinition, DesignNode } from '../design';
import type { BlockInstance } from '../blocks/expandBlocks';
import { evaluateExpression, isExpression } from '../blocks/blockExpression';

/** How one language writes values and conditions: what the line of a block's code differs by between copies. */
export interface CopyLineLanguage {
  literal(value: unknown): string;
  /** The values in a line of code: numbers and the language's booleans (one capturing group). */
  value: RegExp;
  /** A keyword argument in a line whose values are "#" (`, strides=(#, #)`), one that may be left at its default. */
  keywordArgument: RegExp;
  /** if / elif / else: `test` undefined for the last branch. */
  branches(cases: { test?: string; lines: string[] }[]): string[];
  equals(variable: string, literals: string[]): string;
}

/** A value each copy gives, and the code that says it in the block's own code. */
interface CopyValues {
  code: string;
  values: unknown[];
}

/** What the code of one node in every copy of a block is unified with. */
export interface CopyLineContext {
  /** The node whose code it is (its expressions and its "when"). */
  node: DesignNode | undefined;
  block: BlockDefinition;
  copies: BlockInstance[];
  /** The code of each block parameter. */
  params: ReadonlyMap<string, string>;
  /** The arguments of the block's code with their value in each copy: its parameters, and any the language adds (a PyTorch block's input channels). */
  args: CopyValues[];
  lang: CopyLineLanguage;
  /** A block expression over the parameters' code; undefined where the language cannot say it. */
  expression(expression: string): string | undefined;
  /** The test of the node's "when" (asked once the branches are written); absent where the language cannot say it. */
  whenTest?: () => string;
  /** The code an argument is tested as in a condition (asked when one is chosen); the argument's own code where absent. */
  testedArgument?: (code: string) => string;
  /**
   * Whether a value is read from every copy with the same text before it, not only from the copies
   * of the same shape: a value the same in one shape may still be an argument the other shapes show.
   */
  valuesFromAllShapes?: boolean;
}

/**
 * One piece of a block's code from its code in every copy (undefined where a copy leaves the node
 * out): values that are arguments (or expressions of them) written as such, and where copies differ
 * in shape, conditions on the node's "when" and on the arguments, nested as deep as needed. Undefined
 * when the copies differ in a way the arguments cannot say.
 */
export function unifyCopyLines(written: (string | undefined)[], context: CopyLineContext): string[] | undefined {
  const { node, block, copies, params, args, lang } = context;
  const expressionsOf = (n: DesignNode | undefined): CopyValues[] =>
    Object.values(n?.params ?? {})
      .filter(isExpression)
      .flatMap((e) => {
        const code = context.expression(e);
        return code === undefined ? [] : [{ code, values: copies.map((c) => evaluateExpression(e, c.args ?? {})).map((r) => (r.ok ? r.value : undefined)) }];
      });
  // A value is the node's own expression, an argument, or (as a batch norm's channels follow the
  // convolution before it) another node's expression.
  const candidates = [...expressionsOf(node), ...args, ...block.nodes.filter((n) => n !== node).flatMap(expressionsOf)];
  const texts = withDefaultsWritten(written, [...expressionsOf(node), ...args], lang);
  const split = (text: string): string[] => text.split(lang.value);
  const tokensOf = texts.map((t) => split(t ?? ''));
  const skeleton = (text: string | undefined): string => (text === undefined ? '\u0000' : split(text).map((p, k) => (k % 2 ? '#' : p)).join(''));
  const matches = (c: CopyValues, who: number[], column: (i: number) => string): boolean =>
    who.every((i) => lang.literal(c.values[i]) === column(i) || (typeof c.values[i] === 'number' && Number(column(i)) === c.values[i]));
  const template = (members: number[]): string | undefined => {
    const tokens = tokensOf[members[0]];
    const out: string[] = [];
    for (let t = 0; t < tokens.length; t++) {
      if (t % 2 === 0) {
        out.push(tokens[t]);
        continue;
      }
      const column = (i: number): string => tokensOf[i][t];
      // The same place in the other shapes of this line (the same text before it) says what a value is.
      const textBefore = (i: number): string => tokensOf[i].slice(0, t).filter((_, k) => k % 2 === 0).join('#');
      const alike = context.valuesFromAllShapes ? texts.map((_, i) => i).filter((i) => texts[i] !== undefined && tokensOf[i].length > t && textBefore(i) === textBefore(members[0])) : members;
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
      out.push(/^[A-Za-z_][A-Za-z0-9_.]*$/.test(found.code) ? found.code : `(${found.code})`);
    }
    return out.join('');
  };
  const groups = new Map<string, number[]>();
  texts.forEach((t, i) => groups.set(skeleton(t), [...(groups.get(skeleton(t)) ?? []), i]));
  const bodies: { members: number[]; lines: string[] }[] = [];
  for (const members of groups.values()) {
    const text = texts[members[0]] === undefined ? '' : template(members);
    if (text === undefined) return undefined;
    bodies.push({ members, lines: text ? text.split('\n') : [] });
  }
  const whenValues = typeof node?.when === 'string' ? copies.map((c) => evaluateExpression(node.when as string, c.args ?? {})).map((r) => (r.ok ? r.value : undefined)) : undefined;
  const paramOf = (code: string): string => [...params].find(([, v]) => v === code)?.[0] ?? code;
  const decide = (group: typeof bodies): string[] | undefined => {
    if (group.length === 1) return group[0].lines;
    if (whenValues && context.whenTest) {
      const on = group.filter((b) => b.members.every((i) => whenValues[i] === true));
      const off = group.filter((b) => b.members.every((i) => whenValues[i] === false));
      if (on.length && off.length && on.length + off.length === group.length) {
        const onLines = decide(on);
        const offLines = decide(off);
        return onLines && offLines ? lang.branches([{ test: context.whenTest(), lines: onLines }, { lines: offLines }]) : undefined;
      }
    }
    // The argument the node mentions, with the fewest values, says it best ("stride == 1", not "planes == 64").
    const mentioned = JSON.stringify([node?.params, node?.when]);
    const distinct = (a: CopyValues): number => new Set(group.flatMap((b) => b.members.map((i) => lang.literal(a.values[i])))).size;
    const ranked = [...args].sort((a, b) => Number(!mentioned.includes(`$${paramOf(a.code)}`)) - Number(!mentioned.includes(`$${paramOf(b.code)}`)) || distinct(a) - distinct(b));
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
    const tested = context.testedArgument ? context.testedArgument(splitter.code) : splitter.code;
    return lang.branches(
      group.map((b, g) => ({
        ...(g === group.length - 1 ? {} : { test: lang.equals(tested, [...new Set(b.members.map((i) => lang.literal(splitter.values[i])))]) }),
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
function withDefaultsWritten(texts: (string | undefined)[], candidates: { values: unknown[] }[], lang: CopyLineLanguage): (string | undefined)[] {
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
