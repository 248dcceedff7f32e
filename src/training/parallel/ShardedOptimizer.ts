/**
 * The data-parallel copies' optimizer, in shared memory: the packed weights, the moment vectors
 * and every copy's gradient buffer exist once for the whole group instead of once per copy (on
 * ResNet-18 that is 47 MB per vector). Each copy averages the slices' gradients and updates the
 * weights over its own shard of the parameters, all at once, then waits at a barrier for the other
 * shards and loads the whole shared weight vector into its variables, so every copy holds the very
 * same values by construction.
 */
import type * as tf from '@tensorflow/tfjs';
import { PackedOptimizer, type PackedOptimizerSettings } from '../trainer/PackedOptimizer';
import { optimizerKernels, sharedKernelMemory, type OptimizerKernels } from '../engine/kernels/wasm/optimizerKernels';

/** One packed float32 vector of the group, one value per parameter. */
export interface SharedVector {
  buffer: SharedArrayBuffer;
  byteOffset: number;
}

/** The group's shared buffers (structured-cloned to every replica, which maps the same memory). */
export interface ShardedOptimizerBuffers {
  /**
   * The shared WebAssembly memory every vector lies in, so that the averaging and the update run in
   * the optimizer's kernels; absent where a memory that large could not be made (each vector then
   * has a buffer of its own and the update runs in JavaScript, with the same results).
   */
  memory?: WebAssembly.Memory;
  weights: SharedVector;
  first?: SharedVector;
  second?: SharedVector;
  /** Each copy's slice gradient, the process's first; after an update the first holds the mean. */
  gradients: SharedVector[];
  /** Int32 barrier counter, then (from byte 8) each copy's slice weight in the pending mean, float64. */
  sync: SharedArrayBuffer;
}

const SYNC_HEADER = 8;
/** Vectors start at 16-byte boundaries, and none at 0 (the kernels read 0 as "no vector"). */
const VECTOR_ALIGNMENT = 16;

export class ShardedOptimizer {
  readonly optimizer: PackedOptimizer;
  /** This copy's gradient buffer, which its slice's gradient is written into. */
  readonly gradients: Float32Array;
  private readonly all: Float32Array[];
  private readonly barrier: Int32Array;
  private readonly sliceWeights: Float64Array;
  private readonly from: number;
  private readonly to: number;
  private readonly kernels?: OptimizerKernels;
  private generation = 0;

  constructor(
    readonly buffers: ShardedOptimizerBuffers,
    readonly rank: number,
    settings: PackedOptimizerSettings,
    variables: tf.Variable[],
  ) {
    const over = optimizerOver(buffers, settings, variables);
    this.kernels = over.kernels;
    this.optimizer = over.optimizer;
    this.all = buffers.gradients.map(over.view);
    this.gradients = this.all[rank];
    this.barrier = new Int32Array(buffers.sync, 0, 1);
    this.sliceWeights = new Float64Array(buffers.sync, SYNC_HEADER, buffers.gradients.length);
    const n = this.optimizer.size;
    const copies = buffers.gradients.length;
    this.from = Math.round((rank * n) / copies);
    this.to = Math.round(((rank + 1) * n) / copies);
  }

  /** Shared buffers for `copies` copies of a model whose trainable `variables` (the process's) seed the packed weights. */
  static allocate(settings: PackedOptimizerSettings, variables: tf.Variable[], copies: number): ShardedOptimizerBuffers {
    const parameters = variables.reduce((n, v) => n + v.size, 0);
    const moments = PackedOptimizer.moments(settings);
    const vectorBytes = Math.ceil((Math.max(1, parameters) * 4) / VECTOR_ALIGNMENT) * VECTOR_ALIGNMENT;
    const count = 1 + moments + copies;
    const memory = sharedKernelMemory(VECTOR_ALIGNMENT + count * vectorBytes);
    let next = 0;
    const vector = (): SharedVector =>
      memory ? { buffer: memory.buffer as unknown as SharedArrayBuffer, byteOffset: VECTOR_ALIGNMENT + vectorBytes * next++ } : { buffer: new SharedArrayBuffer(vectorBytes), byteOffset: 0 };
    const weights = vector();
    const packed = new Float32Array(weights.buffer, weights.byteOffset, parameters);
    let offset = 0;
    for (const v of variables) {
      packed.set(v.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    return {
      memory,
      weights,
      first: moments > 0 ? vector() : undefined,
      second: moments > 1 ? vector() : undefined,
      gradients: Array.from({ length: copies }, vector),
      sync: new SharedArrayBuffer(SYNC_HEADER + copies * 8),
    };
  }

  /**
   * The optimizer of a lone process (no copies): its vectors and the gradient buffer it reads lie
   * in one WebAssembly memory as the copies' do, so its updates run in the kernels too.
   */
  static lone(settings: PackedOptimizerSettings, variables: tf.Variable[]): { optimizer: PackedOptimizer; gradients: Float32Array } {
    const buffers = ShardedOptimizer.allocate(settings, variables, 1);
    const { optimizer, view } = optimizerOver(buffers, settings, variables);
    return { optimizer, gradients: view(buffers.gradients[0]) };
  }

  set learningRate(value: number) {
    this.optimizer.learningRate = value;
  }

  get learningRate(): number {
    return this.optimizer.learningRate;
  }

  /** Process side: each copy's share of the batch (slice size / batch size; 0 for a copy without a slice) in the mean the next update applies. */
  setSliceWeights(weights: number[]): void {
    for (let k = 0; k < this.sliceWeights.length; k++) this.sliceWeights[k] = weights[k] ?? 0;
  }

  /**
   * Every copy calls this for the same pending step, at about the same time: averages the slices'
   * gradients over this copy's shard (into the first gradient buffer, which only this copy reads
   * there), updates that shard, waits for the others, and loads the shared weights into the
   * variables. `alive` is asked while waiting, so that a copy that died fails the wait.
   */
  apply(alive: () => boolean = () => true): void {
    try {
      const mean = this.all[0];
      const w0 = this.sliceWeights[0];
      const kernels = this.kernels;
      if (kernels) kernels.scale(mean.byteOffset, this.from, this.to, w0);
      else for (let i = this.from; i < this.to; i++) mean[i] = w0 * mean[i];
      for (let k = 1; k < this.all.length; k++) {
        const weight = this.sliceWeights[k];
        if (weight === 0) continue;
        const g = this.all[k];
        if (kernels) kernels.addScaled(mean.byteOffset, g.byteOffset, this.from, this.to, weight);
        else for (let i = this.from; i < this.to; i++) mean[i] += weight * g[i];
      }
      this.optimizer.update(mean, this.from, this.to);
    } finally {
      // Arrive even after a failure, so that no copy waits forever for this one.
      Atomics.add(this.barrier, 0, 1);
      Atomics.notify(this.barrier, 0);
    }
    const target = ++this.generation * this.all.length;
    for (;;) {
      const arrived = Atomics.load(this.barrier, 0);
      if (arrived >= target) break;
      if (!alive()) throw new Error('A training replica stopped in the middle of an update.');
      Atomics.wait(this.barrier, 0, arrived, 500);
    }
    this.optimizer.load();
  }
}

/** The packed optimizer over the vectors of `buffers` (in its kernels where they lie in a WebAssembly memory), and a view of any of them. */
function optimizerOver(
  buffers: ShardedOptimizerBuffers,
  settings: PackedOptimizerSettings,
  variables: tf.Variable[],
): { optimizer: PackedOptimizer; view: (vector: SharedVector) => Float32Array; kernels?: OptimizerKernels } {
  const parameters = variables.reduce((n, v) => n + v.size, 0);
  const view = (vector: SharedVector) => new Float32Array(vector.buffer, vector.byteOffset, parameters);
  const kernels = buffers.memory ? optimizerKernels(buffers.memory) : undefined;
  const optimizer = new PackedOptimizer(settings, variables, {
    weights: view(buffers.weights),
    first: buffers.first && view(buffers.first),
    second: buffers.second && view(buffers.second),
    kernels,
  });
  return { optimizer, view, kernels };
}
