import { parseTree, type Edit, type Node as JsonNode } from 'jsonc-parser';
import type { Design } from '../design';
import { alignArrays } from './alignArrays';
import { detectJsonLayout, type JsonLayout } from './detectJsonLayout';
import { parseDesign } from './parseDesign';
import { designToJson, formatJson, serializeDesign } from './serializeDesign';

export interface DesignTextEdit {
  newText: string;
  /** The changes, as offsets into the old text (non-overlapping, in any order). */
  edits: Edit[];
}

/**
 * The text a design document becomes when its design `before` (parsed from `text`, losslessly)
 * turns into `after`, changing only the JSON values that differ: a parameter change rewrites that
 * value (or the one-line object holding it), a move the position, a new layer adds its entry, a
 * deleted one removes its entry; indentation, key order, spacing and line ends of everything else
 * stay as the user wrote them, and added text is laid out like the file around it.
 *
 * Offsets come from jsonc-parser's parse tree (the parser VS Code's JSON support uses). Its
 * `modify` does not place entries well enough for this: with formatting options it re-lays out
 * every line it touches (a neighbour's one-line `params` is spread over four lines), and without
 * them it glues entries onto their neighbour's line.
 *
 * Should the result ever not read back as `after`, the canonical text is written instead: an edit
 * may reformat, but never change, the design.
 */
export function editDesignText(text: string, before: Design, after: Design): DesignTextEdit {
  const root = parseTree(text, [], { disallowComments: true });
  if (root) {
    const located = new LocatedEdits(text, detectJsonLayout(text, root));
    located.value(root, designToJson(before), designToJson(after));
    // At one offset, an insertion goes before the edit that starts there.
    const edits = [...located.edits].sort((a, b) => a.offset - b.offset || (a.length === 0 ? 0 : 1) - (b.length === 0 ? 0 : 1));
    const newText = applySortedEdits(text, edits);
    if (readsBackAs(newText, after)) return { newText, edits };
  }
  const canonical = serializeDesign(after);
  return { newText: canonical, edits: [{ offset: 0, length: text.length, content: canonical }] };
}

/**
 * The text with `edits` (sorted by offset, not overlapping) applied, in one pass: jsonc-parser's
 * `applyEdits` copies the whole text once per edit, seconds for an auto-layout of 1,000 layers.
 */
function applySortedEdits(text: string, edits: readonly Edit[]): string {
  const pieces: string[] = [];
  let at = 0;
  for (const edit of edits) {
    if (edit.offset < at) throw new Error(`Overlapping edits at offset ${edit.offset}.`);
    pieces.push(text.slice(at, edit.offset), edit.content);
    at = edit.offset + edit.length;
  }
  pieces.push(text.slice(at));
  return pieces.join('');
}

function readsBackAs(text: string, design: Design): boolean {
  const parsed = parseDesign(text);
  return parsed.lossless && parsed.design !== undefined && sameJson(designToJson(parsed.design), designToJson(design));
}

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** Deep equality of JSON values, ignoring key order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => has(b, k) && sameJson(a[k], b[k]));
}

/** A comparison key for an array element that does not depend on key order. */
function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableKey(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

const propertyKey = (property: JsonNode): string => property.children![0].value as string;
const propertyValue = (property: JsonNode): JsonNode => property.children![1];
const end = (node: JsonNode): number => node.offset + node.length;

/**
 * The file's keys that stay, in the file's order, with each new key placed after the nearest key
 * that precedes it in `keys` (the canonical order), so a new "strides" lands after "kernelSize".
 */
function mergedKeyOrder(fileKeys: readonly string[], keys: readonly string[]): string[] {
  const wanted = new Set(keys);
  const order = fileKeys.filter((k) => wanted.has(k));
  keys.forEach((key, i) => {
    if (order.includes(key)) return;
    let at = 0;
    for (let p = i - 1; p >= 0; p--) {
      const found = order.indexOf(keys[p]);
      if (found >= 0) {
        at = found + 1;
        break;
      }
    }
    order.splice(at, 0, key);
  });
  return order;
}

/**
 * The keys of `after` to write where the file has `fileKeys` and the design model read `before`:
 * a key the file leaves out and the model filled in unchanged (an empty "edges", say) stays out.
 */
const keysToWrite = (fileKeys: readonly string[], before: unknown, after: JsonObject): string[] =>
  Object.keys(after).filter((k) => fileKeys.includes(k) || !isObject(before) || !has(before, k) || !sameJson(before[k], after[k]));

/** `after` with the keys and key order of `node` (the file's text of what the model read as `before`) wherever the file has the same object. */
function inFileOrder(after: unknown, node: JsonNode | undefined, before: unknown): unknown {
  if (Array.isArray(after)) return node?.type === 'array' ? after.map((v, i) => inFileOrder(v, node.children?.[i], Array.isArray(before) ? before[i] : undefined)) : after;
  if (!isObject(after)) return after;
  const properties = node?.type === 'object' ? (node.children ?? []) : [];
  const fileKeys = properties.map(propertyKey);
  const out: JsonObject = {};
  for (const key of mergedKeyOrder(fileKeys, node?.type === 'object' ? keysToWrite(fileKeys, before, after) : Object.keys(after))) {
    const property = properties.find((p) => propertyKey(p) === key);
    const value = inFileOrder(after[key], property && propertyValue(property), isObject(before) ? before[key] : undefined);
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The designer's line limit for one-line containers (as in serializeDesign). */
const MAX_LINE = 100;

/** `value` on one line, spaced as the designer writes short containers: `{ "x": 1, "y": 2 }`, `[28, 28, 1]`. */
function oneLineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLineJson).join(', ')}]`;
  if (!isObject(value)) return JSON.stringify(value) ?? 'null';
  const entries = Object.keys(value).map((k) => `${JSON.stringify(k)}: ${oneLineJson(value[k])}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

/** One slot of a container after the edit: an entry the file already has, or new text. */
type Slot = { kind: 'kept'; index: number } | { kind: 'added'; text: (indent: string) => string };

/** Collects the edits that turn one JSON value of the file into another. */
class LocatedEdits {
  readonly edits: Edit[] = [];

  constructor(
    private readonly text: string,
    private readonly layout: JsonLayout,
  ) {}

  /** Edits `node` (the file's text of a value the design model read as `before`) into `after`. */
  value(node: JsonNode, before: unknown, after: unknown): void {
    if (sameJson(before, after)) return;
    const sameKind = (node.type === 'object' && isObject(after)) || (node.type === 'array' && Array.isArray(after));
    const empty = isObject(after) ? Object.keys(after).length === 0 : Array.isArray(after) && after.length === 0;
    // A one-line container is rewritten whole: its line changes either way, and it stays one line.
    if (!sameKind || empty || !this.spansLines(node)) return this.replace(node, before, after);
    if (isObject(after)) this.object(node, isObject(before) ? before : {}, after);
    else this.array(node, Array.isArray(before) ? before : [], after as unknown[]);
  }

  private object(node: JsonNode, before: JsonObject, after: JsonObject): void {
    const properties = node.children ?? [];
    const fileKeys = properties.map(propertyKey);
    const slots: Slot[] = mergedKeyOrder(fileKeys, keysToWrite(fileKeys, before, after)).map((key) => {
      const index = fileKeys.indexOf(key);
      if (index >= 0) {
        this.value(propertyValue(properties[index]), before[key], after[key]);
        return { kind: 'kept', index };
      }
      const name = `${JSON.stringify(key)}: `;
      return { kind: 'added', text: (indent) => name + this.render(after[key], indent, name.length) };
    });
    const removed = fileKeys.flatMap((key, i) => (has(after, key) ? [] : [i]));
    this.entries(node, before, after, slots, removed);
  }

  private array(node: JsonNode, before: unknown[], after: unknown[]): void {
    const elements = node.children ?? [];
    const { oldIndexOf, removed } = alignArrays(before.map(stableKey), after.map(stableKey));
    const slots = after.map((value, j): Slot => {
      const index = oldIndexOf[j];
      if (index < 0) return { kind: 'added', text: (indent) => this.render(value, indent, 0) };
      this.value(elements[index], before[index], value);
      return { kind: 'kept', index };
    });
    this.entries(node, before, after, slots, removed);
  }

  /**
   * Adds and removes the entries of a container spread over lines: a removed entry goes with the
   * comma and line break before it, an added one comes on its own line, indented like its siblings.
   */
  private entries(node: JsonNode, before: unknown, after: unknown, slots: Slot[], removed: number[]): void {
    const entries = node.children ?? [];
    const firstKept = slots.find((s) => s.kind === 'kept')?.index;
    if (firstKept === undefined) return this.replace(node, before, after);
    const indent = this.entryIndent(entries[firstKept], node);
    const { eol } = this.layout;
    let anchor: number | undefined;
    let added: string[] = [];
    const flush = (): void => {
      if (added.length === 0) return;
      if (anchor === undefined) this.edits.push({ offset: entries[firstKept].offset, length: 0, content: added.map((t) => t + ',' + eol + indent).join('') });
      else this.edits.push({ offset: end(entries[anchor]), length: 0, content: added.map((t) => ',' + eol + indent + t).join('') });
      added = [];
    };
    for (const slot of slots) {
      if (slot.kind === 'added') added.push(slot.text(indent));
      else {
        flush();
        anchor = slot.index;
      }
    }
    flush();
    if (removed.some((i) => i < firstKept)) this.edits.push({ offset: entries[0].offset, length: entries[firstKept].offset - entries[0].offset, content: '' });
    for (const i of removed) if (i > firstKept) this.edits.push({ offset: end(entries[i - 1]), length: end(entries[i]) - end(entries[i - 1]), content: '' });
  }

  private replace(node: JsonNode, before: unknown, after: unknown): void {
    const lineStart = this.lineStart(node.offset);
    const indent = /^[ \t]*/.exec(this.text.slice(lineStart, node.offset))![0];
    const value = inFileOrder(after, node, before);
    const keyLength = node.offset - lineStart - indent.length;
    // A container the user kept on one line stays on one line while its line is no longer than the
    // designer's limit or than it was. An empty one ([] or {}) says nothing of a layout: every
    // writer puts it on one line, so what fills it is laid out as the file's style lays it out.
    const keptOnOneLine = (node.type === 'object' || node.type === 'array') && (node.children?.length ?? 0) > 0 && !this.spansLines(node);
    const oneLine = keptOnOneLine && this.layout.style === 'inline' ? oneLineJson(value) : undefined;
    const fits = oneLine !== undefined && indent.length + keyLength + oneLine.length <= Math.max(MAX_LINE, indent.length + keyLength + node.length);
    this.edits.push({ offset: node.offset, length: node.length, content: fits ? oneLine : this.render(value, indent, keyLength) });
  }

  /** `value` as text in the file's layout, starting on a line indented by `indent` after `keyLength` characters. */
  private render(value: unknown, indent: string, keyLength: number): string {
    const { style, unit, eol } = this.layout;
    if (style === 'compact') return JSON.stringify(value);
    const text = style === 'expanded' ? JSON.stringify(value, null, unit).split('\n').join(`\n${indent}`) : formatJson(value, indent, keyLength, unit);
    return eol === '\n' ? text : text.split('\n').join(eol);
  }

  /** The indentation of `entry`'s line when the entry starts it, else one level deeper than the container's line. */
  private entryIndent(entry: JsonNode, container: JsonNode): string {
    const before = this.text.slice(this.lineStart(entry.offset), entry.offset);
    if (/^[ \t]*$/.test(before)) return before;
    const containerLine = this.lineStart(container.offset);
    return /^[ \t]*/.exec(this.text.slice(containerLine, container.offset))![0] + this.layout.unit;
  }

  private lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  private spansLines(node: JsonNode): boolean {
    const newline = this.text.indexOf('\n', node.offset);
    return newline !== -1 && newline < end(node);
  }
}
