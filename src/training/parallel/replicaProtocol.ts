/**
 * The messages between a training process and its data-parallel replicas (worker threads), as
 * structured-cloned plain data. Each replica holds a copy of the model and its optimizer. Messages
 * start a replica and carry the requests between epochs; the steps themselves go through shared
 * memory (SharedStepChannel.ts), which the replica serves from a blocking loop after `serve`.
 */
import type { Design } from '../../core/design';
import type { ResolvedTrainingSettings } from '../trainer/resolveTrainingSettings';
import type { OutputKind } from '../trainer/outputLoss';
import type { ShardedOptimizerBuffers } from './ShardedOptimizer';
import type { SharedStepBuffers } from './SharedStepChannel';
import type { ThreadMemory } from './threadMemory';

/** Process → replica. */
export type ToReplica =
  /** Builds the model on the given backend, takes the process's initial weights and maps the step channel. */
  | {
      type: 'init';
      design: Design;
      backend: 'wasm' | 'cpu';
      wasmFolders?: string[];
      settings: ResolvedTrainingSettings;
      kind: OutputKind;
      classCount: number;
      /** The non-trainable weights (batch-norm statistics), in `model.nonTrainableWeights` order; the trainable ones are in `optimizer.weights`. */
      statistics: Float32Array[];
      /** Seeds the replica's own random draws (dropout). */
      seed: number;
      channel: SharedStepBuffers;
      /** The group's shared optimizer state and gradient buffers. */
      optimizer: ShardedOptimizerBuffers;
      /** This copy's index in the group (the process is 0). */
      rank: number;
    }
  /** Serves step commands from the shared channel until the process releases the replica. */
  | { type: 'serve' }
  /** Asks for the weights: the non-trainable ones (batch-norm statistics, to average them) or all (to check the copies agree). */
  | { type: 'readWeights'; which: 'nonTrainable' | 'all' }
  /** Replaces the non-trainable weights by the average across replicas. */
  | { type: 'writeStatistics'; values: Float32Array[] }
  /** Asks where the replica's memory sits (for the peak-memory benchmark). */
  | { type: 'memory' };

/** Replica → process. */
export type FromReplica =
  /** The model is built and holds the initial weights. */
  | { type: 'ready' }
  /** The weights asked for, in `model.nonTrainableWeights` or `model.weights` order. */
  | { type: 'weights'; values: Float32Array[] }
  | { type: 'memory'; usage: ThreadMemory }
  /** Something failed in the replica outside a step; the run stops. */
  | { type: 'error'; message: string };
