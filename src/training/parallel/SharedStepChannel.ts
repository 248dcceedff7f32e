/**
 * The per-step exchange between the training process and one replica, in shared memory with
 * Atomics instead of messages: a step's slice goes in and its gradient comes out without a
 * message hop, which measured up to a millisecond each way next to a 10 ms step. Messages
 * (replicaProtocol.ts) still start a replica and carry the rare requests between epochs.
 *
 * The process writes a command and bumps `sequence`; the replica, blocked in `Atomics.wait`, runs
 * it and sets `reply` to that sequence number. A step command first applies the previous step's
 * update when one is pending (ShardedOptimizer.ts: every copy averages and updates its shard of
 * the shared weights from the group's gradient buffers, which nobody rewrites until all have).
 */

/** Slots of the control array. */
const SEQUENCE = 0;
const COMMAND = 1;
const COUNT = 2;
const APPLY_PENDING = 3;
const REPLY = 4;
const FAILED = 5;
const ERROR_LENGTH = 6;
const CONTROL_SLOTS = 8;
const ERROR_BYTES = 2048;

export const StepCommand = {
  /** Apply the pending mean (if any), then compute the gradient of `count` samples (0: apply only). */
  Step: 1,
  /** Apply the pending mean (if any), then go back to handling messages. */
  Release: 2,
  /** Apply the pending mean (if any), then write the model's inference outputs for `count` samples into `outputs`. */
  Predict: 3,
} as const;
export type StepCommand = (typeof StepCommand)[keyof typeof StepCommand];

/** The shared buffers of one channel; structured-cloned to the replica, which maps the same memory. */
export interface SharedStepBuffers {
  control: SharedArrayBuffer;
  /** [learning rate, loss sum, correct, top-5 hits, milliseconds] */
  numbers: SharedArrayBuffer;
  pixels: SharedArrayBuffer;
  labels: SharedArrayBuffer;
  /** A predicted slice's outputs, `outputSize` values per sample. */
  outputs: SharedArrayBuffer;
  error: SharedArrayBuffer;
}

/** What a replica reports for one slice. */
export interface SharedSliceResult {
  count: number;
  lossSum: number;
  correct: number;
  top5: number;
  milliseconds: number;
}

export class SharedStepChannel {
  readonly control: Int32Array;
  readonly numbers: Float64Array;
  readonly pixels: Float32Array;
  readonly labels: Int32Array;
  readonly outputs: Float32Array;
  private readonly error: Uint8Array;

  constructor(readonly buffers: SharedStepBuffers) {
    this.control = new Int32Array(buffers.control);
    this.numbers = new Float64Array(buffers.numbers);
    this.pixels = new Float32Array(buffers.pixels);
    this.labels = new Int32Array(buffers.labels);
    this.outputs = new Float32Array(buffers.outputs);
    this.error = new Uint8Array(buffers.error);
  }

  /** Buffers for slices of up to `maxSamples` images of `imageSize` values (and outputs of `outputSize`). */
  static allocate(maxSamples: number, imageSize: number, outputSize: number): SharedStepChannel {
    return new SharedStepChannel({
      control: new SharedArrayBuffer(CONTROL_SLOTS * 4),
      numbers: new SharedArrayBuffer(5 * 8),
      pixels: new SharedArrayBuffer(Math.max(1, maxSamples * imageSize) * 4),
      labels: new SharedArrayBuffer(Math.max(1, maxSamples) * 4),
      outputs: new SharedArrayBuffer(Math.max(1, maxSamples * outputSize) * 4),
      error: new SharedArrayBuffer(ERROR_BYTES),
    });
  }

  get capacity(): number {
    return this.labels.length;
  }

  // ---- process side ----

  /** Posts a command (the slice, when there is one, must already be in `pixels` and `labels`); returns its sequence number. */
  send(command: StepCommand, count: number, applyPending: boolean, learningRate: number): number {
    this.control[COMMAND] = command;
    this.control[COUNT] = count;
    this.control[APPLY_PENDING] = applyPending ? 1 : 0;
    this.numbers[0] = learningRate;
    const sequence = Atomics.add(this.control, SEQUENCE, 1) + 1;
    Atomics.notify(this.control, SEQUENCE);
    return sequence;
  }

  /**
   * Blocks until the replica has answered `sequence`. `alive` is asked between waits, so a replica
   * that died (whose exit event cannot arrive while this thread is blocked) fails the step.
   */
  awaitReply(sequence: number, alive: () => boolean): void {
    for (;;) {
      const reply = Atomics.load(this.control, REPLY);
      if (reply === sequence) break;
      if (!alive()) throw new Error('A training replica stopped in the middle of a step.');
      Atomics.wait(this.control, REPLY, reply, 500);
    }
    if (this.control[FAILED]) {
      const text = new TextDecoder().decode(this.error.slice(0, this.control[ERROR_LENGTH]));
      throw new Error(`A training replica failed: ${text}`);
    }
  }

  /** The slice result of the last answered step. */
  result(count: number): SharedSliceResult {
    return { count, lossSum: this.numbers[1], correct: this.numbers[2], top5: this.numbers[3], milliseconds: this.numbers[4] };
  }

  // ---- replica side ----

  /**
   * Serves commands until `Release`. `apply` applies the pending update with the learning rate;
   * `step` computes a slice of `count` samples from `pixels`/`labels`, writes its gradient into
   * the copy's shared gradient buffer and returns its metrics; `predict` writes the inference outputs of `count`
   * samples from `pixels` into `outputs`.
   */
  serve(handlers: {
    apply(learningRate: number): void;
    step(count: number): Omit<SharedSliceResult, 'milliseconds'>;
    predict(count: number): void;
  }): void {
    // Commands are strictly one at a time, so the next one is the one after the last answered.
    let seen = Atomics.load(this.control, REPLY);
    for (;;) {
      Atomics.wait(this.control, SEQUENCE, seen);
      seen = Atomics.load(this.control, SEQUENCE);
      const command = this.control[COMMAND] as StepCommand;
      try {
        if (this.control[APPLY_PENDING]) handlers.apply(this.numbers[0]);
        const count = this.control[COUNT];
        if (command === StepCommand.Step && count > 0) {
          const start = performance.now();
          const result = handlers.step(count);
          this.numbers[1] = result.lossSum;
          this.numbers[2] = result.correct;
          this.numbers[3] = result.top5;
          this.numbers[4] = performance.now() - start;
        } else if (command === StepCommand.Predict && count > 0) {
          const start = performance.now();
          handlers.predict(count);
          this.numbers[4] = performance.now() - start;
        }
        this.control[FAILED] = 0;
      } catch (error) {
        const bytes = new TextEncoder().encode(error instanceof Error ? error.message : String(error)).slice(0, ERROR_BYTES);
        this.error.set(bytes);
        this.control[ERROR_LENGTH] = bytes.length;
        this.control[FAILED] = 1;
      }
      Atomics.store(this.control, REPLY, seen);
      Atomics.notify(this.control, REPLY);
      if (command === StepCommand.Release) return;
    }
  }
}
