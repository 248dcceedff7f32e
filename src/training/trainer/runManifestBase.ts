import { datasetIdentity } from '../data/datasetIdentity';
import type { loadRunData } from '../data/loadRunData';
import { defaultDatasetCache } from '../data/standardDatasets';
import type { ResolvedTrainingSettings } from './resolveTrainingSettings';
import { hashText, type RunManifest } from './runFolder';
import type { TrainDesignRequest } from './trainDesign';

/**
 * What every engine's run.json says the same way: the design, the settings, the data (with its
 * cached identity), the normalization, the seed and the caps of a quick run. Each engine adds its
 * backend, versions and engine record.
 */
export function runManifestBase(
  request: TrainDesignRequest,
  settings: ResolvedTrainingSettings,
  loaded: Awaited<ReturnType<typeof loadRunData>>,
  startedAt: number,
): Omit<RunManifest, 'backend' | 'versions'> {
  const { dataset, data, sources } = loaded;
  const identity = datasetIdentity(dataset, sources, { datasetId: dataset.id, shape: dataset.shape, seed: settings.seed }, request.datasetCacheDir ?? defaultDatasetCache());
  return {
    designName: request.design.name,
    designFile: request.designPath,
    designHash: hashText(request.designText),
    startedAt: new Date(startedAt).toISOString(),
    hyperparameters: settings,
    dataset: {
      id: dataset.id,
      description: dataset.description,
      contentHash: identity.contentHash,
      trainCount: data.train.count,
      validationCount: data.validation.count,
      testCount: data.test.count,
      classNames: dataset.classNames,
    },
    normalization: data.normalization,
    seed: settings.seed,
    ...(request.limits && Object.values(request.limits).some((v) => v !== undefined) ? { limits: request.limits } : {}),
  };
}
