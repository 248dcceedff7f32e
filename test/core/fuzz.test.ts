// The analysis runs on every keystroke of whatever a user has typed: it must never throw and must
// always explain a document it cannot fully use.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import { parseDesign } from '../../src/core/format/parseDesign';
import { serializeDesign } from '../../src/core/format/serializeDesign';
import { randomValidDesign, seededRandom } from '../support/randomDesign';
import { mutateJson, WEIRD_VALUES } from '../support/mutateJson';

const templates = readdirSync(join(__dirname, '..', '..', 'examples'))
  .filter((f) => f.endsWith('.cnn.json'))
  .map((f) => readFileSync(join(__dirname, '..', '..', 'examples', f), 'utf8'));

function assertExplains(text: string): void {
  const result = analyzeDocument(text);
  assert.ok(Array.isArray(result.diagnostics));
  for (const d of result.diagnostics) {
    assert.ok(typeof d.message === 'string' && d.message.length > 10, 'every diagnostic says something');
    assert.ok(['error', 'warning', 'info'].includes(d.severity));
    assert.notEqual(d.code, 'internal-error', `internal error on ${text.slice(0, 300)}: ${d.message}`);
  }
  if (!result.analysis) {
    assert.ok(result.diagnostics.some((d) => d.severity === 'error'), 'a document that cannot be analyzed is explained');
    return;
  }
  const a = result.analysis;
  // Everything without a shape is explained by an error or sits downstream of one.
  const unexplained = Object.values(a.nodes).filter((n) => !n.outputShape);
  if (unexplained.length) assert.ok(result.diagnostics.some((d) => d.severity === 'error'), `nodes without shape but no error: ${unexplained.map((n) => n.id)} in ${text.slice(0, 600)}`);
  for (const n of Object.values(a.nodes)) {
    if (n.outputShape) assert.ok(n.outputShape.every((s) => Number.isInteger(s) && s > 0), `bad shape ${n.outputShape} at ${n.id}`);
    assert.ok(Number.isFinite(n.params) && n.params >= 0);
  }
  assert.equal(result.valid, result.diagnostics.every((d) => d.severity !== 'error'));
  if (!a.valid) assert.equal(result.valid, false);
}

describe('fuzz: the analysis never throws and always explains', function () {
  this.timeout(120_000);
  it('survives 3,000 mutated templates and random designs', () => {
    const rnd = seededRandom(20261123);
    const bases = [...templates.map((t) => JSON.parse(t)), ...Array.from({ length: 30 }, (_, i) => JSON.parse(serializeDesign(randomValidDesign(i))))];
    for (let i = 0; i < 3000; i++) {
      const base = bases[i % bases.length];
      const mutated = mutateJson(base, rnd);
      assertExplains(JSON.stringify(mutated));
    }
  });

  it('survives 2,000 byte-level corruptions (non-JSON) with a located syntax error', () => {
    const rnd = seededRandom(7);
    let syntaxErrors = 0;
    for (let i = 0; i < 2000; i++) {
      const text = templates[i % templates.length];
      const at = Math.floor(rnd() * text.length);
      const op = rnd();
      const corrupted = op < 0.33 ? text.slice(0, at) : op < 0.66 ? text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 20)) : text.slice(0, at) + '{[,":'.charAt(Math.floor(rnd() * 5)) + text.slice(at);
      const result = analyzeDocument(corrupted);
      if (result.parsed.syntaxError) {
        syntaxErrors++;
        assert.ok(result.diagnostics[0].line! >= 1);
      }
      assertExplains(corrupted);
    }
    assert.ok(syntaxErrors > 1000);
  });

  it('survives arbitrary JSON values and type confusion at every level', () => {
    const rnd = seededRandom(99);
    for (const v of WEIRD_VALUES) assertExplains(JSON.stringify(v) ?? 'null');
    for (let i = 0; i < 500; i++) {
      const doc = { format: 'cnn-designer', version: 1, nodes: mutateJson(JSON.parse(templates[0]).nodes, rnd), edges: mutateJson(JSON.parse(templates[0]).edges, rnd), training: mutateJson({}, rnd) };
      assertExplains(JSON.stringify(doc));
    }
  });

  it('random valid designs analyze without errors and round-trip through text unchanged', () => {
    for (let seed = 0; seed < 300; seed++) {
      const design = randomValidDesign(seed, { maxLayers: 12 });
      const text = serializeDesign(design);
      const parsed = parseDesign(text);
      assert.ok(parsed.lossless);
      assert.equal(serializeDesign(parsed.design!), text);
      const a = analyzeDesign(parsed.design!);
      assert.ok(a.valid, `seed ${seed}: ${a.diagnostics.map((d) => d.message).join('; ')}`);
      // Totals are the sums of the layers; trainable + non-trainable = all.
      const sum = Object.values(a.nodes).reduce((s, n) => s + n.params, 0);
      assert.equal(a.totals.params, sum);
      assert.equal(a.totals.trainableParams + a.totals.nonTrainableParams, a.totals.params);
      assert.equal(a.order.length, design.nodes.length);
    }
  });
});
