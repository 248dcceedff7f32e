import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FeatureMapLayer, PickedImage } from '../protocol/trainingPanelProtocol';
import { RUN_FILES, type RunManifest } from '../training/trainer/runFolder';
import type { FeatureMapsReply, FeatureMapsRequest } from './featureMapsProtocol';

/** Finds dist/featureMapsProcess.js from a bundle in dist/ or from the sources. */
export function defaultFeatureMapsScript(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    for (const candidate of [join(dir, 'featureMapsProcess.js'), join(dir, 'dist', 'featureMapsProcess.js')]) if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('The feature-map process bundle (dist/featureMapsProcess.js) is missing: run the build (npm run build).');
}

/**
 * The activations of every convolution of a run's trained model for one image, computed in a
 * short-lived process that loads the model saved in the run folder and exits.
 */
export function computeFeatureMaps(runFolder: string, image: PickedImage, options: { script?: string; timeoutMs?: number; maxChannels?: number } = {}): Promise<FeatureMapLayer[]> {
  const modelFolder = join(runFolder, RUN_FILES.model);
  if (!existsSync(join(modelFolder, 'model.json'))) return Promise.reject(new Error('This run saved no model (it stopped before the first epoch ended).'));
  const manifest = JSON.parse(readFileSync(join(runFolder, RUN_FILES.manifest), 'utf8')) as RunManifest;
  const request: FeatureMapsRequest = { type: 'compute', modelFolder, normalization: manifest.normalization, pixels: image.pixels, shape: image.shape, maxChannels: options.maxChannels ?? 32 };
  return new Promise((resolve, reject) => {
    const child = fork(options.script ?? defaultFeatureMapsScript(), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Computing the feature maps took longer than ${(options.timeoutMs ?? 60_000) / 1000} s.`));
    }, options.timeoutMs ?? 60_000);
    child.once('message', (reply: FeatureMapsReply) => {
      clearTimeout(timer);
      if (reply.type === 'featureMaps') resolve(reply.layers);
      else reject(new Error(reply.message));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The feature-map process ended (${signal ?? `code ${code}`}) without an answer.${stderr ? ` ${stderr.trim().split('\n').pop()}` : ''}`));
    });
    child.send(request);
  });
}
