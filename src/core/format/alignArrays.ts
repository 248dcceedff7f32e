/** How the elements of an old array map onto a new one. */
export interface ArrayAlignment {
  /** For each new element, the old element it continues (equal, or edited in place), or -1 when it is new. */
  oldIndexOf: number[];
  /** Old elements with no counterpart, in increasing order. */
  removed: number[];
}

/** Above this many cells the longest common subsequence is not searched (the result is then positional, still correct). */
const MAX_LCS_CELLS = 4_000_000;

/**
 * Aligns two arrays given one comparison key per element: equal elements are matched along their
 * longest common subsequence, and the unmatched ones between two matches are paired in order (an
 * element edited in place) before the rest count as removed or added. A deleted layer is then one
 * removed element and a changed parameter one element edited in place.
 */
export function alignArrays(oldKeys: readonly string[], newKeys: readonly string[]): ArrayAlignment {
  const n = oldKeys.length;
  const m = newKeys.length;
  let prefix = 0;
  while (prefix < n && prefix < m && oldKeys[prefix] === newKeys[prefix]) prefix++;
  let suffix = 0;
  while (suffix < n - prefix && suffix < m - prefix && oldKeys[n - 1 - suffix] === newKeys[m - 1 - suffix]) suffix++;

  const anchors: [number, number][] = [];
  for (let i = 0; i < prefix; i++) anchors.push([i, i]);
  anchors.push(...commonSubsequence(oldKeys.slice(prefix, n - suffix), newKeys.slice(prefix, m - suffix)).map(([i, j]): [number, number] => [i + prefix, j + prefix]));
  for (let k = suffix; k > 0; k--) anchors.push([n - k, m - k]);

  const oldIndexOf = new Array<number>(m).fill(-1);
  const removed: number[] = [];
  let [lastOld, lastNew] = [-1, -1];
  for (const [i, j] of [...anchors, [n, m] as [number, number]]) {
    // The gap between two matches: pair in order, then what is left over is removed or added.
    const oldGap = i - lastOld - 1;
    const newGap = j - lastNew - 1;
    for (let k = 0; k < Math.min(oldGap, newGap); k++) oldIndexOf[lastNew + 1 + k] = lastOld + 1 + k;
    for (let k = newGap; k < oldGap; k++) removed.push(lastOld + 1 + k);
    if (i < n) oldIndexOf[j] = i;
    [lastOld, lastNew] = [i, j];
  }
  return { oldIndexOf, removed };
}

/** Index pairs of a longest common subsequence (classic dynamic programming). */
function commonSubsequence(a: readonly string[], b: readonly string[]): [number, number][] {
  if (a.length === 0 || b.length === 0 || (a.length + 1) * (b.length + 1) > MAX_LCS_CELLS) return [];
  const width = b.length + 1;
  const length = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      length[i * width + j] = a[i] === b[j] ? length[(i + 1) * width + j + 1] + 1 : Math.max(length[(i + 1) * width + j], length[i * width + j + 1]);
  const pairs: [number, number][] = [];
  let [i, j] = [0, 0];
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) pairs.push([i++, j++]);
    else if (length[(i + 1) * width + j] >= length[i * width + j + 1]) i++;
    else j++;
  }
  return pairs;
}
