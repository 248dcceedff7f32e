/** Text from a stranger's model file, made safe for the two places it goes: names and messages. */
export const untrustedText = {
  /** A model name as one line of plain text: control characters and line breaks become spaces. */
  plainName: (name: string): string =>
    name
      .replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]+/g, ' ')
      .trim()
      .slice(0, 200),
  /** A name inside a message: control characters and line breaks escaped, so it cannot rewrite a terminal line. */
  printable: (text: string): string =>
    JSON.stringify(text)
      .slice(1, -1)
      .replace(/[\x7f-\x9f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
};
