import type { CliOption } from './commandLine';

/**
 * The `train` command's flags that override the design's `training` settings. A plain list, so the
 * training settings' specification can supply (or extend) it.
 */
export const TRAINING_SETTING_OPTIONS: CliOption[] = [
  {
    name: 'dataset',
    type: 'string',
    valueName: 'NAME',
    meaning:
      'The data to train on: mnist-sample (embedded, no network), mnist, fashion-mnist, cifar10 (downloaded once into ~/.cache/cnn-designer/datasets, or read from --dataset-path) or imagefolder (one subfolder of PNG/JPEG images per class).',
  },
  { name: 'dataset-path', type: 'string', valueName: 'PATH', meaning: 'Where the dataset is on disk: the IDX files (MNIST, Fashion-MNIST), CIFAR-10\'s binary .tar.gz or folder, or the image folder.' },
  { name: 'epochs', type: 'string', valueName: 'N', meaning: 'Passes over the training data.' },
  { name: 'batch-size', type: 'string', valueName: 'N', meaning: 'Samples per training step.' },
  { name: 'backend', type: 'string', valueName: 'NAME', meaning: 'auto (the first that trains, in the order pytorch when it sees a GPU, tensorflow-gpu, tensorflow, webgpu, wasm, cpu) or one of them; cnn-designer engines lists them here with their reasons.' },
];

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
