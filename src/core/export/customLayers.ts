import type { KerasCustomLayer, KerasLayerSpec } from '../layers/layerType';

/** The project's own layer classes a model uses, each once, in order of first use: what an export must define. */
export function customLayers(layers: readonly KerasLayerSpec[]): KerasCustomLayer[] {
  const byName = new Map<string, KerasCustomLayer>();
  for (const layer of layers) if (layer.custom && !byName.has(layer.custom.className)) byName.set(layer.custom.className, layer.custom);
  return [...byName.values()];
}
