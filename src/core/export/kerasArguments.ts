import type { KerasLayerSpec } from '../layers/layerType';

/**
 * Whether Keras would use `value` for the argument `key` (camelCase) if it were left out: a
 * single-number default stands for every axis of a window.
 */
export function isKerasDefault(spec: Pick<KerasLayerSpec, 'defaults'>, key: string, value: unknown): boolean {
  if (!spec.defaults || !(key in spec.defaults)) return false;
  const d = spec.defaults[key];
  if (Array.isArray(d)) return Array.isArray(value) && value.length === d.length && value.every((v, i) => v === d[i]);
  return Array.isArray(value) ? value.every((v) => v === d) : value === d;
}

/**
 * The config entries an export writes for a layer: those that differ from Keras' defaults, so the
 * code reads like hand-written Keras (TF.js has the same defaults).
 */
export function explicitArguments(spec: Pick<KerasLayerSpec, 'config' | 'defaults'>): [string, unknown][] {
  return Object.entries(spec.config).filter(([key, value]) => !isKerasDefault(spec, key, value));
}
