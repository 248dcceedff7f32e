/** Random structural mutations of JSON values, for fuzzing parsers and the analysis. */
export const WEIRD_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, -0, NaN, '', 'x', 'same', 'valid', [], [0], [1, 2, 3], [[1]], {}, { a: 1 }, '__proto__', 2 ** 31];

export function mutateJson(value: unknown, rnd: () => number, depth = 0): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  if (rnd() < 0.08 || depth > 6) return pick(WEIRD_VALUES);
  if (Array.isArray(value)) {
    const copy = value.map((v) => (rnd() < 0.2 ? mutateJson(v, rnd, depth + 1) : v));
    if (rnd() < 0.1 && copy.length) copy.splice(Math.floor(rnd() * copy.length), 1);
    if (rnd() < 0.1 && copy.length) copy.push(copy[Math.floor(rnd() * copy.length)]);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const key of Object.keys(copy)) {
      const r = rnd();
      if (r < 0.05) delete copy[key];
      else if (r < 0.25) copy[key] = mutateJson(copy[key], rnd, depth + 1);
    }
    if (rnd() < 0.05) copy[pick(['strides', 'padding', 'kernelSize', 'filters', 'units', 'shape', 'type', 'id', 'poolSize', 'rate'])] = pick(WEIRD_VALUES);
    return copy;
  }
  if (typeof value === 'number' && rnd() < 0.5) return pick([0, -value, value * 1000, value + 1, Math.floor(value / 2), 0.5]);
  if (typeof value === 'string' && rnd() < 0.5) return pick(['Conv2D', 'Dense', 'Add', 'Concat', 'Input', 'input', value + 'x', '']);
  return value;
}

