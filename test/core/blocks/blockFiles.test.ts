import { strict as assert } from 'node:assert';
import { analyzeDesign } from '../../../src/core/analysis/analyzeDesign';
import { analyzeDocument } from '../../../src/core/analysis/analyzeDocument';
import { blockFilePath } from '../../../src/core/blocks/blockFilePath';
import { MAX_BLOCK_FILES } from '../../../src/core/blocks/resolveBlockFiles';
import { loadBlockFiles } from '../../../src/core/blocks/loadBlockFiles';
import { editDesignText } from '../../../src/core/format/editDesignText';
import { parseDesign } from '../../../src/core/format/parseDesign';
import { serializeDesign } from '../../../src/core/format/serializeDesign';

const text = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** A 1×1 conv + batch norm, used by the residual block below. */
const convBn = {
  params: { width: {} },
  inputs: ['x'],
  outputs: ['out'],
  nodes: [
    { id: 'conv', type: 'Conv2D', params: { filters: '$width', kernelSize: 3, padding: 1 } },
    { id: 'bn', type: 'BatchNorm', params: {} },
  ],
  edges: [
    { source: 'x', target: 'conv' },
    { source: 'conv', target: 'bn' },
    { source: 'bn', target: 'out' },
  ],
};
const residual = {
  params: { width: { default: 8 } },
  inputs: ['x'],
  outputs: ['out'],
  nodes: [
    { id: 'body', type: 'ConvBN', params: { width: '$width' } },
    { id: 'add', type: 'Add', params: {} },
  ],
  edges: [
    { source: 'x', target: 'body' },
    { source: 'body', target: 'add' },
    { source: 'x', target: 'add' },
    { source: 'add', target: 'out' },
  ],
};
const library = (blocks: Record<string, unknown> = { ConvBN: convBn, Residual: residual }) => ({ format: 'cnn-designer', version: 1, name: 'lib', blocks, nodes: [], edges: [] });

/** Input 16×16×8 → Residual ×3 → global pool → Dense 10, its blocks as given. */
const design = (blocks: Record<string, unknown>, instance: Record<string, unknown> = {}) => ({
  format: 'cnn-designer',
  version: 1,
  name: 'net',
  blocks,
  nodes: [
    { id: 'input', type: 'Input', params: { shape: [16, 16, 8] } },
    { id: 'stage', type: 'Residual', params: { width: 8 }, repeat: 3, ...instance },
    { id: 'pool', type: 'GlobalAvgPool2D', params: {} },
    { id: 'fc', type: 'Dense', params: { units: 10 } },
  ],
  edges: [
    { source: 'input', target: 'stage' },
    { source: 'stage', target: 'pool' },
    { source: 'pool', target: 'fc' },
  ],
  training: {},
});

const lineOf = (source: string, needle: string): number => source.slice(0, source.indexOf(needle)).split('\n').length;

describe('blocks from other design files', () => {
  it('analyzes a design using a block of a sibling file exactly as the design defining it itself', () => {
    const files = new Map([['lib/blocks.cnn.json', text(library())]]);
    const imported = analyzeDocument(text(design({ Residual: { from: './lib/blocks.cnn.json' } })), { blockFiles: files });
    const inline = analyzeDocument(text(design({ ConvBN: convBn, Residual: residual })));
    assert.deepEqual(imported.diagnostics, inline.diagnostics);
    assert.equal(imported.valid, true);
    assert.deepEqual(imported.analysis!.totals, inline.analysis!.totals);
    assert.ok(imported.analysis!.totals.params > 0);
    assert.deepEqual(imported.analysis!.order, inline.analysis!.order);
    assert.deepEqual(Object.keys(imported.design!.blocks!).sort(), ['ConvBN', 'Residual'], 'the block and the block it uses come in');
    assert.equal(imported.design!.blockImports, undefined);
    assert.deepEqual(imported.blockFiles, ['lib/blocks.cnn.json']);
    assert.equal(imported.parsed.design!.blocks && Object.keys(imported.parsed.design!.blocks).length, 0, 'the parsed design keeps its own text: no definitions');
  });

  it('takes a block under another name with "block", and follows an import through a second file', () => {
    const files = new Map([
      ['lib/blocks.cnn.json', text(library())],
      ['lib/reexport.cnn.json', text(library({ Res: { from: './blocks.cnn.json', block: 'Residual' } }))],
    ]);
    const doc = design({ MyResidual: { from: './lib/reexport.cnn.json', block: 'Res' } });
    doc.nodes[1].type = 'MyResidual';
    const result = analyzeDocument(text(doc), { blockFiles: files });
    assert.equal(result.valid, true, JSON.stringify(result.diagnostics));
    assert.deepEqual(result.analysis!.totals.outputShapes, [[10]]);
    assert.deepEqual(result.blockFiles, ['lib/reexport.cnn.json', 'lib/blocks.cnn.json']);
  });

  it('reports a missing file at the referencing line, suggesting a near path of the map', () => {
    const files = new Map([['lib/blocks.cnn.json', text(library())]]);
    const source = text(design({ Residual: { from: './lib/block.cnn.json' } }));
    const result = analyzeDocument(source, { blockFiles: files });
    assert.equal(result.valid, false);
    const d = result.diagnostics.find((x) => x.code === 'block-file-not-found');
    assert.ok(d, JSON.stringify(result.diagnostics));
    assert.equal(d.line, lineOf(source, '"from"'));
    assert.match(d.message, /no file \.\/lib\/block\.cnn\.json/);
    assert.equal(d.fixes[0].title, 'Change "from" to "./lib/blocks.cnn.json"');
    // The instance of the missing block is not reported a second time as an unknown layer type.
    assert.deepEqual(result.diagnostics.map((x) => x.code), ['block-file-not-found']);
  });

  it('reports a block that the file does not have, naming its blocks and the closest', () => {
    const files = new Map([['blocks.cnn.json', text(library())]]);
    const result = analyzeDocument(text(design({ Residual: { from: './blocks.cnn.json', block: 'Residul' } })), { blockFiles: files });
    const d = result.diagnostics.find((x) => x.code === 'block-not-in-file');
    assert.ok(d);
    assert.match(d.message, /has no block "Residul"; its blocks: ConvBN, Residual\. Did you mean "Residual"\?/);
    assert.deepEqual(d.path, ['blocks', 'Residual', 'block']);
    assert.equal(d.fixes[0].title, 'Change "block" to "Residual"');
  });

  it('reports imports that go round in a circle across files', () => {
    const files = new Map([
      ['a.cnn.json', text(library({ Residual: { from: './b.cnn.json' } }))],
      ['b.cnn.json', text(library({ Residual: { from: './a.cnn.json' } }))],
    ]);
    const result = analyzeDocument(text(design({ Residual: { from: './a.cnn.json' } })), { blockFiles: files });
    const d = result.diagnostics.find((x) => x.code === 'block-file-cycle');
    assert.ok(d, JSON.stringify(result.diagnostics));
    assert.match(d.message, /\.\/a\.cnn\.json Residual → \.\/b\.cnn\.json Residual → \.\/a\.cnn\.json Residual/);
  });

  it('reports a file that does not parse with the line of its error', () => {
    const files = new Map([['blocks.cnn.json', '{\n  "format": "cnn-designer",\n  "blocks": {,\n}']]);
    const result = analyzeDocument(text(design({ Residual: { from: './blocks.cnn.json' } })), { blockFiles: files });
    const d = result.diagnostics.find((x) => x.code === 'block-file-invalid');
    assert.ok(d);
    assert.match(d.message, /\.\/blocks\.cnn\.json cannot be read as a design \(line 3, column \d+\)/);
  });

  it('reports a problem inside a block of another file at the import, with the line there', () => {
    const broken = library({ ConvBN: { ...convBn, nodes: [{ ...convBn.nodes[0], params: { filters: '$widht', kernelSize: 3 } }, convBn.nodes[1]] }, Residual: residual });
    const libText = text(broken);
    const source = text(design({ Residual: { from: './blocks.cnn.json' } }));
    const result = analyzeDocument(source, { blockFiles: new Map([['blocks.cnn.json', libText]]) });
    const d = result.diagnostics.find((x) => x.code === 'unknown-block-parameter');
    assert.ok(d, JSON.stringify(result.diagnostics));
    assert.equal(d.line, lineOf(source, '"from"'));
    assert.ok(d.message.endsWith(`(./blocks.cnn.json, line ${lineOf(libText, '"$widht"')})`), d.message);
    assert.ok(d.fixes.every((f) => !f.edit), 'no edit of this document can fix the other file');
  });

  it('reports a block of the other file whose name this design already uses for another block', () => {
    const files = new Map([['blocks.cnn.json', text(library())]]);
    const mine = { ...convBn, nodes: [convBn.nodes[0]], edges: [convBn.edges[0], { source: 'conv', target: 'out' }] };
    const result = analyzeDocument(text(design({ ConvBN: mine, Residual: { from: './blocks.cnn.json' } })), { blockFiles: files });
    const d = result.diagnostics.find((x) => x.code === 'block-file-clash');
    assert.ok(d, JSON.stringify(result.diagnostics));
    assert.deepEqual(d.path, ['blocks', 'Residual', 'from']);
  });

  it('says the files were not read when the host gives none, and refuses paths that are not relative', () => {
    const unread = analyzeDocument(text(design({ Residual: { from: './blocks.cnn.json' } })));
    assert.deepEqual(unread.diagnostics.map((d) => d.code), ['block-file-unread']);
    assert.equal(blockFilePath('/home/x.cnn.json', '').ok, false);
    assert.equal(blockFilePath('./a\\b.cnn.json', '').ok, false);
    assert.equal(blockFilePath('./a.json', '').ok, false);
    assert.deepEqual(blockFilePath('../shared/r.cnn.json', 'lib/b.cnn.json'), { ok: true, path: 'shared/r.cnn.json' });
    assert.deepEqual(blockFilePath('../../r.cnn.json', 'lib/b.cnn.json'), { ok: true, path: '../r.cnn.json' });
    assert.deepEqual(blockFilePath('./x/../y.cnn.json', ''), { ok: true, path: 'y.cnn.json' });
  });

  it('loads the files an asynchronous host reads, level by level, and round-trips the import entries', async () => {
    const files = new Map([
      ['lib/reexport.cnn.json', text(library({ Residual: { from: './blocks.cnn.json' } }))],
      ['lib/blocks.cnn.json', text(library())],
    ]);
    const asked: string[] = [];
    const source = text(design({ Residual: { from: './lib/reexport.cnn.json' } }));
    const loaded = await loadBlockFiles(parseDesign(source).design, async (path) => {
      asked.push(path);
      return files.get(path);
    });
    assert.deepEqual(asked, ['lib/reexport.cnn.json', 'lib/blocks.cnn.json']);
    assert.equal(analyzeDocument(source, { blockFiles: loaded }).valid, true);
    const parsed = parseDesign(source);
    assert.equal(parsed.lossless, true);
    assert.deepEqual(JSON.parse(serializeDesign(parsed.design!)).blocks, { Residual: { from: './lib/reexport.cnn.json' } });
  });

  it('analyzeDesign itself takes the files (the editor\'s what-if analysis of a parsed design)', () => {
    const parsed = parseDesign(text(design({ Residual: { from: './blocks.cnn.json' } }))).design!;
    const analysis = analyzeDesign(parsed, { blockFiles: (path) => (path === 'blocks.cnn.json' ? text(library()) : undefined) });
    assert.equal(analysis.valid, true);
    assert.deepEqual(analysis.blockFiles?.files, ['blocks.cnn.json']);
    assert.ok(analysis.instances?.['stage.2'], 'the instances of the imported block are analyzed');
  });

  it('an edit of the design leaves its import entries as written', () => {
    const source = text(design({ Residual: { from: './blocks.cnn.json', block: 'Residual' } }));
    const before = parseDesign(source).design!;
    const after = structuredClone(before);
    after.nodes[1].params = { width: 16 };
    const { newText } = editDesignText(source, before, after);
    assert.deepEqual(JSON.parse(newText).blocks, { Residual: { from: './blocks.cnn.json', block: 'Residual' } });
    assert.deepEqual(JSON.parse(newText).nodes[1].params, { width: 16 });
  });

  it('stays bounded and total on hostile files: a long chain of imports, a host that throws, a "__proto__" entry', () => {
    const chain = new Map(Array.from({ length: 100 }, (_, i) => [`f${i}.cnn.json`, text(library({ Residual: { from: `./f${i + 1}.cnn.json` } }))]));
    const long = analyzeDocument(text(design({ Residual: { from: './f0.cnn.json' } })), { blockFiles: chain });
    assert.deepEqual(long.diagnostics.map((d) => d.code), ['block-file-limit']);
    assert.equal(long.blockFiles.length, MAX_BLOCK_FILES);
    const throwing = analyzeDocument(text(design({ Residual: { from: './a.cnn.json' } })), {
      blockFiles: () => {
        throw new Error('disk on fire');
      },
    });
    assert.deepEqual(throwing.diagnostics.map((d) => d.code), ['block-file-not-found']);
    const proto = analyzeDocument(text(design({ ['__proto__']: { from: './blocks.cnn.json' } })), { blockFiles: new Map([['blocks.cnn.json', text(library())]]) });
    assert.ok(proto.diagnostics.some((d) => d.code === 'block-not-in-file'), JSON.stringify(proto.diagnostics.map((d) => d.code)));
    assert.equal(({} as Record<string, unknown>).width, undefined, 'no prototype was changed');
  });

  it('rejects definition keys beside "from"', () => {
    const parsed = parseDesign(text(design({ Residual: { from: './blocks.cnn.json', nodes: [] } })));
    assert.ok(parsed.diagnostics.some((d) => d.path?.join('/') === 'blocks/Residual/nodes' && d.severity === 'error'));
  });
});
