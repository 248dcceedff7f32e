/**
 * User-written text (design names, descriptions, node ids) as pieces of JavaScript source. A design is
 * untrusted input: JavaScript ends a `//` comment at \n, \r, U+2028 and U+2029, so all of them are
 * line ends here (with the Python ones, for editors that split there too), `*\/` cannot appear in a
 * block comment, and strings escape quotes, backslashes and every control character.
 */

/** Every character a JavaScript engine or editor may take as the end of a line. */
export const JS_LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/** Characters written as escapes: controls, line breaks, lone surrogates. */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const escapeCode = (c: string): string => {
  const code = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** A JavaScript string literal ('...') holding exactly `text`. */
export function jsString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(UNSAFE, escapeCode)}'`;
}

/** Text for `//` comments: one entry per line, other control characters shown as escapes. */
export function jsCommentLines(text: string): string[] {
  return text.split(JS_LINE_BREAK).map((line) => line.replace(UNSAFE, escapeCode));
}

/** One line of text for a `/** … *\/` comment: line breaks become spaces, and "*\/" cannot close it. */
export function jsBlockCommentText(text: string): string {
  return jsCommentLines(text)
    .join(' ')
    .replace(/\*\//g, '* /');
}
