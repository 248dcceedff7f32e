/**
 * Block parameter expressions: a string value inside a block that mentions "$name" is computed from
 * the instance's arguments, e.g. "$width", "$width * 4", "$stride != 1". A design is untrusted input,
 * so this is a small parser of its own (numbers, "$parameters", + - * / // %, comparisons, ! && ||,
 * parentheses), never `eval`.
 */

export type ExpressionResult = { ok: true; value: unknown } | { ok: false; error: string };

/** A parameter reference: "$" then a name. */
export const PARAMETER_REFERENCE = /\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** True when a parameter value is an expression of block parameters (a string naming one). */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && /\$[A-Za-z_]/.test(value);
}

/** The parameter names an expression reads. */
export function referencedNames(expression: string): string[] {
  return [...expression.matchAll(PARAMETER_REFERENCE)].map((m) => m[1]);
}

type Token = { kind: 'num'; value: number } | { kind: 'ref'; name: string } | { kind: 'op'; op: string };

const OPERATORS = ['//', '==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '!', '(', ')'];
const MAX_LENGTH = 200;

function tokenize(text: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const number = /^(\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i));
    if (number) {
      tokens.push({ kind: 'num', value: Number(number[1]) });
      i += number[1].length;
      continue;
    }
    const ref = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
    if (ref) {
      tokens.push({ kind: 'ref', name: ref[1] });
      i += ref[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) return `"${c}" cannot appear in an expression (use numbers, $parameters, + - * / // %, comparisons, ! && || and parentheses)`;
    tokens.push({ kind: 'op', op });
    i += op.length;
  }
  return tokens;
}

const describe = (value: unknown): string => JSON.stringify(value) ?? String(value);

/**
 * The value of `expression` with the parameters in `scope`. A lone "$name" is the argument itself,
 * whatever its JSON type (a list, a string); operators take numbers (! && || take booleans).
 */
export function evaluateExpression(expression: string, scope: Readonly<Record<string, unknown>>): ExpressionResult {
  if (expression.length > MAX_LENGTH) return { ok: false, error: `the expression is longer than ${MAX_LENGTH} characters` };
  const tokens = tokenize(expression);
  if (typeof tokens === 'string') return { ok: false, error: tokens };
  let pos = 0;
  class Failure extends Error {}
  const fail = (message: string): never => {
    throw new Failure(message);
  };
  const peek = (): Token | undefined => tokens[pos];
  const isOp = (op: string): boolean => {
    const t = peek();
    return t?.kind === 'op' && t.op === op;
  };
  const num = (v: unknown, op: string): number => (typeof v === 'number' ? v : fail(`"${op}" needs numbers, but got ${describe(v)}`));
  const bool = (v: unknown, op: string): boolean => (typeof v === 'boolean' ? v : fail(`"${op}" needs true or false, but got ${describe(v)}`));

  const primary = (): unknown => {
    const t = tokens[pos++];
    if (!t) return fail('the expression ends too early');
    if (t.kind === 'num') return t.value;
    if (t.kind === 'ref') {
      if (!Object.prototype.hasOwnProperty.call(scope, t.name)) return fail(`"$${t.name}" is not a parameter of this block`);
      return scope[t.name];
    }
    if (t.op === '(') {
      const v = or();
      if (!isOp(')')) fail('a ")" is missing');
      pos++;
      return v;
    }
    if (t.op === '-') return -num(primary(), '-');
    if (t.op === '!') return !bool(primary(), '!');
    return fail(`"${t.op}" cannot start a value`);
  };
  const product = (): unknown => {
    let v = primary();
    for (;;) {
      const op = ['*', '/', '//', '%'].find(isOp);
      if (!op) return v;
      pos++;
      const a = num(v, op);
      const b = num(primary(), op);
      if (op !== '*' && b === 0) fail('division by zero');
      v = op === '*' ? a * b : op === '/' ? a / b : op === '//' ? Math.floor(a / b) : a - b * Math.floor(a / b);
    }
  };
  const sum = (): unknown => {
    let v = product();
    for (;;) {
      const op = ['+', '-'].find(isOp);
      if (!op) return v;
      pos++;
      const a = num(v, op);
      const b = num(product(), op);
      v = op === '+' ? a + b : a - b;
    }
  };
  const comparison = (): unknown => {
    const v = sum();
    const op = ['==', '!=', '<=', '>=', '<', '>'].find(isOp);
    if (!op) return v;
    pos++;
    const w = sum();
    if (op === '==') return JSON.stringify(v) === JSON.stringify(w);
    if (op === '!=') return JSON.stringify(v) !== JSON.stringify(w);
    const a = num(v, op);
    const b = num(w, op);
    return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
  };
  const and = (): unknown => {
    let v = comparison();
    while (isOp('&&')) {
      pos++;
      const a = bool(v, '&&');
      const b = bool(comparison(), '&&');
      v = a && b;
    }
    return v;
  };
  const or = (): unknown => {
    let v = and();
    while (isOp('||')) {
      pos++;
      const a = bool(v, '||');
      const b = bool(and(), '||');
      v = a || b;
    }
    return v;
  };
  try {
    const value = or();
    if (pos < tokens.length) fail('the expression has more after its end');
    if (typeof value === 'number' && !Number.isFinite(value)) fail('the result is not a finite number');
    return { ok: true, value };
  } catch (err) {
    if (err instanceof Failure) return { ok: false, error: err.message };
    throw err;
  }
}

/**
 * `value` with every expression in it (also inside lists and objects) computed; the first failure
 * is returned instead.
 */
export function substituteExpressions(value: unknown, scope: Readonly<Record<string, unknown>>): ExpressionResult {
  if (isExpression(value)) return evaluateExpression(value, scope);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const r = substituteExpressions(item, scope);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return { ok: true, value: out };
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const r = substituteExpressions(item, scope);
      if (!r.ok) return r;
      Object.defineProperty(out, key, { value: r.value, enumerable: true, writable: true, configurable: true });
    }
    return { ok: true, value: out };
  }
  return { ok: true, value };
}
