import { getLayerType } from '../layers/layerCatalog';

/** Starting values for a new layer's required parameters, chosen so a fresh block is usable at once. */
const STARTERS: Record<string, Record<string, unknown>> = {
  Input: { shape: [28, 28, 1] },
  Conv2D: { filters: 32, kernelSize: 3 },
  Conv1D: { filters: 32, kernelSize: 3 },
  MaxPool2D: { poolSize: 2 },
  AvgPool2D: { poolSize: 2 },
  MaxPool1D: { poolSize: 2 },
  AvgPool1D: { poolSize: 2 },
  Dense: { units: 64 },
  Dropout: { rate: 0.5 },
  Upsample2D: { scale: 2 },
  AdaptiveAvgPool2D: { outputSize: 7 },
  AdaptiveMaxPool2D: { outputSize: 7 },
  Conv2DTranspose: { filters: 32, kernelSize: 2, strides: 2 },
  Conv1DTranspose: { filters: 32, kernelSize: 2, strides: 2 },
};

/**
 * The parameters a new layer of `type` is written with: the starter values above, else each
 * required parameter's smallest valid value. Optional parameters are left out (their default applies).
 */
export function defaultParams(type: string): Record<string, unknown> {
  const layer = getLayerType(type);
  if (!layer) return {};
  const params: Record<string, unknown> = {};
  const starter = STARTERS[type] ?? {};
  for (const spec of layer.params) {
    if (Object.prototype.hasOwnProperty.call(starter, spec.name)) params[spec.name] = starter[spec.name];
    else if (spec.required) {
      switch (spec.kind) {
        case 'int':
        case 'number':
          params[spec.name] = spec.min ?? 1;
          break;
        case 'window':
          params[spec.name] = Math.max(spec.min, 1);
          break;
        case 'enum':
          params[spec.name] = spec.options[0];
          break;
        case 'bool':
          params[spec.name] = false;
          break;
        case 'padding':
          params[spec.name] = 'valid';
          break;
        case 'sides':
          params[spec.name] = 1;
          break;
        case 'shape':
          params[spec.name] = [28, 28, 1];
          break;
      }
    }
  }
  return params;
}
