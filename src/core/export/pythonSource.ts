/**
 * User-written text (design names, descriptions, node ids, dataset paths) as pieces of Python source.
 * A design is untrusted input: a lone "\r" in a `#` comment, or a quote in a string, would let its
 * author add statements to code the user runs. Python's tokenizer ends a line at \n, \r and \r\n;
 * tools that read source with `str.splitlines` also split at \v, \f, \x1c–\x1e, U+0085, U+2028 and
 * U+2029, so all of them are treated as line ends here, and every other control character is escaped.
 */

import { escapeSourceCharacter, SOURCE_LINE_BREAK, UNSAFE_IN_SOURCE } from './sourceEscapes';

/** Every character any Python reader may take as the end of a line. */
export const PYTHON_LINE_BREAK = SOURCE_LINE_BREAK;

/** Characters written as escapes inside a string: controls, line breaks, lone surrogates. */
const UNSAFE_IN_STRING = UNSAFE_IN_SOURCE;

const escapeCode = escapeSourceCharacter;

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
