/**
 * The messages between a training process and its data-parallel replicas (worker threads), as
 * structured-cloned plain data with typed arrays transferred. Each replica holds a copy of the
 * model and its optimizer; per batch it gets a slice, returns the slice's gradient, then applies
 * the weighted mean of all slices' gradients, so every copy takes exactly the same step.
 */
import type { Design } from '../../core/design';
import type { ResolvedTrainingSettings } from '../trainer/resolveTrainingSettings';
import type { OutputKind } from '../trainer/outputLoss';

/** Process → replica. */
export type ToReplica =
  /** Builds the model on the given backend and takes the process's initial weights. */
  | {
      type: 'init';
      design: Design;
      backend: 'wasm' | 'cpu';
      wasmFolders?: string[];
      settings: ResolvedTrainingSettings;
      kind: OutputKind;
      classCount: number;
      /** Every weight of the model (trainable and not), in `model.weights` order. */
      weights: Float32Array[];
      /** Seeds the replica's own random draws (dropout). */
      seed: number;
    }
  /** Computes the gradient of one slice of the batch. */
  | { type: 'slice'; pixels: Float32Array; labels: Int32Array }
  /** Applies the batch's mean gradient (all slices, weighted by their sizes); every replica gets it, with or without a slice. */
  | { type: 'apply'; gradients: Float32Array; learningRate: number }
  /** Asks for the weights: the non-trainable ones (batch-norm statistics, to average them) or all (to check the copies agree). */
  | { type: 'readWeights'; which: 'nonTrainable' | 'all' }
  /** Replaces the non-trainable weights by the average across replicas. */
  | { type: 'writeStatistics'; values: Float32Array[] };

/** Replica → process. */
export type FromReplica =
  /** The model is built and holds the initial weights. */
  | { type: 'ready' }
  /** One slice's gradient and metric sums, and how long computing them took. */
  | { type: 'gradients'; gradients: Float32Array; count: number; lossSum: number; correct: number; top5: number; milliseconds: number }
  /** The weights asked for, in `model.nonTrainableWeights` or `model.weights` order. */
  | { type: 'weights'; values: Float32Array[] }
  /** Something failed in the replica; the run stops. */
  | { type: 'error'; message: string };
