import type { Shape } from '../design';

/**
 * Whether an input of `input` shape is broadcast along the spatial axes of an `output`: it is
 * spatially 1 (a pooled [1, 1, C] gate, or a bare [C] vector) while the output is not. Such an
 * input scales the output rather than being looked at per position, so the convention for
 * squeeze-and-excitation nets gives the output no receptive field through it.
 */
export function broadcastAlongSpace(input: Shape | undefined, output: Shape | undefined): boolean {
  if (!input || !output || output.length < 2 || input.length > output.length) return false;
  const outputSpatial = output.slice(0, -1);
  if (outputSpatial.every((d) => d === 1)) return false;
  const inputSpatial = input.length === output.length ? input.slice(0, -1) : [];
  return inputSpatial.every((d) => d === 1);
}
