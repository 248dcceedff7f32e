import { TRAINING_BACKENDS, TRAINING_DATASETS } from '../../core/training/trainingSettingsSpec';

/** The choices the settings form offers: the training settings specification's (a test keeps them equal to the trainer's own lists). */
export const DATASET_CHOICES: string[] = [...TRAINING_DATASETS];
export const BACKEND_CHOICES: string[] = [...TRAINING_BACKENDS];
