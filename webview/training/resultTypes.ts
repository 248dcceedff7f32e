import type { TrainingResult } from '../../src/protocol/trainingPanelProtocol';

export type { FeatureMapLayer, PickedImage, TrainingResult } from '../../src/protocol/trainingPanelProtocol';
export type MisclassifiedImageView = NonNullable<TrainingResult['test']>['misclassified'][number];
