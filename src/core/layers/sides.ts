/**
 * Amounts on each side of an image ([top, bottom, left, right], the resolved form of a `sides`
 * parameter) as the design, Keras and PyTorch write them.
 */

/** The shortest design spelling: 1 for all equal, [top/bottom, left/right] when each axis is even. */
export function compactSides(sides: number[]): number | number[] {
  if (sides.every((s) => s === sides[0])) return sides[0];
  if (sides.length === 4 && sides[0] === sides[1] && sides[2] === sides[3]) return [sides[0], sides[2]];
  return [...sides];
}

/** Keras' ((top, bottom), (left, right)). */
export const kerasSides = (sides: number[]): number[][] => [
  [sides[0], sides[1]],
  [sides[2], sides[3]],
];

/**
 * A Keras padding or cropping config (n, (sym_h, sym_w) or ((top, bottom), (left, right))) as
 * [top, bottom, left, right], or undefined when it is none of these.
 */
export function sidesFromKeras(value: unknown): number[] | undefined {
  const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (isAmount(value)) return [value, value, value, value];
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  if (value.every(isAmount)) return [value[0], value[0], value[1], value[1]];
  if (value.every((p) => Array.isArray(p) && p.length === 2 && p.every(isAmount))) return [...value[0], ...value[1]] as number[];
  return undefined;
}

/** F.pad's (left, right, top, bottom). */
export const pySides = (sides: number[]): string => `(${sides[2]}, ${sides[3]}, ${sides[0]}, ${sides[1]})`;
