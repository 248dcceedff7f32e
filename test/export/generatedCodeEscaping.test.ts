import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import type { Design } from '../../src/core/design';
import { applyIntention } from '../../src/core/edit/applyIntention';
import { compileGraph } from '../../src/core/export/compileGraph';
import { exportDesign, type ExportedFile } from '../../src/core/export/exportDesign';
import { exportOnnx } from '../../src/core/export/exportOnnx';
import { className, fileStem } from '../../src/core/export/identifierNames';
import { NODE_ID_PATTERN } from '../../src/core/format/nodeIdProblem';
import { serializeDesign } from '../../src/core/format/serializeDesign';
import { decodeOnnxModel } from '../../src/core/onnx/onnxModel';
import { chainDesign } from '../support/designBuilder';
import { handmadeCases } from './support/exportCases';
import { runPython } from './support/python';

/** Every character that ends a line for Python, JavaScript or an editor, and \r\n. */
const LINE_BREAKS = ['\r', '\n', '\r\n', '\u2028', '\u2029', '\u0085', '\v', '\f', '\x1c', '\x1d', '\x1e'];
/** What closes a comment, a string or a docstring in either language, plus characters that must be escaped. */
const MARKERS = ['"', "'", '"""', "'''", '`', '\\', '\\"', "\\'", '#', '//', '/*', '*/', '<!--', '-->', '${', '\0', '\x1b', '\ud800'];
/** A statement in both languages: if it ever reaches code, the statement lists differ. */
const STATEMENT = 'pwned = 1';

/** One payload per line break and marker: the marker, a line break, a statement, the marker again. */
function payloads(): string[] {
  const list: string[] = [];
  for (const br of LINE_BREAKS) for (const m of MARKERS) list.push(`n${m}${br}${STATEMENT}${br}${m}`);
  list.push(`all${LINE_BREAKS.join('')}${MARKERS.join(STATEMENT)}${LINE_BREAKS.join(STATEMENT)}`);
  return list;
}

/** The designs fuzzed: a chain (Keras Sequential, a custom padding layer) and a two-input, two-output graph. */
function baseDesigns(): Design[] {
  const chain = chainDesign([9, 9, 1], [
    ['Conv2D', { filters: 2, kernelSize: 3 }],
    ['MaxPool2D', { poolSize: 3, strides: 2, padding: 'same' }],
    ['Flatten'],
    ['Dense', { units: 3, activation: 'softmax' }],
  ]);
  chain.name = 'Clean chain';
  // The fuzzed copies set the same dataset, so train.py differs only in the texts.
  return [chain, handmadeCases()[0].design].map((d) => ({ ...d, training: { ...d.training, dataset: 'imagefolder', datasetPath: 'data' } }));
}

/** The design with `text` in every user-written string the exports read. */
function withText(design: Design, text: string): Design {
  const copy: Design = structuredClone(design);
  copy.name = text;
  copy.description = text;
  copy.nodes = copy.nodes.map((n) => ({ ...n, name: text }));
  // A path cannot hold NUL (the settings refuse it); every other character goes in.
  copy.training = { ...copy.training, dataset: 'imagefolder', datasetPath: text.replace(/\0/g, '') };
  return copy;
}

const exportAll = (design: Design): ExportedFile[] => [
  ...exportDesign(design, 'pytorch', { trainScript: true }).files,
  ...exportDesign(design, 'keras').files,
  ...exportDesign(design, 'tfjs').files,
];

/**
 * Python's own parser: each file's statements as `ast.dump`, with string constants blanked and the
 * class and module named after the design replaced, so a clean and a fuzzed design compare equal
 * exactly when the payload stayed inside strings and comments.
 */
const PY_SHAPES = `
import ast, json, sys
out = []
for item in json.load(open(sys.argv[1], encoding="utf-8")):
    try:
        tree = ast.parse(item["code"])
    except (SyntaxError, ValueError) as error:
        out.append({"error": repr(error)})
        continue
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
        for field in ("name", "id", "module"):
            if getattr(node, field, None) in (item["cls"], item["module"]):
                setattr(node, field, "DESIGN")
    out.append({"statements": len(tree.body), "dump": ast.dump(tree)})
print(json.dumps(out))
`;

interface PythonShape {
  statements?: number;
  dump?: string;
  error?: string;
}

function pythonShapes(items: { code: string; cls: string; module: string }[]): PythonShape[] {
  const dir = mkdtempSync(join(tmpdir(), 'escape-'));
  try {
    writeFileSync(join(dir, 'items.json'), JSON.stringify(items));
    writeFileSync(join(dir, 'shapes.py'), PY_SHAPES);
    return JSON.parse(runPython([join(dir, 'shapes.py'), join(dir, 'items.json')], { timeoutMs: 300_000 }).stdout) as PythonShape[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** TypeScript's JavaScript parser: syntax errors, top-level statement count and the tree with strings blanked. */
function javascriptShape(code: string): { errors: number; statements: number; shape: string } {
  const file = ts.createSourceFile('model.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const parts: string[] = [];
  const visit = (node: ts.Node): void => {
    parts.push(ts.SyntaxKind[node.kind]);
    if (ts.isIdentifier(node)) parts.push(node.text);
    node.forEachChild(visit);
  };
  visit(file);
  const errors = (file as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length;
  return { errors, statements: file.statements.length, shape: parts.join(' ') };
}

describe('generated code escapes everything user-written (names, descriptions, ids, dataset settings)', function () {
  this.timeout(600_000);

  it('a fuzzed name, description, layer names and dataset path leave every export with exactly the statements of the clean design', () => {
    const texts = payloads();
    const pyItems: { code: string; cls: string; module: string; key: string }[] = [];
    const jsFiles: { code: string; key: string }[] = [];
    const expectedJs = new Map<string, ReturnType<typeof javascriptShape>>();
    const cases: { design: Design; key: string }[] = [];
    baseDesigns().forEach((base, b) => {
      // The clean design has a plain dataset path, so train.py's statements differ only in that string.
      cases.push({ design: { ...base, training: { ...base.training, datasetPath: 'data' } }, key: `${b}:clean` });
      texts.forEach((text, t) => cases.push({ design: withText(base, text), key: `${b}:${t}` }));
    });
    for (const { design, key } of cases) {
      for (const file of exportAll(design)) {
        const fileKey = `${key.split(':')[0]}:${file.fileName === 'train.py' ? 'train' : file.fileName.endsWith('_keras.py') ? 'keras' : file.fileName.endsWith('.js') ? 'tfjs' : 'pytorch'}`;
        if (file.fileName.endsWith('.js')) jsFiles.push({ code: file.code, key: `${fileKey}|${key}` });
        else pyItems.push({ code: file.code, cls: className(design.name), module: fileStem(design.name), key: `${fileKey}|${key}` });
      }
    }
    const shapes = pythonShapes(pyItems);
    const cleanPy = new Map<string, PythonShape>();
    pyItems.forEach((item, i) => {
      if (item.key.endsWith(':clean')) cleanPy.set(item.key.split('|')[0], shapes[i]);
    });
    let pythonChecked = 0;
    pyItems.forEach((item, i) => {
      const clean = cleanPy.get(item.key.split('|')[0])!;
      assert.equal(shapes[i].error, undefined, `${item.key} does not parse: ${shapes[i].error}`);
      assert.ok(clean.statements! > 3);
      assert.equal(shapes[i].statements, clean.statements, `${item.key}: top-level statements`);
      assert.equal(shapes[i].dump, clean.dump, `${item.key}: the statements differ from the clean design's`);
      pythonChecked++;
    });
    for (const f of jsFiles) if (f.key.endsWith(':clean')) expectedJs.set(f.key.split('|')[0], javascriptShape(f.code));
    let jsChecked = 0;
    for (const f of jsFiles) {
      const clean = expectedJs.get(f.key.split('|')[0])!;
      const shape = javascriptShape(f.code);
      assert.equal(shape.errors, 0, `${f.key} does not parse`);
      assert.equal(shape.statements, clean.statements, `${f.key}: top-level statements`);
      assert.equal(shape.shape, clean.shape, `${f.key}: the statements differ from the clean design's`);
      jsChecked++;
    }
    // 2 designs × (1 + payloads) × (model, train.py, Keras) Python files, and one TF.js file each.
    assert.equal(pythonChecked, 2 * (texts.length + 1) * 3);
    assert.equal(jsChecked, 2 * (texts.length + 1));
    console.log(`      fuzzed ${texts.length} texts: ${pythonChecked} Python files (ast) and ${jsChecked} JavaScript files parsed, statements equal to the clean design's`);
  });

  it('in ONNX, free text is data: the fuzzed name and description are stored exactly (as valid UTF-8) and the graph is the clean one', () => {
    let checked = 0;
    for (const base of baseDesigns()) {
      const clean = decodeOnnxModel(exportOnnx(compileGraph(base)));
      for (const text of payloads()) {
        const model = decodeOnnxModel(exportOnnx(compileGraph(withText(base, text))));
        const wellFormed = text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
        assert.equal(model.metadata['cnn-designer.design-name'], wellFormed);
        assert.equal(model.docString, wellFormed);
        assert.deepEqual(model.graph.nodes, clean.graph.nodes);
        assert.deepEqual(model.graph.inputs, clean.graph.inputs);
        assert.deepEqual(model.graph.outputs, clean.graph.outputs);
        checked++;
      }
    }
    assert.equal(checked, 2 * payloads().length);
  });

  it('ids outside the id rule are located errors with a rename fix, and no export is written', () => {
    let checked = 0;
    for (const text of payloads()) {
      const base = handmadeCases()[0].design;
      const bad = `head${text}`;
      const design: Design = {
        ...base,
        nodes: base.nodes.map((n) => (n.id === 'head2' ? { ...n, id: bad } : n)),
        edges: base.edges.map((e) => (e.target === 'head2' ? { ...e, target: bad } : e)),
      };
      assert.throws(
        () => exportDesign(design, 'pytorch'),
        (err: Error) => /The layer id "head/.test(err.message) && !err.message.includes(bad),
      );
      const doc = analyzeDocument(serializeDesign(design));
      const problem = doc.diagnostics.find((d) => d.code === 'invalid-node-id');
      assert.ok(problem, `no invalid-node-id for ${JSON.stringify(bad)}`);
      assert.equal(problem.severity, 'error');
      assert.ok(problem.line && problem.line > 1, 'the error is located');
      const fix = problem.fixes[0]?.edit;
      assert.equal(fix?.kind, 'renameNode');
      const fixed = applyIntention(doc.parsed.design!, { kind: 'applyFix', edit: fix! });
      assert.ok(fixed.ok);
      assert.equal(analyzeDocument(serializeDesign(fixed.design)).valid, true, 'the rename fix makes the design valid');
      assert.equal(exportDesign(fixed.design, 'tfjs').files.length, 1);
      checked++;
    }
    assert.ok(checked > 100);
  });

  it('docs/format.md states the id rule the core enforces', () => {
    const text = readFileSync(join(__dirname, '..', '..', 'docs', 'format.md'), 'utf8');
    assert.ok(text.includes(`\`${NODE_ID_PATTERN.source}\``), 'the pattern is written out in the format page');
  });

  it('ids at the edge of the rule (dots, dashes, keywords, 64 characters) export to code with the clean structure', () => {
    const base = handmadeCases()[0].design;
    const ids = ['import', 'def', 'return', 'torch', 'a.b', 'a-b', 'A--', 'Z.9_', `n${'o'.repeat(63)}`];
    const rename = (id: string, to: string): Design => ({
      ...base,
      nodes: base.nodes.map((n) => (n.id === id ? { ...n, id: to } : n)),
      edges: base.edges.map((e) => ({ source: e.source === id ? to : e.source, target: e.target === id ? to : e.target })),
    });
    const designs = ids.map((to) => rename('head2', to));
    const cleanJs = javascriptShape(exportDesign(base, 'tfjs').files[0].code);
    const items = [base, ...designs].flatMap((d) => [...exportDesign(d, 'pytorch').files, ...exportDesign(d, 'keras').files].map((f) => ({ code: f.code, cls: className(d.name), module: fileStem(d.name), key: f.fileName })));
    const shapes = pythonShapes(items);
    shapes.forEach((s, i) => {
      assert.equal(s.error, undefined, `${items[i].key}: ${s.error}`);
      assert.equal(s.statements, shapes[i % 2].statements);
    });
    for (const d of designs) {
      const js = javascriptShape(exportDesign(d, 'tfjs').files[0].code);
      assert.equal(js.errors, 0);
      assert.equal(js.statements, cleanJs.statements);
    }
  });
});
