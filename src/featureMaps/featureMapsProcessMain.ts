/**
 * Entry point of a feature-map process (bundled as dist/featureMapsProcess.js): loads a run's saved
 * model, runs one image through it and returns every convolution's activations as byte images, then
 * exits. A separate process so TF.js is never loaded into the editor's host.
 */
import * as tf from '@tensorflow/tfjs';
import { kerasClassIndex } from '../core/layers/kerasClassIndex';
import { registerCustomLayers } from '../training/compile/customLayers';
import { exitWithParent } from '../training/process/exitWithParent';
import { fileSystemLoader } from '../training/trainer/fileSystemModelIo';
import type { FeatureMapLayer } from '../protocol/trainingPanelProtocol';
import type { FeatureMapsReply, FeatureMapsRequest } from './featureMapsProtocol';
import { modelSampleShapes } from '../training/compile/modelSampleShapes';
import { selectBackend } from '../training/engine/selectBackend';


/** Scales one channel of an activation tensor's values to 0–255 (a constant channel is mid-grey... or black when all zero). */
function channelImage(values: Float32Array | Int32Array | Uint8Array, size: number, channels: number, channel: number): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < size; i++) {
    const v = values[i * channels + channel];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  const out = new Array<number>(size);
  for (let i = 0; i < size; i++) out[i] = range > 0 ? Math.round(((values[i * channels + channel] - min) / range) * 255) : 0;
  return out;
}

/**
 * The wasm engine with the project's kernels where it starts, else the pure-JavaScript one, which
 * takes seconds for one image through a large net (ResNet-18 at 224×224: 7.5–9 s, against
 * 0.2–0.5 s on wasm).
 */
async function startEngine(): Promise<void> {
  try {
    await selectBackend({ preferred: 'wasm', smokeTest: false });
  } catch {
    await tf.setBackend('cpu');
  }
}

async function compute(request: FeatureMapsRequest): Promise<FeatureMapLayer[]> {
  await startEngine();
  registerCustomLayers();
  const model = await tf.loadLayersModel(fileSystemLoader(request.modelFolder));
  const convs = model.layers.filter((l) => kerasClassIndex.convolutionClasses.has(l.getClassName()));
  if (convs.length === 0) throw new Error('This model has no convolution layers.');
  const inputShape = modelSampleShapes(model).input.shape;
  const [h, w, c] = request.shape;
  if (inputShape.length !== 3 || inputShape[0] !== h || inputShape[1] !== w || inputShape[2] !== c) {
    throw new Error(`The image is ${h}×${w}×${c} but the model takes [${inputShape.join(', ')}].`);
  }
  const { mean, std } = request.normalization;
  const input = new Float32Array(request.pixels.length);
  for (let i = 0; i < input.length; i++) input[i] = (request.pixels[i] / 255 - (mean[i % c] ?? 0)) / (std[i % c] || 1);
  const probe = tf.model({ inputs: model.inputs, outputs: convs.map((l) => l.output as tf.SymbolicTensor) });
  const outputs = tf.tidy(() => {
    const out = probe.predict(tf.tensor4d(input, [1, h, w, c]));
    return Array.isArray(out) ? out : [out];
  });
  const layers: FeatureMapLayer[] = [];
  for (const [i, output] of outputs.entries()) {
    const shape = output.shape.slice(1);
    const values = (await output.data()) as Float32Array;
    const channels = shape[shape.length - 1];
    const height = shape.length === 3 ? shape[0] : 1;
    const width = shape.length === 3 ? shape[1] : shape[0];
    const maps: number[][] = [];
    for (let k = 0; k < Math.min(channels, request.maxChannels); k++) maps.push(channelImage(values, height * width, channels, k));
    layers.push({ layerName: convs[i].name, height, width, channels, maps });
  }
  tf.dispose(outputs);
  model.dispose();
  return layers;
}

function reply(message: FeatureMapsReply): void {
  if (!process.send) return;
  process.send(message, undefined, undefined, () => process.exit(0));
}

process.once('message', (raw: unknown) => {
  const request = raw as FeatureMapsRequest;
  if (typeof raw !== 'object' || raw === null || request.type !== 'compute') return reply({ type: 'error', message: 'unexpected request' });
  compute(request).then(
    (layers) => reply({ type: 'featureMaps', layers }),
    (err: unknown) => reply({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});
// The host going away ends the process, even while a large model's prediction blocks the main thread.
process.on('disconnect', () => process.exit(0));
exitWithParent();
