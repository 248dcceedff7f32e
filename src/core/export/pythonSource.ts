/**
 * User-written text (design names, descriptions, node ids, dataset paths) as pieces of Python source.
 * A design is untrusted input: a lone "\r" in a `#` comment, or a quote in a string, would let its
 * author add statements to code the user runs. Python's tokenizer ends a line at \n, \r and \r\n;
 * tools that read source with `str.splitlines` also split at \v, \f, \x1c–\x1e, U+0085, U+2028 and
 * U+2029, so all of them are treated as line ends here, and every other control character is escaped.
 */

/** Every character any Python reader may take as the end of a line. */
export const PYTHON_LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/** Characters written as escapes inside a string: controls, line breaks, lone surrogates. */
const UNSAFE_IN_STRING = /[\x00-\x1f\x7f-\x9f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const escapeCode = (c: string): string => {
  const code = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** A Python string literal ("...") holding exactly `text`. */
export function pyString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(UNSAFE_IN_STRING, escapeCode)}"`;
}

/**
 * Text for `#` comments: one entry per line of the text (split at every Python line break), each
 * with its other control characters shown as escapes, so nothing in it can leave the comment.
 */
export function pyCommentLines(text: string): string[] {
  return text.split(PYTHON_LINE_BREAK).map((line) => line.replace(UNSAFE_IN_STRING, escapeCode));
}

/** One line of comment text: line breaks become spaces, other controls escapes. */
export const pyCommentText = (text: string): string => pyCommentLines(text).join(' ');

/**
 * Text for the inside of a `"""` docstring: backslashes and quotes escaped, line breaks kept as
 * plain "\n" and every other control character escaped, so the docstring ends where the code ends it.
 */
export function pyDocstringText(text: string): string {
  return text
    .split(PYTHON_LINE_BREAK)
    .map((line) => line.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(UNSAFE_IN_STRING, escapeCode))
    .join('\n');
}
