/** The smallest single replacement turning `before` into `after`, as offsets into `before`. */
export interface TextReplacement {
  start: number;
  end: number;
  text: string;
}

/**
 * Trims the common prefix and suffix, so that an edit of one parameter replaces one line and
 * cursors and folds in a text editor open on the same file stay where they were.
 */
export function minimalReplacement(before: string, after: string): TextReplacement {
  let start = 0;
  const shorter = Math.min(before.length, after.length);
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  // Never split a surrogate pair: VS Code positions count UTF-16 units, but a half pair is not text.
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  if (endBefore < before.length && isLowSurrogate(before.charCodeAt(endBefore))) {
    endBefore++;
    endAfter++;
  }
  return { start, end: endBefore, text: after.slice(start, endAfter) };
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
