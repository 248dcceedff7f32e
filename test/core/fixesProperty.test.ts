// Every fix the analysis suggests works: on random designs broken in the ways people break them,
// applying any suggested fix removes its diagnostic and brings no error that was not there before.
import { strict as assert } from 'node:assert';
import { analyzeDesign } from '../../src/core/analysis/analyzeDesign';
import type { Diagnostic } from '../../src/core/analysis/diagnostic';
import { diagnosticKey } from '../../src/core/analysis/workingFixes';
import type { Design } from '../../src/core/design';
import { applyIntention } from '../../src/core/edit/applyIntention';
import { randomValidDesign, seededRandom } from '../support/randomDesign';

const DESIGNS = Number(process.env.FIXES_SWEEP ?? 400);

type Breakage = (design: Design, rnd: () => number) => string | undefined;

const pick = <T>(items: readonly T[], rnd: () => number): T | undefined => (items.length ? items[Math.floor(rnd() * items.length)] : undefined);

/** A mistyped name, as a hand types it: a doubled, dropped or swapped character, or an underscore. */
function typo(name: string, rnd: () => number): string {
  const i = Math.floor(rnd() * name.length);
  const kind = Math.floor(rnd() * 4);
  if (kind === 0) return name.slice(0, i) + name[i] + name.slice(i);
  if (kind === 1 && name.length > 2) return name.slice(0, i) + name.slice(i + 1);
  if (kind === 2 && i + 1 < name.length) return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
  return `${name.slice(0, Math.max(1, i))}_${name.slice(Math.max(1, i))}`;
}

const BREAKAGES: Record<string, Breakage> = {
  'a window larger than its input': (d, rnd) => {
    const node = pick(d.nodes.filter((n) => 'kernelSize' in n.params || 'poolSize' in n.params), rnd);
    if (!node) return undefined;
    node.params['kernelSize' in node.params ? 'kernelSize' : 'poolSize'] = 40;
    return node.id;
  },
  'a stride that does not tile': (d, rnd) => {
    const node = pick(d.nodes.filter((n) => 'kernelSize' in n.params), rnd);
    if (!node) return undefined;
    node.params.strides = 2 + Math.floor(rnd() * 3);
    node.params.padding = 'valid';
    return node.id;
  },
  'a mistyped connection end': (d, rnd) => {
    const edge = pick(d.edges, rnd);
    if (!edge) return undefined;
    if (rnd() < 0.5) edge.source = typo(edge.source, rnd);
    else edge.target = typo(edge.target, rnd);
    return `${edge.source} → ${edge.target}`;
  },
  'a branch into a merge that changes its channels or size': (d, rnd) => {
    const merges = new Set(d.nodes.filter((n) => n.type === 'Add' || n.type === 'Concat').map((n) => n.id));
    const into = d.edges.filter((e) => merges.has(e.target));
    const node = pick(
      d.nodes.filter((n) => n.type.startsWith('Conv') && into.some((e) => e.source === n.id)),
      rnd,
    );
    if (!node) return undefined;
    if (rnd() < 0.5) node.params.filters = (node.params.filters as number) + 1 + Math.floor(rnd() * 4);
    else node.params.padding = 'valid';
    if (rnd() < 0.3) node.params.kernelSize = 3;
    return node.id;
  },
  'a layer id with a space (edges following it)': (d, rnd) => {
    const node = pick(
      d.nodes.filter((n) => n.id !== 'input'),
      rnd,
    );
    if (!node) return undefined;
    const old = node.id;
    node.id = `${old} b`;
    for (const e of d.edges) {
      if (e.source === old) e.source = node.id;
      if (e.target === old) e.target = node.id;
    }
    return node.id;
  },
  'a missing Flatten before Dense': (d) => {
    // A Flatten, or a global pooling without kept axes, that feeds a Dense (either makes the image a vector).
    const feedsDense = (id: string): boolean => d.edges.some((e) => e.source === id && d.nodes.find((n) => n.id === e.target)?.type === 'Dense');
    const flatten =
      d.nodes.find((n) => n.type === 'Flatten' && feedsDense(n.id)) ??
      d.nodes.find((n) => n.type.startsWith('Global') && n.params.keepDims !== true && feedsDense(n.id)) ??
      d.nodes.find((n) => n.type === 'Flatten');
    if (!flatten) return undefined;
    flatten.type = 'Dropout';
    flatten.params = { rate: 0.1 };
    return flatten.id;
  },
  'a removed connection': (d, rnd) => {
    const index = Math.floor(rnd() * d.edges.length);
    if (!d.edges.length) return undefined;
    d.edges.splice(index, 1);
    return 'edge';
  },
  'a connection back upstream (a loop)': (d, rnd) => {
    const edge = pick(
      d.edges.filter((e) => e.source !== 'input'),
      rnd,
    );
    if (!edge) return undefined;
    d.edges.push({ source: edge.target, target: edge.source });
    return `${edge.target} → ${edge.source}`;
  },
  'a merge fed twice by one branch': (d, rnd) => {
    const merge = pick(
      d.nodes.filter((n) => n.type === 'Add' || n.type === 'Concat'),
      rnd,
    );
    if (!merge) return undefined;
    const inputs = d.edges.filter((e) => e.target === merge.id);
    d.edges = d.edges.filter((e) => e !== inputs[1]);
    return merge.id;
  },
};

const errorKeys = (diagnostics: Diagnostic[]): Set<string> => new Set(diagnostics.filter((d) => d.severity === 'error').map(diagnosticKey));

describe('every suggested fix works (property, random broken designs)', function () {
  this.timeout(300_000);

  it(`applying any fix removes its diagnostic and adds no error (${DESIGNS} designs)`, () => {
    const applied = new Map<string, number>();
    const failures: string[] = [];
    let broken = 0;
    for (let seed = 1; seed <= DESIGNS; seed++) {
      const rnd = seededRandom(seed * 7919);
      const design = structuredClone(randomValidDesign(seed, { branches: true, maxLayers: 8 }));
      const name = pick(Object.keys(BREAKAGES), rnd)!;
      if (BREAKAGES[name](design, rnd) === undefined) continue;
      const before = analyzeDesign(design);
      if (before.diagnostics.length === 0) continue;
      broken++;
      const errorsBefore = errorKeys(before.diagnostics);
      for (const d of before.diagnostics) {
        for (const fix of d.fixes) {
          if (!fix.edit) continue;
          const result = applyIntention(design, { kind: 'applyFix', edit: fix.edit });
          const where = `seed ${seed} (${name}), ${d.code}${d.nodeId ? ` [${d.nodeId}]` : ''}: "${fix.title}"`;
          if (!result.ok) {
            failures.push(`${where} cannot be applied: ${result.reason}`);
            continue;
          }
          const after = analyzeDesign(result.design).diagnostics;
          const still = after.find((x) => diagnosticKey(x) === diagnosticKey(d));
          if (still) failures.push(`${where} leaves "${still.message}"`);
          const added = after.filter((x) => x.severity === 'error' && !errorsBefore.has(diagnosticKey(x)));
          if (added.length) failures.push(`${where} brings ${added.map((x) => `${x.code}${x.nodeId ? ` [${x.nodeId}]` : ''}: ${x.message}`).join('; ')}`);
          applied.set(d.code, (applied.get(d.code) ?? 0) + 1);
        }
      }
    }
    assert.deepEqual(failures, [], `${failures.length} fixes do not work:\n${failures.slice(0, 30).join('\n')}`);
    // The sweep reaches the fixes it is about.
    assert.ok(broken > DESIGNS / 2, `${broken} broken designs`);
    for (const code of ['window-larger-than-input', 'stride-does-not-fit', 'dangling-edge', 'dangling-node', 'merge-shape-mismatch', 'cycle', 'dense-without-flatten', 'invalid-node-id']) {
      assert.ok((applied.get(code) ?? 0) > 0, `no fix for ${code} was tried (tried: ${[...applied].map(([c, n]) => `${c} ${n}`).join(', ')})`);
    }
  });
});
