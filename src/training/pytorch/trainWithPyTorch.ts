/**
 * The PyTorch engine: trains a design as its exported PyTorch module under a Python interpreter with
 * torch (python/cnn_designer_runner.py), on cuda, mps or cpu, and writes the same run folder and
 * reports the same messages as the TF.js engines, so every view of a run works for both.
 *
 * What this side does, so that both engines train on identical inputs: loads, splits and
 * standardizes the data with the same code as the TF.js trainer, draws every epoch's shuffle and
 * every augmentation with the same seeded generators, and draws the initial weights with the TF.js
 * model's seeded initializers (converted to the module's state_dict). After each epoch it turns the
 * runner's safetensors checkpoint back into the TF.js model saved in `model/`, which the feature-map
 * view and the PyTorch export read; at the end it computes the test views from the runner's predictions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import { exportDesign } from '../../core/export/exportDesign';
import { className } from '../../core/export/identifierNames';
import { decodeSafetensors, encodeSafetensors, fromPyTorchStateDict, toPyTorchStateDict, type NamedTensor } from '../../core/export/pytorchWeights';
import { compileDesign } from '../compile/compileDesign';
import { loadRunData } from '../data/loadRunData';
import { runManifestBase } from '../trainer/runManifestBase';
import { SeededRandom } from '../data/seededRandom';
import type { ImageSet } from '../data/imageDataset';
import { parseRunnerMessage, type RunnerMessage } from '../protocol/pytorchRunnerProtocol';
import { testMetrics } from '../trainer/evaluateModel';
import { fileSystemSaver } from '../trainer/fileSystemModelIo';
import { firstConvFilters } from '../trainer/firstConvFilters';
import { outputKindOf } from '../trainer/outputLoss';
import { learningRateAt, resolveTrainingSettings } from '../trainer/resolveTrainingSettings';
import { createRunFolder, RUN_FILES, runsFolderFor, writeRunMetrics, writeRunStart, type RunManifest } from '../trainer/runFolder';
import type { TrainDesignRequest, TrainerHooks } from '../trainer/trainDesign';
import type { EpochMetrics, TrainingResult } from '../trainer/trainingReport';
import type { PythonTorchInfo } from './findPythonWithTorch';
import packageJson from '../../../package.json';

import { resolveTorchDevice, type TorchDevice } from './torchDevices';
import { modelSampleShapes } from '../compile/modelSampleShapes';

export { resolveTorchDevice, type TorchDevice };

export interface PyTorchRunOptions {
  /** The interpreter found by findPythonWithTorch. */
  python: PythonTorchInfo;
  device?: TorchDevice;
  /** Processes (one per GPU) for data-parallel training under torchrun; 1 or absent: one process. */
  processes?: number;
  /** The runner script, when not found beside the running code. */
  runnerScript?: string;
}

/** Finds python/cnn_designer_runner.py from a bundle in dist/ or from the sources. */
export function defaultRunnerScript(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'python', 'cnn_designer_runner.py');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('The PyTorch runner (python/cnn_designer_runner.py) is missing from the installation.');
}

/** The command that starts the runner: the interpreter itself, or torchrun (as `python -m torch.distributed.run`) for several processes. */
export function runnerCommand(python: string, script: string, config: string, processes: number): { command: string; args: string[] } {
  const runner = [script, config, '--watch-stdin'];
  if (processes <= 1) return { command: python, args: runner };
  // Workers' stdout (the messages) stays the console's; stderr goes through torchrun's log and is copied
  // to the console. Explicit, and non-zero: torch 1.13 on Python 3.11 cannot parse a 0 (its default).
  return { command: python, args: ['-m', 'torch.distributed.run', '--standalone', `--nproc_per_node=${processes}`, '--redirects=2', '--tee=2', ...runner] };
}

const writeSet = (folder: string, name: string, set: ImageSet) => {
  writeFileSync(join(folder, `${name}.pixels`), set.pixels);
  writeFileSync(join(folder, `${name}.labels`), set.labels);
};

/** Trains `request` with PyTorch; resolves with the same TrainingResult as trainDesign (also written as metrics.json). */
export async function trainWithPyTorch(request: TrainDesignRequest, options: PyTorchRunOptions, hooks: TrainerHooks = {}): Promise<TrainingResult> {
  const startedAt = Date.now();
  const settings = resolveTrainingSettings(request.settings, request.designPath ? dirname(request.designPath) : undefined);
  const log = (message: string) => hooks.onLog?.(message);
  const device = resolveTorchDevice(options.python, options.device);
  const processes = Math.max(1, options.processes ?? 1);
  if (processes > 1 && device === 'cuda' && processes > options.python.cudaDevices.length) {
    throw new Error(`${processes} training processes were asked for but PyTorch sees ${options.python.cudaDevices.length} CUDA GPU(s).`);
  }
  if (processes > 1 && device === 'mps') throw new Error('Several training processes need CUDA GPUs (or the CPU); the mps device has one GPU.');
  const runner = options.runnerScript ?? defaultRunnerScript();
  const work = mkdtempSync(join(tmpdir(), 'cnn-designer-pytorch-'));
  const originalRandom = Math.random;
  // The TF.js model's initializers draw from Math.random: seeded, they give the same start as a TF.js run.
  const seededRandom = new SeededRandom(settings.seed ^ 0x5eed);
  Math.random = () => seededRandom.next();
  let model: tf.LayersModel | undefined;
  let child: ChildProcess | undefined;
  try {
    // Only a holder of weights here: PyTorch trains what TF.js cannot run (a dilation with a stride).
    model = compileDesign(request.design, { weightsOnly: true });
    Math.random = originalRandom;
    if (model.inputs.length !== 1 || model.outputs.length !== 1) {
      throw new Error(`The design has ${model.inputs.length} inputs and ${model.outputs.length} outputs; training needs exactly one image input and one class-score output.`);
    }
    const { input: { shape: inputShape }, output: { shape: outputShape } } = modelSampleShapes(model);
    if (outputShape.length !== 1) throw new Error(`The output must be a vector of class scores, but its shape is [${outputShape.join(', ')}]: add Flatten and Dense layers before the output.`);
    const loaded = await loadRunData({ settings, inputShape, outputShape, limits: request.limits, datasetCacheDir: request.datasetCacheDir, onLog: log, onDownload: hooks.onDownload });
    const { dataset, data } = loaded;
    const kind = outputKindOf(model);
    if (settings.loss === 'nll' && kind !== 'logProbabilities') log(`training.loss is "nll" but the output is not log-softmax; using cross-entropy on the ${kind} the output holds.`);

    // The module, the initial weights and the data, in a folder of the run's own.
    const { files } = exportDesign(request.design, 'pytorch');
    const modulePath = join(work, 'cnn_designer_model.py');
    writeFileSync(modulePath, files[0].code);
    const kerasWeights: NamedTensor[] = model.weights.map((w) => ({ name: w.originalName, shape: w.shape as number[], data: w.read().dataSync() as Float32Array }));
    const initialWeights = join(work, 'initial.safetensors');
    writeFileSync(initialWeights, encodeSafetensors(toPyTorchStateDict(request.design, kerasWeights)));
    writeSet(work, 'train', data.train);
    writeSet(work, 'validation', data.validation);
    writeSet(work, 'test', data.test);
    const batchSize = settings.batchSize;
    const batchesPerEpoch = Math.min(Math.ceil(data.train.count / batchSize), request.limits?.maxBatchesPerEpoch ?? Infinity);
    // The same draws, in the same order, as the TF.js trainer's shuffle and BatchFeeder's augmentation.
    const shuffle = new SeededRandom(settings.seed);
    const orders = new Uint32Array(settings.epochs * data.train.count);
    for (let e = 0; e < settings.epochs; e++) orders.set(shuffle.permutation(data.train.count), e * data.train.count);
    writeFileSync(join(work, 'orders.u32'), new Uint8Array(orders.buffer));
    const augment = settings.augment;
    const augmenting = !!(augment.horizontalFlip || augment.translate || augment.cropPadding);
    if (augmenting) {
      const random = new SeededRandom(settings.seed + 1);
      const [h, w] = data.shape;
      const maxY = Math.round((augment.translate ?? 0) * h) + (augment.cropPadding ?? 0);
      const maxX = Math.round((augment.translate ?? 0) * w) + (augment.cropPadding ?? 0);
      const draws = new Int8Array(settings.epochs * batchesPerEpoch * batchSize * 3);
      for (let e = 0; e < settings.epochs; e++) {
        for (let b = 0; b < batchesPerEpoch; b++) {
          const count = Math.min(batchSize, data.train.count - b * batchSize);
          for (let i = 0; i < count; i++) {
            const at = ((e * batchesPerEpoch + b) * batchSize + i) * 3;
            draws[at] = augment.horizontalFlip && random.next() < 0.5 ? 1 : 0;
            if (maxY > 0) draws[at + 1] = random.int(2 * maxY + 1) - maxY;
            if (maxX > 0) draws[at + 2] = random.int(2 * maxX + 1) - maxX;
          }
        }
      }
      writeFileSync(join(work, 'augment.i8'), new Uint8Array(draws.buffer));
    }
    const checkpointPath = join(work, 'checkpoint.safetensors');
    const configPath = join(work, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        modulePath,
        className: className(request.design.name),
        initialWeights,
        checkpointPath,
        dataDir: work,
        shape: data.shape,
        inputRank: inputShape.length,
        counts: { train: data.train.count, validation: data.validation.count, test: data.test.count },
        normalization: data.normalization,
        batchSize,
        batchesPerEpoch,
        epochs: settings.epochs,
        learningRates: Array.from({ length: settings.epochs }, (_, e) => learningRateAt(settings, e)),
        optimizer: settings.optimizer,
        momentum: settings.momentum,
        l2: settings.l2,
        outputKind: kind,
        earlyStoppingPatience: settings.earlyStoppingPatience,
        seed: settings.seed,
        device,
        augmented: augmenting,
        startedAtMs: startedAt,
        progressIntervalMs: 250,
      }),
    );

    const runsFolder = request.runsFolder ?? (request.designPath ? runsFolderFor(request.designPath) : undefined);
    const runFolder = runsFolder ? createRunFolder(runsFolder) : undefined;
    const manifest: RunManifest = {
      ...runManifestBase(request, settings, loaded, startedAt),
      backend: { name: 'pytorch', attempts: request.backendAttempts },
      versions: { tfjs: tf.version.tfjs, node: process.version, cnnDesigner: packageJson.version, tfjsPackages: { ...tf.version }, wasmBackend: '' },
      replicas: processes,
    };

    const epochs: EpochMetrics[] = [];
    let finished: Extract<RunnerMessage, { type: 'finished' }> | undefined;
    let failure: string | undefined;
    const stderrTail: string[] = [];
    const { command, args } = runnerCommand(options.python.path, runner, configPath, processes);
    const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true, env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    child = proc;
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderrTail.push(chunk.toString());
      while (stderrTail.length > 20) stderrTail.shift();
    });
    const saveCheckpoint = async () => {
      const stateDict = decodeSafetensors(readFileSync(checkpointPath));
      const tensors = fromPyTorchStateDict(request.design, model!.weights.map((w) => ({ name: w.originalName, shape: w.shape as number[] })), stateDict);
      model!.setWeights(tensors.map((t) => tf.tensor(t.data, t.shape)));
    };
    const lines = createInterface({ input: proc.stdout! });
    const linesClosed = new Promise<void>((resolve) => lines.once('close', () => resolve()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal })));
    const spawnError = new Promise<Error>((resolve) => proc.on('error', resolve));
    let endOfRun!: () => void;
    const lastMessage = new Promise<void>((resolve) => (endOfRun = resolve));
    let cancelSent = false;
    const cancelWatch = setInterval(() => {
      if (!cancelSent && hooks.isCancelled?.()) {
        cancelSent = true;
        proc.kill('SIGTERM');
      }
    }, 20);
    // Messages are handled one after another (a checkpoint is saved before the next epoch is reported).
    let queue = Promise.resolve();
    lines.on('line', (line) => {
      queue = queue.then(async () => {
        if (!line.trim() || failure) return;
        let message: RunnerMessage;
        try {
          message = parseRunnerMessage(line);
        } catch (error) {
          failure = (error as Error).message;
          endOfRun();
          return;
        }
        switch (message.type) {
          case 'ready':
            manifest.engine = { name: 'pytorch', device: message.device, deviceName: message.deviceName, processes: message.worldSize, interpreter: options.python.path, interpreterSource: options.python.source, versions: message.versions };
            if (runFolder) {
              writeRunStart(runFolder, manifest, request.designText);
              hooks.onRunFolder?.(runFolder);
            }
            log(`PyTorch ${message.versions.torch} on ${message.device} (${message.deviceName})${message.worldSize > 1 ? `, ${message.worldSize} data-parallel processes` : ''}, Python at ${options.python.path} (${options.python.source}).`);
            break;
          case 'progress':
            hooks.onProgress?.(message.progress);
            break;
          case 'epoch':
            epochs.push(message.metrics);
            await saveCheckpoint();
            if (runFolder) {
              await model!.save(fileSystemSaver(join(runFolder, RUN_FILES.model)));
              writeFileSync(join(runFolder, 'model.safetensors'), readFileSync(checkpointPath));
              writeRunMetrics(runFolder, { ...partial(), status: 'running' });
            }
            hooks.onEpoch?.(message.metrics);
            break;
          case 'log':
            log(message.message);
            break;
          case 'finished':
            finished = message;
            endOfRun();
            break;
          case 'error':
            failure = message.message;
            endOfRun();
            break;
        }
      });
    });
    const partial = (): TrainingResult => ({
      status: 'running',
      epochs,
      classNames: dataset.classNames,
      imageShape: data.shape,
      wallSeconds: (Date.now() - startedAt) / 1000,
      backend: 'pytorch',
      runFolder,
    });
    // The last message ends the run at once: the interpreter's own shutdown (unloading torch) is not waited for.
    const ended = await Promise.race([exited, spawnError.then((error) => ({ error })), lastMessage.then(() => ({ code: 0, signal: null }))]);
    clearInterval(cancelWatch);
    if (!finished && !failure) {
      await linesClosed;
      await queue;
    }
    if ('error' in ended) throw new Error(`The PyTorch runner did not start (${options.python.path}): ${ended.error.message}`);
    if (failure) throw new Error(`PyTorch engine: ${failure}`);
    if (!finished) {
      if (cancelSent) finished = { type: 'finished', status: 'cancelled', stopReason: epochs.length ? `Cancelled; the checkpoint of epoch ${epochs.length} is kept.` : 'Cancelled before the first epoch completed.', secondsToFirstBatch: null, test: null };
      else {
        const stderr = stderrTail.join('').trim().split('\n').slice(-5).join('\n');
        throw new Error(`The PyTorch runner ${ended.signal ? `was killed (${ended.signal})` : `exited with code ${ended.code}`} before finishing.${stderr ? `\n${stderr}` : ''}`);
      }
    }
    const result: TrainingResult = {
      ...partial(),
      status: finished.status,
      stopReason: finished.stopReason ?? undefined,
      secondsToFirstBatch: finished.secondsToFirstBatch ?? undefined,
    };
    if (finished.test && epochs.length > 0) {
      const predictions = new Uint8Array(readFileSync(join(work, 'test.predictions')));
      const confidences = new Float32Array(new Uint8Array(readFileSync(join(work, 'test.confidences'))).buffer);
      const imageSize = data.shape[0] * data.shape[1] * data.shape[2];
      result.test = testMetrics(data.test, { ...finished.test, predictions, confidences }, dataset.classNames.length, imageSize);
      result.firstConvFilters = firstConvFilters(model);
    }
    result.wallSeconds = (Date.now() - startedAt) / 1000;
    if (runFolder) {
      if (!existsSync(join(runFolder, RUN_FILES.manifest))) writeRunStart(runFolder, manifest, request.designText);
      writeRunMetrics(runFolder, result);
    }
    return result;
  } finally {
    Math.random = originalRandom;
    if (child && child.exitCode === null && child.signalCode === null) {
      // Closing its stdin ends the runner (and, under torchrun, every worker); a runner that hangs is killed.
      const running = child;
      running.stdin?.end();
      setTimeout(() => running.exitCode === null && running.signalCode === null && running.kill('SIGKILL'), 5000).unref();
    }
    model?.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}
