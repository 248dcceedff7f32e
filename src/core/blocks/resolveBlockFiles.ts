import { closestName } from '../closestName';
import type { BlockDefinition, BlockImport, Design } from '../design';
import type { Diagnostic, SuggestedFix } from '../analysis/diagnostic';
import { parseDesign, type ParsedDesign } from '../format/parseDesign';
import { jsonPathKey, type JsonPath, type SpanIndex } from '../format/parseJsonWithLocations';
import { getLayerType } from '../layers/layerCatalog';
import { blockFilePath, shownBlockFile } from './blockFilePath';

/**
 * The text of the design files a design's blocks come from, by their path relative to the design's
 * folder ("lib/blocks.cnn.json"); undefined where there is no such file. The host reads them (the
 * editor from the workspace, the command line from disk), so the core reads nothing itself.
 */
export type BlockFileSource = ReadonlyMap<string, string | undefined> | ((path: string) => string | undefined);

/** Where a block brought in from another file is defined. */
export interface ImportedBlockOrigin {
  /** The file holding its definition, relative to the design's folder. */
  file: string;
  /** Its name in that file. */
  name: string;
  /** The entry of the design's own "blocks" that brings it in (itself, or a block that uses it). */
  entry: string;
  /** Where each JSON path of that file sits in its text. */
  spans: SpanIndex;
}

export interface ResolvedBlockFiles {
  /** The design with the definitions of other files' blocks in its `blocks` and no `blockImports`. */
  design: Design;
  /** Problems of the imports themselves, at the entry in "blocks" that names the file. */
  diagnostics: Diagnostic[];
  /** Every file asked for, found or not, in the order asked: a host watches them for changes. */
  files: string[];
  /** Each block that came from another file, by its name in the design. */
  origins: ReadonlyMap<string, ImportedBlockOrigin>;
  /**
   * Diagnostics of the analysis of `design` pointed at the text of the design: one about a block of
   * another file goes to the entry importing it, naming the file and the line there.
   */
  locate(diagnostics: Diagnostic[]): Diagnostic[];
}

/** Files read for one design at most: a design is untrusted input. */
export const MAX_BLOCK_FILES = 64;

/** Parse problems that make a whole file unusable as a source of blocks. */
const FILE_BREAKERS = new Set(['malformed-json', 'not-a-design', 'wrong-format', 'newer-version']);

/** An import that failed: stands in for its block, so that instances of it fail quietly (the import said why). */
const PLACEHOLDER: BlockDefinition = { params: {}, inputs: ['x'], outputs: ['out'], nodes: [], edges: [] };

const own = (o: object | undefined, key: string): boolean => o !== undefined && Object.prototype.hasOwnProperty.call(o, key);
const setOwn = <T>(o: Record<string, T>, key: string, value: T): void => {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
};

interface Found {
  ok: true;
  definition: BlockDefinition;
  file: string;
  name: string;
  parsed: ParsedDesign;
}
interface Failed {
  ok: false;
  code: string;
  /** The key of the import entry the problem is about. */
  key: 'from' | 'block';
  message: string;
  fixes: SuggestedFix[];
}

/**
 * Puts the blocks a design takes from other design files (`"blocks": {"Bottleneck": {"from":
 * "./resnet-blocks.cnn.json"}}`) into it, with the blocks those use in turn, following imports
 * from file to file. Pure and total: a missing file, a missing block, a file that does not parse,
 * a cycle of imports or two different blocks of one name is a diagnostic at the importing entry.
 */
export function resolveBlockFiles(design: Design, source: BlockFileSource | undefined): ResolvedBlockFiles {
  const imports = design.blockImports;
  if (!imports) return { design, diagnostics: [], files: [], origins: new Map(), locate: (d) => d };
  const read = (path: string): string | undefined => {
    if (source === undefined) return undefined;
    try {
      return typeof source === 'function' ? source(path) : source.get(path);
    } catch {
      return undefined;
    }
  };
  const known = typeof source === 'object' ? [...source].filter(([, text]) => text !== undefined).map(([path]) => path) : [];
  const loaded = new Map<string, ParsedDesign | undefined>();
  const files: string[] = [];
  let tooMany = false;
  const load = (path: string): ParsedDesign | undefined | 'too-many' => {
    if (loaded.has(path)) return loaded.get(path);
    if (loaded.size >= MAX_BLOCK_FILES) {
      tooMany = true;
      return 'too-many';
    }
    files.push(path);
    const text = read(path);
    const parsed = text === undefined ? undefined : parseDesign(text);
    loaded.set(path, parsed);
    return parsed;
  };
  const fail = (code: string, key: 'from' | 'block', message: string, fixes: SuggestedFix[] = []): Failed => ({ ok: false, code, key, message, fixes });

  /** The block `wanted` of the file at `file`: its definition there, or where its import there leads. */
  const lookUp = (file: string, parsed: ParsedDesign, wanted: string, trail: string[], asked: BlockImport | undefined): Found | Failed => {
    const shown = shownBlockFile(file);
    const fileDesign = parsed.design!;
    if (own(fileDesign.blocks, wanted)) {
      const broken = parsed.diagnostics.find((d) => d.severity === 'error' && d.path?.[0] === 'blocks' && d.path[1] === wanted);
      if (broken) return fail('block-file-invalid', 'from', `The block "${wanted}" of ${shown} is not well formed${broken.line ? ` (line ${broken.line})` : ''}: ${broken.message}`);
      return { ok: true, definition: fileDesign.blocks![wanted], file, name: wanted, parsed };
    }
    const further = fileDesign.blockImports?.[wanted];
    if (further && own(fileDesign.blockImports, wanted)) return follow(further, wanted, file, trail);
    const available = [...Object.keys(fileDesign.blocks ?? {}), ...Object.keys(fileDesign.blockImports ?? {})];
    const meant = closestName(wanted, available);
    const renamed = asked?.block !== undefined;
    return fail(
      'block-not-in-file',
      renamed ? 'block' : 'from',
      `${shown} has no block "${wanted}"; ${available.length ? `its blocks: ${available.join(', ')}` : 'it defines no blocks'}.${meant ? ` Did you mean "${meant}"?` : ''}`,
      meant ? [{ title: renamed ? `Change "block" to "${meant}"` : `Add "block": "${meant}" to take ${meant} under this name` }] : [],
    );
  };

  /** Follows one import written in the file `holder` ("" for the design) under the name `name`. */
  const follow = (imported: BlockImport, name: string, holder: string, trail: string[]): Found | Failed => {
    const where = blockFilePath(imported.from, holder);
    const inHolder = holder === '' ? '' : `In ${shownBlockFile(holder)}, which this block comes through: `;
    if (!where.ok) return fail('block-file-path', 'from', `${inHolder}${where.error}`);
    const shown = shownBlockFile(where.path);
    const wanted = imported.block ?? name;
    const key = `${where.path}#${wanted}`;
    if (trail.includes(key)) {
      const chain = [...trail.slice(trail.indexOf(key)), key].map((k) => `${shownBlockFile(k.slice(0, k.lastIndexOf('#')))} ${k.slice(k.lastIndexOf('#') + 1)}`);
      return fail('block-file-cycle', 'from', `The block files import each other in a circle (${chain.join(' → ')}), so the block is never defined; define it in one of them.`);
    }
    const parsed = load(where.path);
    if (parsed === 'too-many') return fail('block-file-limit', 'from', `The blocks come from more than ${MAX_BLOCK_FILES} files; ${shown} was not read.`);
    if (parsed === undefined) {
      if (source === undefined) return fail('block-file-unread', 'from', `${inHolder}${shown} was not read here, so the block "${wanted}" is unknown.`);
      const near = closestName(where.path, known);
      return fail(
        'block-file-not-found',
        'from',
        `${inHolder}There is no file ${shown}${holder === '' ? ' (the path is relative to this design\'s folder)' : ` (the path is relative to the folder of ${shownBlockFile(holder)})`}.${near ? ` Did you mean ${shownBlockFile(near)}?` : ''}`,
        near && holder === '' ? [{ title: `Change "from" to "${shownBlockFile(near)}"` }] : [{ title: 'Correct the path in "from", or create the file' }],
      );
    }
    const broken = parsed.diagnostics.find((d) => FILE_BREAKERS.has(d.code) && d.severity === 'error') ?? (parsed.design ? undefined : parsed.diagnostics[0]);
    if (broken || !parsed.design)
      return fail('block-file-invalid', 'from', `${inHolder}${shown} cannot be read as a design${broken?.line ? ` (line ${broken.line}${broken.column ? `, column ${broken.column}` : ''})` : ''}: ${broken?.message ?? 'it holds no design.'}`);
    const found = lookUp(where.path, parsed, wanted, [...trail, key], imported);
    if (!found.ok && holder !== '' && !found.message.startsWith('In ')) return { ...found, key: 'from', message: `In ${shownBlockFile(holder)}, which this block comes through: ${found.message}` };
    return found;
  };

  const blocks: Record<string, BlockDefinition> = {};
  /** Where each block of the result comes from, "<file>#<name>" ("#<name>" for the design's own), to tell a clash from the same block twice. */
  const sourceOf = new Map<string, string>();
  for (const [name, block] of Object.entries(design.blocks ?? {})) {
    setOwn(blocks, name, block);
    sourceOf.set(name, `#${name}`);
  }
  const origins = new Map<string, ImportedBlockOrigin>();
  const placeholders = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const report = (entry: string, problem: Failed): void => {
    diagnostics.push({ severity: 'error', code: problem.code, path: ['blocks', entry, problem.key], message: `Block "${entry}": ${problem.message}`, fixes: problem.fixes });
  };
  const register = (name: string, found: Found, entry: string): boolean => {
    const key = `${found.file}#${found.name}`;
    const before = sourceOf.get(name);
    if (before !== undefined) {
      if (before !== key) {
        const other = before.startsWith('#') ? 'this design defines another' : `another comes from ${shownBlockFile(before.slice(0, before.lastIndexOf('#')))}`;
        report(entry, fail('block-file-clash', 'from', `it uses the block "${name}" of ${shownBlockFile(found.file)}, and ${other}; rename one of them.`));
      }
      return false;
    }
    setOwn(blocks, name, found.definition);
    sourceOf.set(name, key);
    origins.set(name, { file: found.file, name: found.name, entry, spans: found.parsed.spans });
    return true;
  };

  // The design's own imports first, so that a clash is blamed on the block used inside another.
  const queue: { found: Found; entry: string }[] = [];
  for (const [name, imported] of Object.entries(imports)) {
    const found = follow(imported, name, '', []);
    if (!found.ok) {
      report(name, found);
      setOwn(blocks, name, PLACEHOLDER);
      sourceOf.set(name, `\u0000failed#${name}`);
      placeholders.add(name);
    } else if (register(name, found, name)) queue.push({ found, entry: name });
  }
  // Then the blocks those use, looked up in the file each is written in.
  for (let i = 0; i < queue.length && !tooMany; i++) {
    const { found, entry } = queue[i];
    for (const node of found.definition.nodes) {
      const type = node.type;
      if (getLayerType(type) || sourceOf.get(type) === `${found.file}#${type}`) continue;
      const fileDesign = found.parsed.design!;
      if (!own(fileDesign.blocks, type) && !own(fileDesign.blockImports, type)) continue; // its definition check names it
      const used = lookUp(found.file, found.parsed, type, [`${found.file}#${found.name}`], undefined);
      if (!used.ok) {
        report(entry, { ...used, key: 'from', message: `its block "${type}" (in ${shownBlockFile(found.file)}): ${used.message}` });
        if (!sourceOf.has(type)) {
          setOwn(blocks, type, PLACEHOLDER);
          sourceOf.set(type, `\u0000failed#${type}`);
          placeholders.add(type);
        }
      } else if (register(type, used, entry)) queue.push({ found: used, entry });
    }
  }

  const resolved: Design = { ...design, blocks };
  delete resolved.blockImports;
  const locate = (list: Diagnostic[]): Diagnostic[] => {
    const out: Diagnostic[] = [];
    for (const d of list) {
      const name = d.path?.[0] === 'blocks' && typeof d.path[1] === 'string' ? d.path[1] : undefined;
      if (name !== undefined && placeholders.has(name)) continue;
      const origin = name === undefined ? undefined : origins.get(name);
      if (!origin || !d.path) {
        out.push(d);
        continue;
      }
      // The line in the other file: of the path itself, or of the nearest enclosing one located there.
      let line: number | undefined;
      for (let n = d.path.length; n >= 2 && line === undefined; n--) line = origin.spans.get(jsonPathKey(['blocks', origin.name, ...d.path.slice(2, n)] as JsonPath))?.line;
      out.push({
        ...d,
        path: ['blocks', origin.entry, 'from'],
        line: undefined,
        column: undefined,
        message: `${d.message} (${shownBlockFile(origin.file)}${line !== undefined ? `, line ${line}` : ''})`,
        // A fix would edit the other file, which this document's edits cannot reach.
        fixes: d.fixes.filter((f) => !f.edit),
      });
    }
    return out;
  };
  return { design: resolved, diagnostics, files, origins, locate };
}
