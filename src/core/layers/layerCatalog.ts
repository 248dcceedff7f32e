import type { LayerType } from './layerType';
import { inputLayer } from './inputLayer';
import { conv1dLayer, conv2dLayer } from './convolution';
import { avgPool1dLayer, avgPool2dLayer, maxPool1dLayer, maxPool2dLayer } from './pooling';
import { globalAvgPool1dLayer, globalAvgPool2dLayer, globalMaxPool1dLayer, globalMaxPool2dLayer } from './globalPooling';
import { conv1dTransposeLayer, conv2dTransposeLayer } from './transposedConvolution';
import { padding2dLayer } from './paddingLayer';
import { cropping2dLayer } from './croppingLayer';
import { flattenLayer } from './flattenLayer';
import { denseLayer } from './denseLayer';
import { dropoutLayer } from './dropoutLayer';
import { batchNormLayer } from './batchNormLayer';
import { activationLayer } from './activationLayer';
import { addLayer, concatLayer } from './mergeLayers';
import { multiplyLayer } from './multiplyLayer';
import { upsample2dLayer } from './upsample2dLayer';
import { adaptiveAvgPool2dLayer, adaptiveMaxPool2dLayer } from './adaptivePooling';
import { layerNormLayer } from './layerNormLayer';
import { groupNormLayer } from './groupNormLayer';
import { instanceNormLayer } from './instanceNormLayer';
import { layerScaleLayer } from './layerScaleLayer';
import { dropPathLayer } from './dropPathLayer';
import { spatialDropout1dLayer, spatialDropout2dLayer } from './spatialDropoutLayers';
import { channelShuffleLayer } from './channelShuffleLayer';
import { channelSliceLayer } from './channelSliceLayer';
import { preluLayer } from './preluLayer';

/** Every layer type the designer knows, in palette order. */
export const LAYER_CATALOG: readonly LayerType<any>[] = [
  inputLayer,
  conv2dLayer,
  conv1dLayer,
  maxPool2dLayer,
  avgPool2dLayer,
  maxPool1dLayer,
  avgPool1dLayer,
  globalAvgPool2dLayer,
  globalMaxPool2dLayer,
  adaptiveAvgPool2dLayer,
  adaptiveMaxPool2dLayer,
  globalAvgPool1dLayer,
  globalMaxPool1dLayer,
  denseLayer,
  flattenLayer,
  upsample2dLayer,
  channelShuffleLayer,
  channelSliceLayer,
  dropoutLayer,
  spatialDropout2dLayer,
  spatialDropout1dLayer,
  dropPathLayer,
  batchNormLayer,
  layerNormLayer,
  groupNormLayer,
  instanceNormLayer,
  layerScaleLayer,
  activationLayer,
  preluLayer,
  addLayer,
  concatLayer,
  multiplyLayer,
  conv2dTransposeLayer,
  conv1dTransposeLayer,
  padding2dLayer,
  cropping2dLayer,
];

const byType = new Map(LAYER_CATALOG.map((layer) => [layer.type, layer]));

/** The layer type named `type`, or undefined for an unknown one. */
export function getLayerType(type: string): LayerType<any> | undefined {
  return byType.get(type);
}

export const LAYER_TYPE_NAMES = LAYER_CATALOG.map((l) => l.type);
