import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { modelShardPath } from './modelShardPath';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/**
 * A TF.js IO handler that saves a model as `model.json` + `weights.bin` in a folder, the layout
 * `tf.loadLayersModel('file://…')` of tfjs-node and the converter use. Plain `@tensorflow/tfjs` has no
 * file-system handler in Node. The folder is written next to its final place and renamed, so a crash
 * mid-save never leaves a half-written model where a finished one was.
 */
export function fileSystemSaver(folder: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('binary model topologies are not supported');
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      const staging = `${folder}.saving-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      writeFileSync(join(staging, MODEL_JSON), JSON.stringify(modelJson));
      writeFileSync(join(staging, WEIGHTS_BIN), Buffer.from(weightData));
      rmSync(folder, { recursive: true, force: true });
      renameSync(staging, folder);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** A manifest group's shard paths, checked to be a list (the model.json may come from anyone). */
function shardPaths(group: { paths?: unknown }): unknown[] {
  if (!Array.isArray(group.paths)) throw new Error("The model's weightsManifest has a group without a list of weight files (paths).");
  return group.paths;
}

/** Loads what fileSystemSaver wrote: `tf.loadLayersModel(fileSystemLoader(folder))`. */
export function fileSystemLoader(folder: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = JSON.parse(readFileSync(join(folder, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
      const specs = modelJson.weightsManifest.flatMap((group) => group.weights);
      const buffers = modelJson.weightsManifest.flatMap((group) => shardPaths(group).map((p) => readFileSync(modelShardPath(folder, p))));
      const weights = Buffer.concat(buffers);
      return tf.io.getModelArtifactsForJSON(modelJson, async () => [specs, weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length)]);
    },
  };
}
