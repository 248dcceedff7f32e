/**
 * What JavaScript and Python source share about untrusted text: the characters any reader of either
 * may take as a line end, and how a character that must not appear raw is written as an escape
 * (both languages read \n, \r, \t, \xNN and \uNNNN alike).
 */

/** Every character a JavaScript or Python reader (engine, tokenizer, editor, `str.splitlines`) may take as a line end. */
export const SOURCE_LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/** Characters written as escapes inside strings and comments: controls, line breaks, lone surrogates. */
export const UNSAFE_IN_SOURCE = /[\x00-\x1f\x7f-\x9f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The escape of one unsafe character. */
export const escapeSourceCharacter = (c: string): string => {
  const code = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};
