// Records what the training panel receives during a real training run: the examples' MNIST CNN on the
// embedded MNIST sample, trained by the real training service and process, each event turned into
// panel messages by the host's own LiveRunTracker. The recording feeds the panel's browser tests.
// Usage: node esbuild.config.mjs --only=trainingProcess && npx tsx scripts/recordTrainingPanelSession.ts
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDesign } from '../src/core/format/parseDesign';
import { LiveRunTracker } from '../src/runs/LiveRunTracker';
import { readRunHistory } from '../src/runs/readRunHistory';
import type { FeatureMapsReply, HostToTrainingPanelMessage } from '../src/protocol/trainingPanelProtocol';
import { DATASET_NAMES } from '../src/training/data/loadDataset';
import { BACKEND_CHAIN } from '../src/training/engine/selectBackend';
import { computeFeatureMaps } from '../src/featureMaps/computeFeatureMaps';
import { TrainingService } from '../src/training/service/TrainingService';
import { hashText } from '../src/training/trainer/runFolder';

export const RECORDING_FILE = join(__dirname, '..', 'test', 'fixtures', 'training-panel', 'mnist-cnn-run.json');

/** The host's reply to the panel's n-th `featureMaps` request (requestId n), recorded with the events. */
type RecordedFeatureMapsReply = { type: 'featureMaps'; requestId: number } & FeatureMapsReply;

/** A recorded session: what the host sent, in order, and when (ms after the run started). */
export interface PanelRecording {
  description: string;
  messages: { at: number; message: HostToTrainingPanelMessage | RecordedFeatureMapsReply }[];
}

async function main(): Promise<void> {
  const workspace = mkdtempSync(join(tmpdir(), 'cnn-record-'));
  const designPath = join(workspace, 'mnist-cnn.cnn.json');
  copyFileSync(join(__dirname, '..', 'examples', 'mnist-cnn.cnn.json'), designPath);
  const designText = readFileSync(designPath, 'utf8');
  const design = parseDesign(designText).design;
  if (!design) throw new Error('the MNIST CNN template does not parse');
  const settings = { ...design.training, dataset: 'mnist-sample', epochs: 2, batchSize: 32, validationSplit: 0.1, backend: 'cpu' };

  const started = Date.now();
  const messages: PanelRecording['messages'] = [];
  const record = (message: HostToTrainingPanelMessage | RecordedFeatureMapsReply) => messages.push({ at: Date.now() - started, message });
  record({ type: 'init', designName: design.name, designFile: 'mnist-cnn.cnn.json', settings, datasets: [...DATASET_NAMES], backends: ['auto', ...BACKEND_CHAIN], trusted: true, designChanged: false, runs: [] });

  // An earlier run with another learning rate, so the history holds two runs to compare.
  const service = new TrainingService();
  const earlier = service.start({ design, designText, designPath, settings: { ...settings, epochs: 1, learningRate: 0.003 }, limits: { maxTrainImages: 320, maxTestImages: 100 } });
  const earlierOutcome = await earlier.outcome;
  if (earlierOutcome.kind !== 'completed') throw new Error(`the earlier run did not complete: ${JSON.stringify(earlierOutcome).slice(0, 500)}`);
  record({ type: 'runs', runs: readRunHistory(designPath) });

  const tracker = new LiveRunTracker({ runId: 'run-1', startedAt: started, designHash: hashText(designText), settings }, record);
  record({ type: 'runStarted', run: structuredClone(tracker.run) });
  const run = service.start({ design, designText, designPath, settings, limits: { maxTrainImages: 640, maxTestImages: 300 } });
  run.onMessage((m) => tracker.onProcessMessage(m));
  const outcome = await run.outcome;
  tracker.onOutcome(outcome);
  if (outcome.kind !== 'completed' || !outcome.result.test || !outcome.result.runFolder) throw new Error(`the recorded run did not complete: ${JSON.stringify(outcome).slice(0, 500)}`);
  record({ type: 'runs', runs: readRunHistory(designPath) });
  // The panel asks for the feature maps of the first misclassified image, then of the first correctly
  // classified gallery image; the host answers from the saved model.
  const misclassified = outcome.result.test.misclassified[0];
  const correct = outcome.result.test.gallery?.find((g) => g.predictedLabel === g.trueLabel);
  if (!correct) throw new Error('the recorded run has no correctly classified gallery image');
  for (const [requestId, picked] of [misclassified, correct].entries()) {
    const layers = await computeFeatureMaps(outcome.result.runFolder, { pixels: picked.pixels, shape: outcome.result.imageShape, label: picked.trueLabel });
    record({ type: 'featureMaps', requestId: requestId + 1, layers });
  }
  const recording: PanelRecording = {
    description: `A real run of examples/mnist-cnn.cnn.json on the embedded MNIST sample (640 train / 300 test images, 2 epochs, after a 1-epoch run with learning rate 0.003; ${outcome.result.backend}), as the training panel received it.`,
    messages,
  };
  // The temporary folder's path means nothing elsewhere: record it as a neutral one.
  writeFileSync(RECORDING_FILE, `${JSON.stringify(recording).split(workspace).join('/workspace')}\n`);
  rmSync(workspace, { recursive: true, force: true });
  console.log(`${messages.length} messages, test accuracy ${outcome.result.test?.accuracy}, ${outcome.result.wallSeconds.toFixed(1)} s → ${RECORDING_FILE}`);
}

if (require.main === module) main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
