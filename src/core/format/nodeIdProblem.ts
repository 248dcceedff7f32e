/**
 * The rule for node ids (docs/format.md): a letter, then up to 63 letters, digits, "_", "." or "-".
 * Ids name layers in generated code, in weight files and in messages; a design is untrusted input,
 * so an id can never carry a line break, a quote or a space into any of them. (TF.js refuses layer
 * and tensor names that start with "_", so a letter comes first.)
 */
export const NODE_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
export const NODE_ID_MAX_LENGTH = 64;

/** Why `id` cannot be a node id, in words for the user, or undefined when it can. */
export function nodeIdProblem(id: string): string | undefined {
  if (NODE_ID_PATTERN.test(id)) return undefined;
  // Shown quoted with every control character and line break escaped, as it must not break the message.
  const shown = JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id).replace(/[\x7f-\x9f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (id === '') return 'A layer id cannot be empty.';
  if (id.length > NODE_ID_MAX_LENGTH) return `The layer id ${shown} is ${id.length} characters long; ids have at most ${NODE_ID_MAX_LENGTH}.`;
  if (!/^[A-Za-z]/.test(id)) return `The layer id ${shown} must start with a letter.`;
  return `The layer id ${shown} may hold only letters, digits, "_", "." and "-" (no spaces, quotes or line breaks).`;
}

/**
 * A valid node id as close to `raw` as possible and not in `taken`: other characters become "_",
 * an id not starting with a letter gets an "n" in front, and a number is appended to keep it unique.
 */
export function safeNodeId(raw: string, taken: ReadonlySet<string>): string {
  let base = raw.replace(/[^A-Za-z0-9_.-]+/g, '_');
  if (base === '' || base === '_') base = 'layer';
  else if (!/^[A-Za-z]/.test(base)) base = base.startsWith('_') ? `n${base}` : `n_${base}`;
  base = base.slice(0, NODE_ID_MAX_LENGTH);
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const suffix = `_${i}`;
    const id = `${base.slice(0, NODE_ID_MAX_LENGTH - suffix.length)}${suffix}`;
    if (!taken.has(id)) return id;
  }
}
