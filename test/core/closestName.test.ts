// The edit distance behind "did you mean": its banded, capped form (what closestName asks for)
// equals the full computation, capped, on random words.
import { strict as assert } from 'node:assert';
import { closestName, editDistance } from '../../src/core/closestName';
import { seededRandom } from '../support/randomDesign';

/** Optimal string alignment by the full matrix, as the textbook writes it. */
function fullDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

describe('closestName', () => {
  it('the capped distance equals the full one, capped, for 20,000 random pairs of words', () => {
    const rnd = seededRandom(3);
    const word = (): string => Array.from({ length: Math.floor(rnd() * 9) }, () => 'abc'[Math.floor(rnd() * 3)]).join('');
    for (let t = 0; t < 20_000; t++) {
      const [a, b, limit] = [word(), word(), Math.floor(rnd() * 4)];
      const full = fullDistance(a, b);
      assert.equal(editDistance(a, b), full, `${a} / ${b}`);
      assert.equal(editDistance(a, b, limit), Math.min(full, limit + 1), `${a} / ${b} within ${limit}`);
    }
  });

  it('finds a swapped or missing character among many similar ids, and nothing for a long stranger', () => {
    const ids = Array.from({ length: 150 }, (_, i) => `features_${i}_conv_0_0`);
    assert.equal(closestName('features_12_cnov_0_0', ids), 'features_12_conv_0_0');
    assert.equal(closestName('x'.repeat(5000), ids), undefined);
  });
});
