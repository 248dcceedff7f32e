/**
 * Reading Keras / TF.js layer configs back into design parameters: the small rules every layer
 * type's `keras.fromConfig` shares (window sizes, stride defaults, the padding mode).
 */
import type { KerasImportContext } from './layerType';

/** 3 for 3 or [3, 3], [3, 5] otherwise: the designer's window notation. */
export function kerasWindow(value: unknown): number | number[] | undefined {
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number')) return value.every((v) => v === value[0]) ? (value[0] as number) : (value as number[]);
  return undefined;
}

/** True for an absent window value or one of all ones (Keras' default for strides and dilation). */
export const isUnitWindow = (value: unknown): boolean => value === undefined || value === 1 || (Array.isArray(value) && value.every((v) => v === 1));

/**
 * The designer's padding for a layer: explicit padding folded in from a padding layer before it,
 * else "same", else nothing (valid, the default). Undefined after reporting an unknown mode.
 */
export function kerasPadding(layer: KerasImportContext): { padding?: number | number[] | 'same' } | undefined {
  const mode = layer.get('padding');
  if (mode !== 'valid' && mode !== 'same' && mode !== undefined) {
    layer.report(`padding "${String(mode)}" is not supported (valid, same, or explicit padding before the layer).`);
    return undefined;
  }
  if (layer.padding !== undefined) return { padding: layer.padding };
  return mode === 'same' ? { padding: 'same' } : {};
}

/** A padding layer's padding as equal amounts on both sides (one number per axis), or undefined when uneven. */
export function symmetricPadding(value: unknown): number | number[] | undefined {
  if (typeof value === 'number') return value;
  if (!Array.isArray(value)) return undefined;
  if (value.length === 2 && value.every((p) => typeof p === 'number')) {
    // A 1-D [before, after] pair.
    return value[0] === value[1] ? (value[0] as number) : undefined;
  }
  const pairs = value.map((p) => (typeof p === 'number' ? [p, p] : Array.isArray(p) ? p : [NaN, NaN]));
  if (!pairs.every(([a, b]) => a === b && Number.isInteger(a))) return undefined;
  return kerasWindow(pairs.map(([a]) => a));
}
