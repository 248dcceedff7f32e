/**
 * The training step, data-parallel on one machine: the training process and N−1 worker-thread
 * replicas each hold the model and its optimizer, split every batch, compute their slices'
 * gradients at the same time, and all apply the weighted mean, as PyTorch's
 * DistributedDataParallel does. The wasm and cpu engines run one thread each, so this is how a run
 * uses the machine's other cores; with one replica it is the plain training step. Batch-norm
 * statistics are averaged across replicas before the process evaluates or saves.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { Design } from '../../core/design';
import type { OutputKind } from '../trainer/outputLoss';
import type { ResolvedTrainingSettings } from '../trainer/resolveTrainingSettings';
import { PackedOptimizer } from '../trainer/PackedOptimizer';
import type { TrainingObjective } from '../trainer/trainingObjective';
import type { FromReplica, ToReplica } from './replicaProtocol';
import { sliceGradients, trainableVariables } from './sliceGradients';
import { ShardedOptimizer } from './ShardedOptimizer';
import { SharedStepChannel, StepCommand } from './SharedStepChannel';
import { predictSlice } from './predictSlice';
import { threadMemory, type ThreadMemory } from './threadMemory';
import { modelSampleShapes } from '../compile/modelSampleShapes';

export interface ReplicaGroupOptions {
  design: Design;
  /** The process's model, already built: its weights seed every replica. */
  model: tf.LayersModel;
  objective: TrainingObjective;
  /** The process's backend; worker replicas exist for the single-threaded ones only. */
  backend: string;
  settings: ResolvedTrainingSettings;
  kind: OutputKind;
  classCount: number;
  /** Copies of the model in total, the process's own included (1: no workers). */
  replicas: number;
  /** The bundle a replica runs (default: the training process's, trainingProcess.js, beside this bundle or one folder up). */
  script?: string;
  wasmFolders?: string[];
}

/** What one batch step reports: the batch's mean loss and its accuracy counts. */
export interface BatchStep {
  loss: number;
  accuracy: number;
  top5: number;
}

/** Slices smaller than this cost more in per-operation overhead than the extra core gains. */
const MIN_SLICE = 8;
const MAX_AUTOMATIC_REPLICAS = 4;

/**
 * How many replicas 'auto' means: one per core (up to 4) on the single-threaded engines, while
 * every slice keeps at least 8 samples; 1 on the native engines, which thread by themselves.
 */
export function automaticReplicaCount(backend: string, batchSize: number, cores = availableParallelism()): number {
  if (backend !== 'wasm' && backend !== 'cpu') return 1;
  return Math.max(1, Math.min(cores, MAX_AUTOMATIC_REPLICAS, Math.floor(batchSize / MIN_SLICE)));
}

/** The bundle replicas run: the training process's, beside the running bundle (dist/), or undefined from sources. */
export function defaultReplicaScript(): string | undefined {
  for (const dir of [__dirname, dirname(__dirname)]) {
    const candidate = join(dir, 'trainingProcess.js');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** A worker replica: its step channel, and the message replies it still owes, answered in order. */
class ReplicaWorker {
  private readonly waiting: { resolve(message: FromReplica): void; reject(error: Error): void }[] = [];
  private failure?: Error;
  /** Whether it is in its step loop (and deaf to messages until released). */
  serving = false;

  constructor(
    readonly worker: Worker,
    readonly channel: SharedStepChannel,
  ) {
    worker.on('message', (message: FromReplica) => {
      if (message.type === 'error') return this.fail(new Error(`A training replica failed: ${message.message}`));
      this.waiting.shift()?.resolve(message);
    });
    worker.on('error', (error) => this.fail(new Error(`A training replica crashed: ${error.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`A training replica exited (code ${code}).`)));
  }

  /** False once the thread has stopped, even before its exit event could be delivered. */
  get alive(): boolean {
    return !this.failure && this.worker.threadId >= 0;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
  }

  post(message: ToReplica): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(message);
  }

  /** Posts a message that the replica answers, and waits for the answer. */
  request<T extends FromReplica['type']>(message: ToReplica, expected: T): Promise<Extract<FromReplica, { type: T }>> {
    const reply = new Promise<FromReplica>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiting.push({ resolve, reject });
    });
    this.post(message);
    return reply.then((answer) => {
      if (answer.type !== expected) throw new Error(`A training replica answered "${answer.type}" instead of "${expected}".`);
      return answer as Extract<FromReplica, { type: T }>;
    });
  }
}

export class ReplicaGroup {
  /** The process's own optimizer when it trains alone (with replicas, `sharded` updates instead). */
  private readonly optimizer?: PackedOptimizer;
  /** The gradient buffer a lone process reuses every step (with replicas, `sharded.gradients`). */
  private readonly gradients: Float32Array;
  /** Whether the copies still have to apply the last step's update (all copies at once, each its shard). */
  private meanPending = false;
  private learningRate: number;
  /** The last 200 steps' times in ms: the process's slice, its wait for the others, and each replica's own slice (for the benchmark). */
  readonly timings: { local: number; waited: number; remote: number[] }[] = [];

  private constructor(
    private readonly options: ReplicaGroupOptions,
    private readonly workers: ReplicaWorker[],
    private readonly sharded?: ShardedOptimizer,
  ) {
    if (sharded) this.gradients = sharded.gradients;
    else {
      const lone = ShardedOptimizer.lone(options.settings, trainableVariables(options.model));
      this.optimizer = lone.optimizer;
      this.gradients = lone.gradients;
    }
    this.learningRate = options.settings.learningRate;
  }

  /** Starts the worker replicas and gives them the model's current weights. */
  static async start(options: ReplicaGroupOptions): Promise<ReplicaGroup> {
    if (options.replicas <= 1) return new ReplicaGroup(options, []);
    const backend = options.backend;
    if (backend !== 'wasm' && backend !== 'cpu') throw new Error(`Data-parallel replicas run on the wasm or cpu engine, not ${backend}.`);
    const script = options.script ?? defaultReplicaScript();
    if (!script) throw new Error('The training process bundle (trainingProcess.js), which replicas run, is missing: run the build (npm run build).');
    const variables = trainableVariables(options.model);
    const shared = ShardedOptimizer.allocate(options.settings, variables, options.replicas);
    const statistics = options.model.nonTrainableWeights.map((w) => w.read().dataSync() as Float32Array);
    const samples = modelSampleShapes(options.model);
    const imageSize = samples.input.size;
    const outputSize = samples.output.size;
    const sliceCapacity = Math.ceil(options.settings.batchSize / options.replicas) + 1;
    const workers: ReplicaWorker[] = [];
    try {
      for (let rank = 1; rank < options.replicas; rank++) {
        const channel = SharedStepChannel.allocate(sliceCapacity, imageSize, outputSize);
        const replica = new ReplicaWorker(new Worker(resolve(script)), channel);
        workers.push(replica);
        await replica.request(
          {
            type: 'init',
            design: options.design,
            backend,
            wasmFolders: options.wasmFolders,
            settings: options.settings,
            kind: options.kind,
            classCount: options.classCount,
            statistics,
            seed: options.settings.seed + rank * 7919,
            channel: channel.buffers,
            optimizer: shared,
            rank,
          },
          'ready',
        );
      }
    } catch (error) {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      throw error;
    }
    return new ReplicaGroup(options, workers, new ShardedOptimizer(shared, 0, options.settings, variables));
  }

  get size(): number {
    return this.workers.length + 1;
  }

  /**
   * One training step on a batch (already standardized and augmented): slices go out, every
   * replica computes its gradient at once, and all apply the mean weighted by slice size. With
   * replicas, that update lands at the start of the next step (all copies apply it at once, in
   * parallel) or in `synchronize()`, which must come before the model is read.
   */
  async trainBatch(pixels: Float32Array, labels: Int32Array, learningRate: number): Promise<BatchStep> {
    this.learningRate = learningRate;
    const count = labels.length;
    const imageSize = pixels.length / count;
    const { parts, bounds, sequences } = this.sendSlices(StepCommand.Step, pixels, labels, count, learningRate);
    const started = performance.now();
    this.applyOwnPending();
    const local = sliceGradients(this.options.model, this.options.objective, pixels.subarray(0, bounds[1] * imageSize), labels.subarray(0, bounds[1]), this.options.classCount, this.gradients);
    const localDone = performance.now();
    this.workers.forEach((replica, i) => replica.channel.awaitReply(sequences[i], () => replica.alive));
    const remote = this.workers.slice(0, parts - 1).map((replica, i) => replica.channel.result(bounds[i + 2] - bounds[i + 1]));
    const slices = [local, ...remote];
    this.timings.push({ local: localDone - started, waited: performance.now() - localDone, remote: remote.map((r) => r.milliseconds) });
    if (this.timings.length > 200) this.timings.shift();

    if (this.sharded) {
      // Applied at the start of the next step by every copy at once, or by synchronize().
      this.sharded.setSliceWeights(slices.map((slice) => slice.count / count));
      this.meanPending = true;
    } else {
      this.optimizer!.learningRate = learningRate;
      this.optimizer!.step(local.gradients);
    }
    const sum = (key: 'lossSum' | 'correct' | 'top5') => slices.reduce((s, slice) => s + slice[key], 0);
    return { loss: sum('lossSum') / count, accuracy: sum('correct') / count, top5: sum('top5') / count };
  }

  /**
   * The model's inference outputs (dropout off, batch-norm running statistics) for a batch of at
   * most `training.batchSize` samples, split over the copies like a training step: each predicts
   * its slice at once, and the outputs come back in batch order, `outputSize` values per sample.
   * A pending update is applied first; call `synchronize()` before, so that the copies' batch-norm
   * statistics agree.
   */
  async predictBatch(pixels: Float32Array, count: number): Promise<Float32Array> {
    const model = this.options.model;
    const outputSize = modelSampleShapes(model).output.size;
    if (count === 0) return new Float32Array(0);
    const { parts, bounds, sequences } = this.sendSlices(StepCommand.Predict, pixels, undefined, count, this.learningRate);
    this.applyOwnPending();
    const local = predictSlice(model, pixels, bounds[1]);
    const outputs = new Float32Array(count * outputSize);
    try {
      // Asynchronous on the engines that compute on a GPU; the replicas compute meanwhile.
      outputs.set((await local.data()) as Float32Array);
    } finally {
      local.dispose();
    }
    this.workers.forEach((replica, i) => {
      replica.channel.awaitReply(sequences[i], () => replica.alive);
      if (i + 1 < parts) outputs.set(replica.channel.outputs.subarray(0, (bounds[i + 2] - bounds[i + 1]) * outputSize), bounds[i + 1] * outputSize);
    });
    return outputs;
  }

  /**
   * Splits a batch of `count` samples into one slice per copy (the process keeps the first, and
   * largest; a batch smaller than the group uses fewer copies) and sends each replica its slice
   * with `command`. Returns the slice bounds and each replica's sequence number to await.
   */
  private sendSlices(command: StepCommand, pixels: Float32Array, labels: Int32Array | undefined, count: number, learningRate: number): { parts: number; bounds: number[]; sequences: number[] } {
    const imageSize = pixels.length / count;
    const parts = Math.min(this.size, count);
    const bounds = Array.from({ length: parts + 1 }, (_, i) => Math.round((i * count) / parts));
    const sequences = this.workers.map((replica, i) => {
      if (!replica.serving) {
        replica.post({ type: 'serve' });
        replica.serving = true;
      }
      const from = bounds[i + 1] ?? count;
      const to = bounds[i + 2] ?? count;
      if (to - from > replica.channel.capacity) throw new Error(`A slice of ${to - from} samples exceeds the replicas' capacity (${replica.channel.capacity}): batches may not exceed training.batchSize.`);
      replica.channel.pixels.set(pixels.subarray(from * imageSize, to * imageSize));
      if (labels) replica.channel.labels.set(labels.subarray(from, to));
      return replica.channel.send(command, to - from, this.meanPending, learningRate);
    });
    return { parts, bounds, sequences };
  }

  /** The process's share of the pending update, after every replica has been told to apply theirs (they wait for each other). */
  private applyOwnPending(): void {
    if (!this.meanPending) return;
    this.meanPending = false;
    this.sharded!.learningRate = this.learningRate;
    this.sharded!.apply(() => this.workers.every((replica) => replica.alive));
  }

  /** Brings every replica out of its step loop, the last update applied, so that it answers messages. */
  private release(): void {
    const sequences = this.workers.map((replica) => {
      if (!replica.serving && !this.meanPending) return undefined;
      if (!replica.serving) {
        replica.post({ type: 'serve' });
        replica.serving = true;
      }
      return replica.channel.send(StepCommand.Release, 0, this.meanPending, this.learningRate);
    });
    this.applyOwnPending();
    this.workers.forEach((replica, i) => {
      if (sequences[i] === undefined) return;
      replica.channel.awaitReply(sequences[i], () => replica.alive);
      replica.serving = false;
    });
  }

  /**
   * Makes the process's model complete before it is evaluated or saved: the last step's update
   * applied everywhere, and the batch-norm statistics averaged over the replicas, into the
   * process's model and every replica.
   */
  async synchronize(): Promise<void> {
    this.release();
    const own = this.options.model.nonTrainableWeights;
    if (own.length === 0 || this.workers.length === 0) return;
    const theirs = await Promise.all(this.workers.map((w) => w.request({ type: 'readWeights', which: 'nonTrainable' }, 'weights')));
    const averaged = own.map((weight, i) => {
      const mean = (weight.read().dataSync() as Float32Array).slice();
      for (const reply of theirs) for (let j = 0; j < mean.length; j++) mean[j] += reply.values[i][j];
      for (let j = 0; j < mean.length; j++) mean[j] /= theirs.length + 1;
      return mean;
    });
    tf.tidy(() => own.forEach((weight, i) => weight.write(tf.tensor(averaged[i], weight.shape as number[]))));
    for (const w of this.workers) w.post({ type: 'writeStatistics', values: averaged });
  }

  /** Every worker replica's weights (all of them, in `model.weights` order): the copies must agree. */
  async replicaWeights(): Promise<Float32Array[][]> {
    this.release();
    const replies = await Promise.all(this.workers.map((w) => w.request({ type: 'readWeights', which: 'all' }, 'weights')));
    return replies.map((reply) => reply.values);
  }

  /** Where each copy's memory sits, the process's first (the last update applied first). */
  async memory(): Promise<ThreadMemory[]> {
    this.release();
    const replies = await Promise.all(this.workers.map((w) => w.request({ type: 'memory' }, 'memory')));
    return [threadMemory(), ...replies.map((reply) => reply.usage)];
  }

  /** Stops the worker replicas (a replica blocked in its step loop stops too). */
  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
