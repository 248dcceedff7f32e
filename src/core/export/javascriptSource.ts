/**
 * User-written text (design names, descriptions, node ids) as pieces of JavaScript source. A design is
 * untrusted input: JavaScript ends a `//` comment at \n, \r, U+2028 and U+2029, so all of them are
 * line ends here (with the Python ones, for editors that split there too), `*\/` cannot appear in a
 * block comment, and strings escape quotes, backslashes and every control character.
 */

import { escapeSourceCharacter, SOURCE_LINE_BREAK, UNSAFE_IN_SOURCE } from './sourceEscapes';

/** Every character a JavaScript engine or editor may take as the end of a line. */
export const JS_LINE_BREAK = SOURCE_LINE_BREAK;

/** Characters written as escapes: controls, line breaks, lone surrogates. */
const UNSAFE = UNSAFE_IN_SOURCE;

const escapeCode = escapeSourceCharacter;

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
