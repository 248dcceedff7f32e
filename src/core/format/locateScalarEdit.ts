import type { JsonPath } from './parseJsonWithLocations';

/** One scalar value (number, string, true, false, null) of a JSON text replaced by another, and nothing else changed. */
export interface ScalarEdit {
  /** Where the value sits in the document, e.g. ["nodes", 3, "params", "filters"]. */
  path: JsonPath;
  /** The new value. */
  value: unknown;
  /** The value it replaced. */
  oldValue: unknown;
  /** Offset of the value's first character, the same in both texts. */
  start: number;
  /** Offset just after the value in the old text. */
  oldEnd: number;
  /** Offset just after the value in the new text. */
  newEnd: number;
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const JSON_STRING = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"$/;
const JSON_LITERAL = /^(?:true|false|null)$/;

/** Characters compared at once while looking for the first difference: slices compare natively. */
const CHUNK = 512;

function commonPrefixLength(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i + CHUNK <= limit && a.slice(i, i + CHUNK) === b.slice(i, i + CHUNK)) i += CHUNK;
  while (i < limit && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the common end of a and b, at most `limit`. */
function commonSuffixLength(a: string, b: string, limit: number): number {
  let i = 0;
  while (i + CHUNK <= limit && a.slice(a.length - i - CHUNK, a.length - i) === b.slice(b.length - i - CHUNK, b.length - i)) i += CHUNK;
  while (i < limit && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

/** Digits, signs, points and letters: what numbers and true, false, null are made of. */
const isBareScalarChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45 || c === 43 || c === 46;

/** Where the elements of an array of objects begin in a text: the array at `path` (keys from the root). */
export interface ElementStarts {
  path: readonly string[];
  /** Offset of each element's "{", in order. */
  offsets: readonly number[];
}

interface Level {
  object: boolean;
  /** The key of the value being read (objects) or its index (arrays). */
  key: string | number;
  /** In an object: the next string is a key. */
  expectKey: boolean;
}

/**
 * The scalar value of valid JSON `text` that holds all of [from, to) (its end included: a value
 * typed on at its end), with its path; undefined when the range touches anything else (a key, a
 * bracket, a comma, whitespace between values). Reads the text up to `from` only.
 */
function scalarAround(text: string, from: number, to: number, elements?: ElementStarts): { path: JsonPath; start: number; end: number } | undefined {
  const levels: Level[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const offsets = elements?.offsets;
  if (elements && offsets && offsets.length && offsets[0] <= from) {
    // Start at the element the change is in, rather than at the top of the text.
    let lo = 0;
    let hi = offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offsets[mid] <= from) lo = mid;
      else hi = mid - 1;
    }
    for (const key of elements.path) levels.push({ object: true, key, expectKey: false });
    levels.push({ object: false, key: lo, expectKey: false });
    i = offsets[lo];
  }
  const found = (start: number, end: number): { path: JsonPath; start: number; end: number } | undefined =>
    start <= from && to <= end && levels.length > 0 ? { path: levels.map((l) => l.key), start, end } : undefined;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) {
      i++;
      continue;
    }
    const top = levels[levels.length - 1];
    if (c === 34) {
      let end = i + 1;
      for (;;) {
        const quote = text.indexOf('"', end);
        if (quote < 0) return undefined;
        let backslashes = 0;
        while (text.charCodeAt(quote - 1 - backslashes) === 92) backslashes++;
        end = quote + 1;
        if (backslashes % 2 === 0) break;
      }
      if (top?.object && top.expectKey) {
        if (end >= from) return undefined;
        const inner = text.slice(i + 1, end - 1);
        top.key = inner.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : inner;
        top.expectKey = false;
      } else if (end >= from) return found(i, end);
      i = end;
      continue;
    }
    if (isBareScalarChar(c)) {
      let end = i + 1;
      while (end < n && isBareScalarChar(text.charCodeAt(end))) end++;
      if (end >= from) return found(i, end);
      i = end;
      continue;
    }
    if (i >= from) return undefined;
    if (c === 123 || c === 91) levels.push({ object: c === 123, key: c === 123 ? '' : 0, expectKey: true });
    else if (c === 125 || c === 93) levels.pop();
    else if (c === 44) {
      if (top?.object) top.expectKey = true;
      else if (top) top.key = (top.key as number) + 1;
    }
    i++;
  }
  return undefined;
}

/**
 * How `newText` differs from the valid JSON `oldText`, when the difference is one scalar value
 * replaced by another valid one: then the new text parses to the old value with only that value
 * changed. Undefined for any other difference (or none). Costs a comparison of the texts and a
 * scan of the old one up to the change, far less than a parse; with `elements`, where the objects
 * of a large array start in the old text, only from the object the change is in.
 */
export function locateScalarEdit(oldText: string, newText: string, elements?: ElementStarts): ScalarEdit | undefined {
  if (oldText === newText) return undefined;
  const from = commonPrefixLength(oldText, newText);
  const suffix = commonSuffixLength(oldText, newText, Math.min(oldText.length, newText.length) - from);
  const around = scalarAround(oldText, from, oldText.length - suffix, elements);
  if (!around) return undefined;
  const newEnd = around.end + newText.length - oldText.length;
  const token = newText.slice(around.start, newEnd);
  if (!JSON_NUMBER.test(token) && !JSON_STRING.test(token) && !JSON_LITERAL.test(token)) return undefined;
  return { path: around.path, value: JSON.parse(token), oldValue: JSON.parse(oldText.slice(around.start, around.end)), start: around.start, oldEnd: around.end, newEnd };
}

/**
 * Where each element of the array under the root object's `key` starts in valid JSON `text`, for
 * elements that are objects (the offset of their "{"); others are left out, so a caller compares
 * the count with the array's length.
 */
export function objectElementStarts(text: string, key: string): ElementStarts {
  const offsets: number[] = [];
  /** Depth of nesting, and whether the text is inside the array. */
  let depth = 0;
  let inArray = false;
  let arrayDepth = -1;
  let lastRootKey = '';
  let expectRootKey = false;
  const n = text.length;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      let end = i + 1;
      for (;;) {
        const quote = text.indexOf('"', end);
        if (quote < 0) return { path: [key], offsets };
        let backslashes = 0;
        while (text.charCodeAt(quote - 1 - backslashes) === 92) backslashes++;
        end = quote + 1;
        if (backslashes % 2 === 0) break;
      }
      if (depth === 1 && expectRootKey) {
        const inner = text.slice(i + 1, end - 1);
        lastRootKey = inner.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : inner;
        expectRootKey = false;
      }
      i = end - 1;
    } else if (c === 123 || c === 91) {
      if (inArray && depth === arrayDepth && c === 123) offsets.push(i);
      depth++;
      if (depth === 1) expectRootKey = true;
      if (depth === 2 && c === 91 && lastRootKey === key) {
        inArray = true;
        arrayDepth = 2;
      }
    } else if (c === 125 || c === 93) {
      depth--;
      if (inArray && depth < arrayDepth) return { path: [key], offsets };
    } else if (c === 44 && depth === 1) expectRootKey = true;
  }
  return { path: [key], offsets };
}
