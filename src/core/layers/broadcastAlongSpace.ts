import type { Shape } from '../design';

/**
 * Whether an input of `input` shape is broadcast along the spatial axes of an `output`: it is
 * spatially 1 (a pooled [1, 1, C] gate, or a bare [C] vector) while the output is not. Such an
 * input scales the output rather than being looked at per position, so the convention for
 * squeeze-and-excitation nets gives the output no receptive field through it.
 */
export function broadcastAlongSpace(input: Shape | undefined, output: Shape | undefined): boolean {
  if (!input || !output || output.length < 2 || input.length > output.length) return false;
  if (spatiallyOne(output)) return false;
  return input.length !== output.length || spatiallyOne(input);
}

/** Whether every axis but the channels' is 1 (a bare [C] vector too). Allocation-free: it runs per layer on every analysis. */
export function spatiallyOne(shape: Shape): boolean {
  for (let i = 0; i < shape.length - 1; i++) if (shape[i] !== 1) return false;
  return true;
}
