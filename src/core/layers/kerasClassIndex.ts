import { LAYER_CATALOG } from './layerCatalog';
import type { LayerType } from './layerType';

const typeByClass = new Map<string, LayerType<any>>();
const paddingTargets = new Map<string, string[]>();
for (const layer of LAYER_CATALOG) {
  for (const className of layer.keras.classNames) if (!typeByClass.has(className)) typeByClass.set(className, layer);
  for (const padding of layer.keras.paddingClassNames ?? []) paddingTargets.set(padding, [...(paddingTargets.get(padding) ?? []), ...layer.keras.classNames]);
}

/**
 * The catalog looked up by Keras / TF.js class name, derived from each layer type's `keras`
 * mapping (so a new layer type is found by adding its catalog entry, nothing else).
 */
export const kerasClassIndex = {
  /** The layer type a Keras class imports as, or undefined when the designer has no equivalent. */
  layerTypeOf(className: string): LayerType<any> | undefined {
    return typeByClass.get(className);
  },
  /** For a padding layer class that folds into the layer after it, the classes it folds into. */
  paddingTargetsOf(className: string): readonly string[] | undefined {
    return paddingTargets.get(className);
  },
  /** The Keras classes of the catalog's convolution group (the layers whose feature maps a run shows). */
  convolutionClasses: new Set(LAYER_CATALOG.filter((l) => l.group === 'convolution').flatMap((l) => l.keras.classNames)),
};
