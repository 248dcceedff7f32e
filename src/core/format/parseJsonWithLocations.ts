/**
 * A strict JSON parser (RFC 8259) that also records where every value sits in the text, so that
 * diagnostics can point at the exact key or value, and that reports syntax errors with a line and
 * column a person can find. JSON.parse gives neither, portably.
 */

export interface TextSpan {
  /** Offset of the first character, 0-based. */
  offset: number;
  length: number;
  /** 1-based line and column of the first character. */
  line: number;
  column: number;
}

export interface JsonSyntaxError {
  message: string;
  offset: number;
  line: number;
  column: number;
}

export type JsonPath = (string | number)[];

/** Where each value sits, by path key (see jsonPathKey); line and column are computed on demand. */
export interface SpanIndex {
  get(pathKey: string): TextSpan | undefined;
  has(pathKey: string): boolean;
}

export type JsonParseResult =
  | { ok: true; value: unknown; spans: SpanIndex }
  | { ok: false; error: JsonSyntaxError };

/** A span index with nothing in it, for documents that did not parse. */
export const EMPTY_SPANS: SpanIndex = { get: () => undefined, has: () => false };

const escapeSegment = (segment: string): string => (segment.includes('~') || segment.includes('/') ? segment.replace(/~/g, '~0').replace(/\//g, '~1') : segment);

/** Key of a JSON path in the span map: segments joined by '/'. */
export function jsonPathKey(path: JsonPath): string {
  return path.map((segment) => escapeSegment(String(segment))).join('/');
}

class JsonSyntaxFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Every string token of valid JSON text in order, with whether a ":" follows it (then it is a key). */
const STRING_TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?/g;

const countColons = (s: string): number => {
  let n = 0;
  for (let i = s.indexOf(':'); i !== -1; i = s.indexOf(':', i + 1)) n++;
  return n;
};

/**
 * The engine's JSON.parse, where its result is provably the strict parser's: it accepts the same
 * grammar and makes "__proto__" an own key too, so only what it tolerates and the strict parser
 * rejects is checked: nesting deeper than the strict parser allows, and a repeated key (it keeps
 * the last one). A repeated key is found by counting: every ":" of valid JSON text ends a key or
 * sits in a string; without \u escapes each ":" in a string of the value is one in the text, so a
 * dropped key (and whatever its value held) leaves the value with fewer keys and colons than the
 * text. With \u escapes the keys are counted on the text's string tokens instead. Anything else,
 * including every invalid text, goes to the strict parser, which locates the error.
 */
function parseWithEngine(text: string): { value: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
  let keysInValue = 0;
  let tooDeep = false;
  const countKeys = (v: unknown, depth: number): void => {
    if (depth > 500) tooDeep = true;
    if (tooDeep || typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) countKeys(v[i], depth + 1);
      return;
    }
    // for-in allocates no list of keys; a parsed object has only own, enumerable keys.
    for (const key in v) {
      keysInValue++;
      countKeys((v as Record<string, unknown>)[key], depth + 1);
    }
  };
  countKeys(value, 0);
  if (tooDeep) return undefined;
  if (!text.includes('\\u')) {
    // As many colons as keys: no string holds one and no key was dropped (the text has at least
    // the value's keys), so the strings need not be searched; most designs are so.
    const colonsInText = countColons(text);
    return colonsInText === keysInValue || colonsInText === keysInValue + colonsInStrings(value) ? { value } : undefined;
  }
  let keysInText = 0;
  STRING_TOKEN.lastIndex = 0;
  for (let m = STRING_TOKEN.exec(text); m; m = STRING_TOKEN.exec(text)) if (m[1] !== undefined) keysInText++;
  return keysInText === keysInValue ? { value } : undefined;
}

/** Colons in the keys and strings of a parsed value (not deeper than the parse allows: checked before). */
function colonsInStrings(v: unknown): number {
  if (typeof v === 'string') return countColons(v);
  if (typeof v !== 'object' || v === null) return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) n += colonsInStrings(v[i]);
    return n;
  }
  for (const key in v) n += countColons(key) + colonsInStrings((v as Record<string, unknown>)[key]);
  return n;
}

export function parseJsonWithLocations(text: string): JsonParseResult {
  const fast = parseWithEngine(text);
  const result: JsonParseResult = fast ? { ok: true, value: fast.value, spans: EMPTY_SPANS } : parseJson(text, false);
  if (!result.ok) return result;
  return { ok: true, value: result.value, spans: spansOnRequest(text) };
}

/**
 * Where each value of valid JSON `text` sits. Spans cost as much as the parse itself and are only
 * needed to point at a problem, so they are recorded by a second pass on the first request.
 */
export function spansOnRequest(text: string): SpanIndex {
  let recorded: SpanIndex | undefined;
  const index = (): SpanIndex => {
    if (!recorded) {
      const again = parseJson(text, true);
      recorded = again.ok ? again.spans : EMPTY_SPANS;
    }
    return recorded;
  };
  return { get: (key) => index().get(key), has: (key) => index().has(key) };
}

function parseJson(text: string, recordSpans: boolean): JsonParseResult {
  let lineStarts: number[] | undefined;
  // Line starts are only needed to report a position, which most parses never do.
  const locate = (offset: number): { line: number; column: number } => {
    if (!lineStarts) {
      lineStarts = [0];
      let i = text.indexOf('\n');
      while (i !== -1) {
        lineStarts.push(i + 1);
        i = text.indexOf('\n', i + 1);
      }
    }
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
  };
  const starts = new Map<string, number>();
  const ends = new Map<string, number>();
  const spans: SpanIndex = {
    get: (key) => {
      const start = starts.get(key);
      return start === undefined ? undefined : { offset: start, length: ends.get(key)! - start, ...locate(start) };
    },
    has: (key) => starts.has(key),
  };
  let pos = 0;
  const simpleString = /"([^"\\\u0000-\u001f]*)"/y;
  const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

  const describe = (offset: number): string => {
    if (offset >= text.length) return 'end of file';
    const ch = text[offset];
    return JSON.stringify(ch);
  };
  const fail = (message: string, offset = pos): never => {
    throw new JsonSyntaxFailure(message, offset);
  };
  const skipWhitespace = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) pos++;
      else if (c === 47 && (text[pos + 1] === '/' || text[pos + 1] === '*')) fail('Comments are not allowed in JSON');
      else break;
    }
  };
  const record = (key: string, start: number): void => {
    if (!recordSpans) return;
    starts.set(key, start);
    ends.set(key, pos);
  };

  const parseString = (): string => {
    simpleString.lastIndex = pos;
    const simple = simpleString.exec(text);
    if (simple) {
      pos = simpleString.lastIndex;
      return simple[1];
    }
    const start = pos;
    pos++; // opening quote
    let out = '';
    let chunkStart = pos;
    while (true) {
      if (pos >= text.length) fail('Unterminated string', start);
      const c = text.charCodeAt(pos);
      if (c === 34) {
        out += text.slice(chunkStart, pos);
        pos++;
        return out;
      }
      if (c < 32) fail('Control character in string (use \\n or \\t)');
      if (c === 92) {
        out += text.slice(chunkStart, pos);
        const esc = text[pos + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (esc !== undefined && esc in simple) {
          out += simple[esc];
          pos += 2;
        } else if (esc === 'u') {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Invalid \\u escape in string');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else fail(`Invalid escape ${describe(pos + 1)} in string`, pos + 1);
        chunkStart = pos;
        continue;
      }
      pos++;
    }
  };

  const parseNumber = (): number => {
    numberPattern.lastIndex = pos;
    const match = numberPattern.exec(text);
    if (!match) fail(`Unexpected ${describe(pos)}: expected a value`);
    pos = numberPattern.lastIndex;
    return Number(match![0]);
  };

  const parseValue = (key: string, depth: number): unknown => {
    if (depth > 500) fail('Nesting is too deep');
    skipWhitespace();
    const start = pos;
    const ch = text[pos];
    let value: unknown;
    if (ch === '{') {
      pos++;
      const obj: Record<string, unknown> = {};
      skipWhitespace();
      if (text[pos] === '}') pos++;
      else {
        while (true) {
          skipWhitespace();
          if (text[pos] !== '"') fail(text[pos] === '}' ? 'Trailing comma before "}"' : `Unexpected ${describe(pos)}: expected a property name in double quotes`);
          const keyStart = pos;
          const name = parseString();
          if (Object.prototype.hasOwnProperty.call(obj, name)) fail(`Duplicate key ${JSON.stringify(name)}`, keyStart);
          skipWhitespace();
          if (text[pos] !== ':') fail(`Unexpected ${describe(pos)}: expected ":" after property name`);
          pos++;
          const childValue = parseValue(!recordSpans ? '' : depth === 0 ? escapeSegment(name) : `${key}/${escapeSegment(name)}`, depth + 1);
          if (name === '__proto__') Object.defineProperty(obj, name, { value: childValue, enumerable: true, writable: true, configurable: true });
          else obj[name] = childValue;
          skipWhitespace();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === '}') {
            pos++;
            break;
          }
          fail(`Unexpected ${describe(pos)}: expected "," or "}"`);
        }
      }
      value = obj;
    } else if (ch === '[') {
      pos++;
      const arr: unknown[] = [];
      skipWhitespace();
      if (text[pos] === ']') pos++;
      else {
        while (true) {
          skipWhitespace();
          if (text[pos] === ']') fail('Trailing comma before "]"');
          arr.push(parseValue(!recordSpans ? '' : depth === 0 ? String(arr.length) : `${key}/${arr.length}`, depth + 1));
          skipWhitespace();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === ']') {
            pos++;
            break;
          }
          fail(`Unexpected ${describe(pos)}: expected "," or "]"`);
        }
      }
      value = arr;
    } else if (ch === '"') value = parseString();
    else if (text.startsWith('true', pos)) {
      pos += 4;
      value = true;
    } else if (text.startsWith('false', pos)) {
      pos += 5;
      value = false;
    } else if (text.startsWith('null', pos)) {
      pos += 4;
      value = null;
    } else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) value = parseNumber();
    else fail(`Unexpected ${describe(pos)}: expected a value`);
    record(key, start);
    return value;
  };

  try {
    // A byte-order mark is tolerated, as editors write one.
    if (text.charCodeAt(0) === 0xfeff) pos = 1;
    skipWhitespace();
    if (pos >= text.length) fail('The file is empty: expected a JSON object');
    const value = parseValue('', 0);
    skipWhitespace();
    if (pos < text.length) fail(`Unexpected ${describe(pos)} after the end of the JSON value`);
    return { ok: true, value, spans };
  } catch (err) {
    if (err instanceof JsonSyntaxFailure) {
      const offset = Math.min(err.offset, text.length);
      return { ok: false, error: { message: err.message, offset, ...locate(offset) } };
    }
    const offset = Math.min(pos, text.length);
    return { ok: false, error: { message: `Could not parse: ${String(err)}`, offset, ...locate(offset) } };
  }
}
