import type { TrainingResult } from '../../src/protocol/trainingPanelProtocol';

export type { FeatureMapLayer, PickedImage, TrainingResult } from '../../src/protocol/trainingPanelProtocol';
export type MisclassifiedImageView = NonNullable<TrainingResult['test']>['misclassified'][number];
/** A test image with the model's prediction, as the results' gallery and misclassified sample carry it. */
export type TestImageView = MisclassifiedImageView;
