import { TRAINING_CLI_OPTIONS } from '../core/training/trainingCliOptions';
import type { CliOption } from './commandLine';

/**
 * The `train` command's flags that override the design's `training` settings: one per setting of
 * the training settings specification, named as the exported train.py's flags.
 */
export const TRAINING_SETTING_OPTIONS: readonly CliOption[] = TRAINING_CLI_OPTIONS;

/** How this run is carried out and where it is written: not training settings of the design. */
export const RUN_OPTIONS: CliOption[] = [
  {
    name: 'replicas',
    type: 'string',
    valueName: 'N|auto',
    meaning: 'Data-parallel copies of the model on the wasm and cpu engines, each computing the gradient of a slice of every batch (auto: one per core, up to 4, while every slice keeps 8 samples).',
  },
  { name: 'runs', type: 'string', valueName: 'DIR', meaning: 'The folder the run folder is created in (default: <design>.runs/ beside the design).' },
  { name: 'max-batches', type: 'string', valueName: 'N', meaning: 'Ends every epoch after N batches: a quick trial of the whole run (the accuracies are then not those of full epochs).' },
];

/** Every option of `train`, in help order. */
export const TRAIN_OPTIONS: CliOption[] = [...TRAINING_SETTING_OPTIONS, ...RUN_OPTIONS];
