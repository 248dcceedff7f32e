import type { Node as JsonNode } from 'jsonc-parser';

/**
 * How a JSON file is laid out, read from the file itself, so that text an edit adds looks like
 * the text around it:
 * - `compact`: the whole value on one line (as `JSON.stringify` writes it);
 * - `expanded`: every non-empty object and array spread over lines (VS Code's Format Document);
 * - `inline`: short containers of plain values kept on one line (the designer's own layout).
 */
export interface JsonLayout {
  style: 'compact' | 'expanded' | 'inline';
  /** One level of indentation: a tab or some spaces. */
  unit: string;
  eol: '\n' | '\r\n';
}

/** The layout of `text`, whose parse tree (jsonc-parser's `parseTree`) is `root`. */
export function detectJsonLayout(text: string, root: JsonNode): JsonLayout {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const multiLine = (node: JsonNode): boolean => text.indexOf('\n', node.offset) !== -1 && text.indexOf('\n', node.offset) < node.offset + node.length;
  if (!multiLine(root)) return { style: 'compact', unit: '  ', eol };
  return { style: containerLayout(root, multiLine), unit: indentUnit(text, root), eol };
}

/**
 * `inline` when some non-empty object or array below the root sits on one line, `expanded` when
 * they all spread over lines, and the designer's own `inline` when the file has none to tell.
 */
function containerLayout(root: JsonNode, multiLine: (node: JsonNode) => boolean): 'inline' | 'expanded' {
  let spread = false;
  const stack = [...(root.children ?? [])];
  while (stack.length) {
    const node = stack.pop()!;
    if ((node.type === 'object' || node.type === 'array') && node.children?.length) {
      if (!multiLine(node)) return 'inline';
      spread = true;
    }
    stack.push(...(node.children ?? []));
  }
  return spread ? 'expanded' : 'inline';
}

/** The indentation of the root's first entry, which sits one level deep; two spaces when it shares a line with the brace. */
function indentUnit(text: string, root: JsonNode): string {
  const first = root.children?.[0];
  if (!first) return '  ';
  const lineStart = text.lastIndexOf('\n', first.offset - 1) + 1;
  const before = text.slice(lineStart, first.offset);
  return before.length > 0 && /^[ \t]+$/.test(before) ? before : '  ';
}
