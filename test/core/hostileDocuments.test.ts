// Designs travel through git: a stranger's document may put anything in any string or key. With
// test/core/fuzz.test.ts (5,800 documents) these 3,200 make the 9,000 fuzzed documents the analysis
// must survive; here every text is hostile (line breaks, quotes, comment markers, prototype keys).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import { exportDesign } from '../../src/core/export/exportDesign';
import { nodeIdProblem } from '../../src/core/format/nodeIdProblem';
import { seededRandom } from '../support/randomDesign';

const templates = readdirSync(join(__dirname, '..', '..', 'examples'))
  .filter((f) => f.endsWith('.cnn.json'))
  .map((f) => readFileSync(join(__dirname, '..', '..', 'examples', f), 'utf8'));

const HOSTILE = ['\r', '\n', '\r\n', '\u2028', '\u2029', '\u0085', '\v', '\f', '\0', '"', "'", '"""', '\\', '#', '//', '/*', '*/', '${', '<script>', '__proto__', 'constructor', ' ', '1', '.', '-', 'é', '\ud800'];
const KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

describe('3,200 hostile documents through the analysis (and the exports of the valid ones)', function () {
  this.timeout(300_000);

  it('never throws, flags every id outside the rule with a fix, and exports one valid document in eight to every target without a crash', () => {
    const rnd = seededRandom(2026);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const hostile = (): string => Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => (rnd() < 0.5 ? pick(HOSTILE) : 'ab')).join('');
    let documents = 0;
    let invalidIds = 0;
    let exported = 0;
    for (let i = 0; i < 3200; i++) {
      const doc = JSON.parse(templates[i % templates.length]) as { name: string; description?: string; nodes: Record<string, unknown>[]; edges: Record<string, unknown>[]; training: Record<string, unknown> };
      const r = rnd();
      if (r < 0.3) doc.name = hostile();
      else if (r < 0.45) doc.description = hostile();
      const node = pick(doc.nodes);
      if (rnd() < 0.5) {
        const old = node.id;
        node.id = rnd() < 0.8 ? `${String(old)}${hostile()}` : hostile();
        for (const e of doc.edges) for (const end of ['source', 'target']) if (e[end] === old && rnd() < 0.9) e[end] = node.id;
      }
      if (rnd() < 0.3) node.name = hostile();
      if (rnd() < 0.2) doc.training = { ...doc.training, datasetPath: hostile() };
      if (rnd() < 0.2) (node.params as Record<string, unknown>)[pick(KEYS)] = hostile();
      let text = JSON.stringify(doc, null, 2);
      if (rnd() < 0.2) text = text.replace('"nodes"', `"${pick(KEYS)}": {"polluted": true}, "nodes"`);
      const result = analyzeDocument(text);
      documents++;
      assert.ok(!result.diagnostics.some((d) => d.code === 'internal-error'), `internal error on ${text.slice(0, 300)}`);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      for (const n of result.parsed.design?.nodes ?? []) {
        if (!nodeIdProblem(n.id)) continue;
        const d = result.diagnostics.find((x) => x.code === 'invalid-node-id' && x.nodeId === n.id);
        assert.ok(d && d.severity === 'error' && d.line && d.fixes[0]?.edit?.kind === 'renameNode', `id ${JSON.stringify(n.id)} is not flagged with a rename fix: ${JSON.stringify(d)} ${JSON.stringify(result.diagnostics.map((x) => x.code))}`);
        invalidIds++;
      }
      if (result.valid && i % 8 === 0) {
        for (const target of ['pytorch', 'keras', 'tfjs'] as const) exportDesign(result.parsed.design!, target, { trainScript: target === 'pytorch' });
        exported++;
      }
    }
    assert.equal(documents, 3200);
    assert.ok(invalidIds > 500, `only ${invalidIds} invalid ids`);
    assert.ok(exported > 50, `only ${exported} valid documents exported`);
    console.log(`      ${documents} documents, ${invalidIds} ids flagged, ${exported} valid documents exported to 3 targets`);
  });
});
