import * as tf from '@tensorflow/tfjs';
import { version_wasm as wasmVersion } from '@tensorflow/tfjs-backend-wasm';
import type { Design, TrainingSettings } from '../../core/design';
import { compileDesign } from '../compile/compileDesign';
import { BatchFeeder } from '../data/batchFeeder';
import type { DownloadProgress } from '../data/downloadFile';
import { classCountMismatch, loadRunData } from '../data/loadRunData';
import { runManifestBase } from './runManifestBase';
import { SeededRandom } from '../data/seededRandom';
import { EarlyStopping } from './earlyStopping';
import { EventLoopTurns } from './EventLoopTurns';
import { evaluateSet, testMetrics } from './evaluateModel';
import { fileSystemSaver } from './fileSystemModelIo';
import { firstConvFilters } from './firstConvFilters';
import { outputKindOf } from './outputLoss';
import { trainingObjective } from './trainingObjective';
import { automaticReplicaCount, ReplicaGroup } from '../parallel/ReplicaGroup';
import { learningRateAt, resolveTrainingSettings } from './resolveTrainingSettings';
import { createRunFolder, RUN_FILES, runsFolderFor, writeRunMetrics, writeRunStart, type RunManifest } from './runFolder';
import type { EpochMetrics, TrainingProgress, TrainingResult } from './trainingReport';
import packageJson from '../../../package.json';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { modelSampleShapes } from '../compile/modelSampleShapes';
import { FoldedInference } from '../parallel/FoldedInference';

export interface TrainDesignRequest {
  design: Design;
  /** The design file's text exactly as trained: hashed and copied into the run folder. */
  designText: string;
  /** Where the design lives; its runs go to `<name>.runs/` beside it unless `runsFolder` says otherwise. */
  designPath?: string;
  runsFolder?: string;
  /** The design's `training` block with any overrides (CLI flags) applied. */
  settings: TrainingSettings;
  /** Caps for quick runs and tests. */
  limits?: { maxTrainImages?: number; maxTestImages?: number; maxBatchesPerEpoch?: number };
  datasetCacheDir?: string;
  /**
   * Copies of the model that train in parallel on slices of each batch, the process's own included
   * (data parallel, one core each; wasm and cpu only). 'auto': one per core, up to 4, while slices
   * keep at least 8 samples. Absent or 1: none.
   */
  replicas?: number | 'auto';
  /** The replica bundle, when not beside the running bundle (tests running from sources). */
  replicaScript?: string;
  /** How the backend was chosen (recorded in run.json). */
  backendAttempts?: { backend: string; ok: boolean; reason?: string }[];
}

export interface TrainerHooks {
  onProgress?(progress: TrainingProgress): void;
  onEpoch?(metrics: EpochMetrics): void;
  onLog?(message: string): void;
  onRunFolder?(folder: string): void;
  onDownload?(progress: DownloadProgress & { file: string; fileIndex: number; fileCount: number }): void;
  /** Polled between batches; true stops the run, keeping the last completed epoch's checkpoint. */
  isCancelled?(): boolean;
}

const PROGRESS_INTERVAL_MS = 250;

export { classCountMismatch };

/**
 * Trains a design on the active TF.js backend and reports as it goes: the whole run (dataset, model,
 * epochs, evaluation, run folder). Math.random is replaced by a generator seeded from `training.seed`
 * for the duration of the run, because TF.js draws its weight initializers' and dropout's seeds from it:
 * that, with seeded shuffling and augmentation, makes a run reproducible on a given backend.
 */
export async function trainDesign(request: TrainDesignRequest, hooks: TrainerHooks = {}): Promise<TrainingResult> {
  const startedAt = Date.now();
  const settings = resolveTrainingSettings(request.settings, request.designPath ? dirname(request.designPath) : undefined);
  const log = (message: string) => hooks.onLog?.(message);
  const cancelled = () => hooks.isCancelled?.() ?? false;
  const backend = tf.getBackend();
  const originalRandom = Math.random;
  const seededRandom = new SeededRandom(settings.seed ^ 0x5eed);
  Math.random = () => seededRandom.next();
  let model: tf.LayersModel | undefined;
  let replicaGroup: ReplicaGroup | undefined;
  try {
    model = compileDesign(request.design);
    if (model.inputs.length !== 1 || model.outputs.length !== 1) {
      throw new Error(`The design has ${model.inputs.length} inputs and ${model.outputs.length} outputs; training needs exactly one image input and one class-score output.`);
    }
    const { input: { shape: inputShape }, output: { shape: outputShape } } = modelSampleShapes(model);
    if (outputShape.length !== 1) throw new Error(`The output must be a vector of class scores, but its shape is [${outputShape.join(', ')}]: add Flatten and Dense layers before the output.`);

    const loaded = await loadRunData({
      settings,
      inputShape,
      outputShape,
      limits: request.limits,
      datasetCacheDir: request.datasetCacheDir,
      onLog: log,
      onDownload: hooks.onDownload,
    });
    const { dataset, data } = loaded;
    const classCount = dataset.classNames.length;
    const kind = outputKindOf(model);
    if (settings.loss === 'nll' && kind !== 'logProbabilities') log(`training.loss is "nll" but the output is not log-softmax; using cross-entropy on the ${kind} the output holds.`);

    const runsFolder = request.runsFolder ?? (request.designPath ? runsFolderFor(request.designPath) : undefined);
    let runFolder = runsFolder ? createRunFolder(runsFolder) : undefined;
    const manifest: RunManifest = {
      ...runManifestBase(request, settings, loaded, startedAt),
      backend: { name: backend, attempts: request.backendAttempts },
      versions: { tfjs: tf.version.tfjs, node: process.version, cnnDesigner: packageJson.version, tfjsPackages: { ...tf.version }, wasmBackend: wasmVersion },
      engine: { name: backend, device: backend === 'webgpu' || (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice ? 'gpu' : 'cpu', versions: { tfjs: tf.version.tfjs, node: process.version, ...(backend === 'wasm' ? { wasm: wasmVersion } : {}) } },
    };

    const objective = trainingObjective(kind, settings.l2, model.trainableWeights);
    let replicas = request.replicas === 'auto' ? automaticReplicaCount(backend, settings.batchSize) : (request.replicas ?? 1);
    if (replicas > 1 && backend !== 'wasm' && backend !== 'cpu') {
      log(`Data-parallel replicas are for the wasm and cpu engines; ${backend} uses the cores by itself, so this run trains one copy of the model.`);
      replicas = 1;
    }
    const groupOptions = { design: request.design, model, objective, backend, settings, kind, classCount: outputShape[0], script: request.replicaScript };
    try {
      replicaGroup = await ReplicaGroup.start({ ...groupOptions, replicas });
    } catch (error) {
      // The automatic choice is an optimisation: without its workers the run still trains, on one core.
      if (request.replicas !== 'auto') throw error;
      log(`Training one copy of the model: the data-parallel copies did not start (${error instanceof Error ? error.message : String(error)}).`);
      replicas = 1;
      replicaGroup = await ReplicaGroup.start({ ...groupOptions, replicas });
    }
    if (replicas > 1) log(`Training ${replicas} data-parallel copies of the model, one per core, each on 1/${replicas} of every batch.`);
    manifest.replicas = replicas;
    if (runFolder) {
      writeRunStart(runFolder, manifest, request.designText);
      hooks.onRunFolder?.(runFolder);
    }

    const shape = data.shape;
    const batchSize = settings.batchSize;
    const feeder = new BatchFeeder(shape, data.normalization, batchSize);
    const batchesPerEpoch = Math.min(Math.ceil(data.train.count / batchSize), request.limits?.maxBatchesPerEpoch ?? Infinity);
    const totalBatches = batchesPerEpoch * settings.epochs;
    const shuffle = new SeededRandom(settings.seed);
    const augmenting = !!(settings.augment.horizontalFlip || settings.augment.translate || settings.augment.cropPadding);
    const augmentation = augmenting ? { random: new SeededRandom(settings.seed + 1), settings: settings.augment } : undefined;
    const epochs: EpochMetrics[] = [];
    let status: TrainingResult['status'] = 'completed';
    let stopReason: string | undefined;
    let secondsToFirstBatch: number | undefined;
    let batchesDone = 0;
    let trainingMs = 0;
    const earlyStopping = new EarlyStopping(settings.earlyStoppingPatience);
    const result = (): TrainingResult => ({
      status,
      stopReason,
      epochs,
      classNames: dataset.classNames,
      imageShape: shape,
      wallSeconds: (Date.now() - startedAt) / 1000,
      secondsToFirstBatch,
      backend,
      runFolder,
    });

    // Evaluation splits its batches over the data-parallel copies too (after synchronize(), so their batch-norm statistics agree).
    const group = replicaGroup;
    const predict = (pixels: Float32Array, count: number) => group.predictBatch(pixels, count);
    const turns = new EventLoopTurns();
    training: for (let epoch = 0; epoch < settings.epochs; epoch++) {
      const learningRate = learningRateAt(settings, epoch);
      const order = shuffle.permutation(data.train.count);
      const epochStart = Date.now();
      let lastProgress = 0;
      let lossSum = 0;
      let accuracySum = 0;
      let top5Sum = 0;
      let samples = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        await turns.maybeYield();
        if (cancelled()) {
          status = 'cancelled';
          stopReason = epochs.length > 0 ? `Cancelled during epoch ${epoch + 1}; the checkpoint of epoch ${epochs.length} is kept.` : 'Cancelled before the first epoch completed.';
          break training;
        }
        const batch = feeder.batch(data.train, order, b * batchSize, augmentation);
        const { loss, accuracy: acc, top5 } = await replicaGroup.trainBatch(batch.pixels, batch.labels, learningRate);
        if (!Number.isFinite(loss)) {
          status = 'diverged';
          stopReason = `The loss became ${loss} at epoch ${epoch + 1}, batch ${b + 1}: the learning rate (${learningRate}) is most likely too high for ${settings.optimizer}. Try one ten times smaller${settings.standardize ? '' : ', or turn standardization on'}.`;
          log(stopReason);
          break training;
        }
        batchesDone++;
        secondsToFirstBatch ??= (Date.now() - startedAt) / 1000;
        lossSum += loss * batch.count;
        accuracySum += acc * batch.count;
        top5Sum += top5 * batch.count;
        samples += batch.count;
        const now = Date.now();
        if (now - lastProgress >= PROGRESS_INTERVAL_MS || b === batchesPerEpoch - 1) {
          lastProgress = now;
          const elapsed = trainingMs + (now - epochStart);
          hooks.onProgress?.({
            epoch: epoch + 1,
            epochs: settings.epochs,
            batch: b + 1,
            batches: batchesPerEpoch,
            loss: lossSum / samples,
            accuracy: accuracySum / samples,
            samplesPerSecond: samples / Math.max((now - epochStart) / 1000, 1e-3),
            etaSeconds: ((totalBatches - batchesDone) * elapsed) / batchesDone / 1000,
            learningRate,
          });
        }
      }
      const trainSeconds = (Date.now() - epochStart) / 1000;
      trainingMs += Date.now() - epochStart;
      await replicaGroup.synchronize();
      const validation =
        data.validation.count > 0 ? await evaluateSet(predict, data.validation, feeder, batchSize, kind, cancelled) : undefined;
      if (cancelled()) {
        status = 'cancelled';
        stopReason = `Cancelled at the end of epoch ${epoch + 1}; the checkpoint of epoch ${epochs.length} is kept.`;
        break;
      }
      const metrics: EpochMetrics = {
        epoch: epoch + 1,
        trainLoss: lossSum / samples,
        trainAccuracy: accuracySum / samples,
        trainTop5: top5Sum / samples,
        validationLoss: validation?.loss,
        validationAccuracy: validation?.accuracy,
        validationTop5: validation?.top5,
        learningRate,
        seconds: (Date.now() - epochStart) / 1000,
        samplesPerSecond: samples / Math.max(trainSeconds, 1e-3),
        tensors: tf.memory().numTensors,
        residentMegabytes: Math.round(process.memoryUsage().rss / 1e6),
      };
      epochs.push(metrics);
      if (runFolder) {
        await model.save(fileSystemSaver(join(runFolder, RUN_FILES.model)));
        writeRunMetrics(runFolder, { ...result(), status: 'running' });
      }
      hooks.onEpoch?.(metrics);
      if (earlyStopping.shouldStop(metrics.validationLoss ?? metrics.trainLoss)) {
        stopReason = `Early stopping after epoch ${epoch + 1}: the ${metrics.validationLoss === undefined ? 'training' : 'validation'} loss has not improved for ${settings.earlyStoppingPatience} epoch(s).`;
        log(stopReason);
        break;
      }
    }

    if (status === 'cancelled' && epochs.length === 0 && runFolder) {
      // Stopped before anything was learnt: no empty run folder is left to clutter the run history.
      rmSync(runFolder, { recursive: true, force: true });
      runFolder = undefined;
    }
    const final = result();
    if (status === 'completed' && epochs.length > 0) {
      const evaluation = await evaluateSet(predict, data.test, feeder, batchSize, kind);
      final.test = testMetrics(data.test, evaluation, classCount, shape[0] * shape[1] * shape[2]);
      final.firstConvFilters = firstConvFilters(model);
    }
    final.wallSeconds = (Date.now() - startedAt) / 1000;
    if (runFolder) writeRunMetrics(runFolder, final);
    return final;
  } finally {
    await replicaGroup?.dispose();
    Math.random = originalRandom;
    if (model) FoldedInference.release(model);
    model?.dispose();
  }
}
