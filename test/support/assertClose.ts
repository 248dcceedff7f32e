import { strict as assert } from 'node:assert';

/**
 * Asserts two arrays are equal to within `tolerance` of the larger of 1e-3 and the expected
 * values' largest magnitude (float32 kernels summing in another order differ by rounding only).
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 1e-3;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * scale, `${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (scale ${scale})`);
  }
}
