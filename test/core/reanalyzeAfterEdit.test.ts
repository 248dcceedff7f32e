// The re-analysis after an edit must give exactly the full analysis of the edited text; checked on
// generated designs and edits, one after another, laid out as the editor writes them and on one line.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDocument, type DocumentAnalysis } from '../../src/core/analysis/analyzeDocument';
import { reanalyzeAfterEdit, type AnalyzedText } from '../../src/core/analysis/reanalyzeAfterEdit';
import { getLayerType } from '../../src/core/layers/layerCatalog';
import { locateScalarEdit, objectElementStarts } from '../../src/core/format/locateScalarEdit';
import { jsonPathKey, parseJsonWithLocations, type JsonPath } from '../../src/core/format/parseJsonWithLocations';
import { serializeDesign } from '../../src/core/format/serializeDesign';
import { planDocumentEdit } from '../../src/extension/planDocumentEdit';
import { randomValidDesign, seededRandom } from '../support/randomDesign';

/** Everything a reader of the result sees, spans by the paths of its problems. */
function observable(result: DocumentAnalysis): unknown {
  const { parsed, analysis, diagnostics, valid } = result;
  const paths = diagnostics.filter((d) => d.path).map((d) => jsonPathKey(d.path!));
  return {
    design: parsed.design,
    parseProblems: parsed.diagnostics,
    lossless: parsed.lossless,
    syntaxError: parsed.syntaxError,
    analysis,
    diagnostics,
    valid,
    spans: paths.map((key) => parsed.spans.get(key)),
  };
}

/** Replaces the value at `path` of JSON `text` by `value`, touching nothing else of the text. */
function replaceValue(text: string, path: JsonPath, value: unknown): string {
  const parsed = parseJsonWithLocations(text);
  assert.ok(parsed.ok);
  const span = parsed.spans.get(jsonPathKey(path));
  assert.ok(span, `no value at ${jsonPathKey(path)}`);
  return text.slice(0, span.offset) + JSON.stringify(value) + text.slice(span.offset + span.length);
}

const SCALARS: unknown[] = [0, 1, 2, 3, 5, 7, 16, -1, 0.5, 1e308, 'same', 'valid', 'relu', 'none', 'x', '', true, false, null];

/** A random edit of one value of one node: mostly a parameter, sometimes a position, now and then something the re-analysis must leave to the full one. */
function randomEdit(text: string, rnd: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
  const root = JSON.parse(text) as { nodes: { type: string; params: Record<string, unknown>; position?: unknown }[] };
  const index = Math.floor(rnd() * root.nodes.length);
  const node = root.nodes[index];
  const r = rnd();
  if (r < 0.1 && node.position) return replaceValue(text, ['nodes', index, 'position', pick(['x', 'y'])], Math.round(rnd() * 500));
  if (r < 0.15) return replaceValue(text, ['nodes', index, 'type'], pick(['Conv2D', 'Dense', 'ReLU', node.type]));
  const keys = Object.keys(node.params);
  const known = getLayerType(node.type)?.params.map((p) => p.name) ?? [];
  if (keys.length === 0 || r < 0.2) {
    // A parameter added: not one value replaced, so analyzed in full.
    const key = pick(known.length ? known : ['filters']);
    return replaceValue(text, ['nodes', index, 'params'], { ...node.params, [key]: pick(SCALARS) });
  }
  const key = pick(keys);
  const current = node.params[key];
  if (Array.isArray(current) && current.length && rnd() < 0.7) {
    const at = Math.floor(rnd() * current.length);
    const element = current[at];
    return replaceValue(text, ['nodes', index, 'params', key, at], typeof element === 'number' && rnd() < 0.8 ? Math.max(0, element + pick([-1, 1, 2])) : pick(SCALARS));
  }
  if (typeof current === 'number' && rnd() < 0.6) return replaceValue(text, ['nodes', index, 'params', key], Math.max(0, current + pick([-2, -1, 1, 1, 2, 8])));
  return replaceValue(text, ['nodes', index, 'params', key], rnd() < 0.1 ? [pick(SCALARS), pick(SCALARS)] : pick(SCALARS));
}

describe('re-analysis after an edit', () => {
  it('equals the full analysis of the edited text, for random designs and chains of random edits', function () {
    this.timeout(300000);
    let edits = 0;
    let followed = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const rnd = seededRandom(seed * 7919);
      const design = randomValidDesign(seed, { maxLayers: 14, branches: true });
      // As the editor writes designs, and all on one line, where every edit moves what follows it.
      const layouts = [serializeDesign(design), JSON.stringify(design)];
      for (const start of layouts) {
        let previous: AnalyzedText = { text: start, result: analyzeDocument(start) };
        for (let step = 0; step < 10; step++) {
          const text = randomEdit(previous.text, rnd);
          const full = analyzeDocument(text);
          const result = reanalyzeAfterEdit(previous, text);
          assert.deepStrictEqual(observable(result), observable(full), `seed ${seed}, step ${step}`);
          edits++;
          if (result.analysis && result.analysis.graph === previous.result.analysis?.graph) followed++;
          previous = { text, result };
        }
      }
    }
    // Most edits are followed rather than analyzed in full (the check above would pass either way).
    assert.ok(followed > edits * 0.4, `${followed} of ${edits} edits re-analyzed incrementally`);
  });

  it('equals the full analysis after the editor changes a parameter of every layer of a template', () => {
    for (const file of ['vgg16.cnn.json', 'resnet18.cnn.json', 'resnet18-blocks.cnn.json', 'mobilenet-v2.cnn.json', 'unet.cnn.json']) {
      const text = readFileSync(join(__dirname, '..', '..', 'examples', file), 'utf8');
      const start = analyzeDocument(text);
      // Every third layer keeps the test short; the layers edited still cover every kind in these designs.
      for (const node of start.parsed.design!.nodes.filter((_, i) => i % 3 === 1)) {
        const entry = Object.entries(node.params).find(([, v]) => typeof v === 'number');
        if (!entry) continue;
        const plan = planDocumentEdit(text, { kind: 'setParams', nodeId: node.id, params: { [entry[0]]: (entry[1] as number) + 1 } });
        assert.equal(plan.kind, 'replace');
        if (plan.kind !== 'replace') continue;
        assert.deepStrictEqual(observable(reanalyzeAfterEdit({ text, result: start }, plan.newText)), observable(analyzeDocument(plan.newText)), `${file}: ${node.id}.${entry[0]}`);
      }
    }
  });

  it('locates an edited value the same from the top of the text and from where its node starts', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = seededRandom(seed);
      const design = randomValidDesign(seed, { maxLayers: 10, branches: true });
      for (const text of [serializeDesign(design), JSON.stringify(design, null, '\t')]) {
        const starts = objectElementStarts(text, 'nodes');
        const parsed = parseJsonWithLocations(text);
        assert.ok(parsed.ok);
        assert.deepEqual(starts.offsets, design.nodes.map((_, i) => parsed.spans.get(jsonPathKey(['nodes', i]))!.offset));
        for (let step = 0; step < 10; step++) {
          const edited = randomEdit(text, rnd);
          const located = locateScalarEdit(text, edited);
          assert.deepStrictEqual(locateScalarEdit(text, edited, starts), located);
          if (located) assert.equal(edited.slice(0, located.start) + edited.slice(located.newEnd), text.slice(0, located.start) + text.slice(located.oldEnd));
        }
      }
    }
  });
});
