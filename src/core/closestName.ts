/**
 * The known name a mistyped one most likely meant, for "did you mean …?" messages (a CLI flag, a node
 * id in an edge). Case is ignored; a name counts as close when at most a third of its characters
 * (at least one, at most three) are inserted, deleted, replaced or swapped with a neighbour.
 * Undefined when none is close or two are equally close.
 */
export function closestName(typed: string, known: Iterable<string>): string | undefined {
  const wanted = typed.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const name of known) {
    const distance = editDistance(wanted, name.toLowerCase(), limit);
    if (distance > limit) continue;
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance && name !== best) tie = true;
  }
  return tie ? undefined : best;
}

/**
 * Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps each
 * cost 1. With `limit`, any distance above it is reported as limit + 1, computed only in the band
 * of cells that can stay within it (the analysis asks this of every node id for every mistyped
 * edge end, in every fix it tries, so it must stay cheap for designs with many ids).
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const width = b.length + 1;
  const big = a.length + b.length + 1;
  // Three rolling rows: the one before the previous is needed for swaps.
  let before = new Int32Array(width).fill(big);
  let previous = Int32Array.from({ length: width }, (_, j) => j);
  let current = new Int32Array(width);
  for (let i = 1; i <= a.length; i++) {
    const from = Number.isFinite(limit) ? Math.max(1, i - limit) : 1;
    const to = Number.isFinite(limit) ? Math.min(b.length, i + limit) : b.length;
    current.fill(big);
    current[0] = i;
    let rowMin = from > 1 ? big : i;
    for (let j = from; j <= to; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      current[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[b.length], limit + 1);
}
