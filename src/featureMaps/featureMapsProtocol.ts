/** Messages between the host and a short-lived feature-map process (Node IPC, plain data). */
import type { FeatureMapLayer } from '../protocol/trainingPanelProtocol';

export interface FeatureMapsRequest {
  type: 'compute';
  /** The saved TF.js model (model.json + weights.bin) of a run. */
  modelFolder: string;
  /** The run's input scaling: x = (pixel / 255 - mean[c]) / std[c]. */
  normalization: { mean: number[]; std: number[] };
  /** uint8 pixels, height × width × channels. */
  pixels: number[];
  shape: number[];
  /** At most this many channels per layer are returned. */
  maxChannels: number;
}

export type FeatureMapsReply = { type: 'featureMaps'; layers: FeatureMapLayer[] } | { type: 'error'; message: string };
