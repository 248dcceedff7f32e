// The training panel's host-side logic that needs no VS Code: settings edits, message validation,
// error advice, the status text and the chart data the panel plots.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDesign } from '../../src/core/format/parseDesign';
import { describeTrainingError } from '../../src/runs/describeTrainingError';
import { formatDuration, formatRunStatus, runFraction } from '../../src/extension/training/formatRunStatus';
import { planTrainingSettingsEdit } from '../../src/extension/training/planTrainingSettingsEdit';
import { BACKEND_CHOICES, DATASET_CHOICES } from '../../src/extension/training/trainingChoices';
import { trainingPanelHtml } from '../../src/extension/training/trainingPanelHtml';
import { InvalidPanelMessageError, validateTrainingPanelMessage } from '../../src/extension/training/validateTrainingPanelMessage';
import type { TrainingProgress } from '../../src/protocol/trainingPanelProtocol';
import { DATASET_NAMES } from '../../src/training/data/loadDataset';
import { ENGINE_NAMES } from '../../src/training/engine/listEngines';
import { BACKEND_CHAIN } from '../../src/training/engine/selectBackend';
import { accuracyData, alignSeries, epochPosition, lossData, overlayData } from '../../webview/training/chartData';

const mnistText = readFileSync('examples/mnist-cnn.cnn.json', 'utf8');

describe('training settings written into the design', () => {
  it('replaces the training block and keeps everything else of the design', () => {
    const plan = planTrainingSettingsEdit(mnistText, { dataset: 'mnist', epochs: 7, optimizer: 'sgd', learningRate: 0.05, augment: { translate: 0.1 } });
    assert.equal(plan.kind, 'replace');
    if (plan.kind !== 'replace') return;
    const before = parseDesign(mnistText).design!;
    const after = parseDesign(plan.newText).design!;
    assert.deepEqual(after.nodes, before.nodes);
    assert.deepEqual(after.edges, before.edges);
    assert.equal(after.training.epochs, 7);
    assert.equal(after.training.optimizer, 'sgd');
    assert.deepEqual(after.training.augment, { translate: 0.1 });
  });

  it('drops a form field the user cleared but keeps keys the specification does not know', () => {
    const withNote = mnistText.replace('"training": {', '"training": {\n    "note": "try 0.1 next",');
    const withExtras = planTrainingSettingsEdit(withNote, { epochs: 3, batchSize: 32, l2: 0.0001, loss: 'nll' });
    assert.equal(withExtras.kind, 'replace');
    if (withExtras.kind !== 'replace') return;
    const cleared = planTrainingSettingsEdit(withExtras.newText, { epochs: 3 });
    assert.equal(cleared.kind, 'replace');
    if (cleared.kind !== 'replace') return;
    const training = parseDesign(cleared.newText).design!.training;
    assert.equal(training.batchSize, undefined, 'cleared field is gone');
    assert.equal(training.l2, undefined, 'every setting is a form field, so clearing it removes it');
    assert.equal(training.note, 'try 0.1 next', 'a key the specification does not know is kept (the analysis reports it)');
    assert.deepEqual(planTrainingSettingsEdit(cleared.newText, { epochs: 3 }), { kind: 'unchanged' });
  });

  it('changes only the training values that changed in a file laid out by the user (4 spaces)', () => {
    const formatted = `${JSON.stringify(JSON.parse(mnistText), null, 4)}\n`;
    const training = parseDesign(formatted).design!.training;
    const plan = planTrainingSettingsEdit(formatted, { ...training, epochs: 7 });
    assert.equal(plan.kind, 'replace');
    if (plan.kind !== 'replace') return;
    const before = formatted.split('\n');
    const after = plan.newText.split('\n');
    assert.equal(after.length, before.length);
    assert.deepEqual(
      after.flatMap((line, i) => (line === before[i] ? [] : [line])),
      ['        "epochs": 7,'],
    );
  });

  it('never writes a file that does not parse, and says where it breaks', () => {
    const plan = planTrainingSettingsEdit('{ "format": "cnn-designer", "nodes": [ ', { epochs: 2 });
    assert.equal(plan.kind, 'refused');
    assert.match(plan.kind === 'refused' ? plan.reason : '', /line \d+, column \d+/);
  });
});

describe('training panel messages (untrusted input)', () => {
  const image = { pixels: new Array(4 * 4).fill(7), shape: [4, 4, 1] };

  it('accepts every well-formed message and returns exactly its fields', () => {
    assert.deepEqual(validateTrainingPanelMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(validateTrainingPanelMessage({ type: 'start', settings: { epochs: 2, optimizer: 'adam', augment: { horizontalFlip: true } } }), { type: 'start', settings: { epochs: 2, optimizer: 'adam', augment: { horizontalFlip: true } } });
    assert.deepEqual(validateTrainingPanelMessage({ type: 'stop', runId: 'run-1' }), { type: 'stop', runId: 'run-1' });
    assert.deepEqual(validateTrainingPanelMessage({ type: 'exportRuns', format: 'csv', names: ['2026-01-01T00-00-00Z'] }), { type: 'exportRuns', format: 'csv', names: ['2026-01-01T00-00-00Z'] });
    assert.deepEqual(validateTrainingPanelMessage({ type: 'exportRunForPyTorch', name: '2026-01-01T00-00-00Z' }), { type: 'exportRunForPyTorch', name: '2026-01-01T00-00-00Z' });
    assert.deepEqual(validateTrainingPanelMessage({ type: 'featureMaps', runName: 'r1', image, extra: 'ignored' }), { type: 'featureMaps', runName: 'r1', image });
  });

  const rejects = (raw: unknown, pattern: RegExp) => assert.throws(() => validateTrainingPanelMessage(raw), (e: unknown) => e instanceof InvalidPanelMessageError && pattern.test(e.message));

  it('refuses paths where a run folder name is expected', () => {
    rejects({ type: 'deleteRun', name: '../../etc' }, /^name must be a run folder name/);
    rejects({ type: 'revealRun', name: '..' }, /run folder name/);
    rejects({ type: 'exportRunForPyTorch', name: '../model' }, /run folder name/);
    rejects({ type: 'exportRuns', format: 'markdown', names: ['ok', 'a/b'] }, /^names\[1\]/);
  });

  it('refuses unknown settings and values of the wrong type, naming the field', () => {
    rejects({ type: 'start', settings: { epochs: 2, script: 'rm -rf' } }, /^settings\.script must be absent/);
    rejects({ type: 'start', settings: { epochs: '2' } }, /^settings\.epochs must be an integer/);
    rejects({ type: 'saveSettings', settings: { optimizer: 'lbfgs' } }, /^settings\.optimizer must be one of sgd, adam, rmsprop/);
    rejects({ type: 'start', settings: { augment: { rotate: 5 } } }, /^settings\.augment\.rotate/);
  });

  it('refuses an image whose pixels do not match its shape or are not bytes', () => {
    rejects({ type: 'featureMaps', runName: 'r', image: { ...image, pixels: [1, 2, 3] } }, /^image\.pixels must be 16 byte values/);
    rejects({ type: 'featureMaps', runName: 'r', image: { ...image, pixels: new Array(16).fill(300) } }, /^image\.pixels\[0\]/);
    rejects({ type: 'hack' }, /^type must be/);
    rejects('ready', /^message must be an object/);
  });
});

describe('training errors and what to do next', () => {
  it('sorts the engine\'s messages into kinds with advice', () => {
    assert.equal(describeTrainingError('Dataset path not found: /data/mnist').kind, 'dataset');
    assert.equal(describeTrainingError('The loss became NaN at epoch 1, batch 3').kind, 'nonFinite');
    assert.equal(describeTrainingError('Array buffer allocation failed').kind, 'outOfMemory');
    assert.equal(describeTrainingError('@tensorflow/tfjs-node is installed but failed to load: bad ELF').kind, 'engine');
    assert.equal(describeTrainingError('The output has 5 units but mnist-sample has 10 classes: set the last layer\'s units to 10.').kind, 'design');
    // The fix is in the design even when the dataset's name says "dataset".
    const mismatch = describeTrainingError('The output has 10 units but folder:/home/me/datasets/shapes has 3 classes: set the last layer\'s units to 3.');
    assert.equal(mismatch.kind, 'design');
    assert.match(mismatch.title, /output layer does not match the dataset's classes/);
    assert.match(mismatch.detail, /set the last layer's units to 3/);
    const crash = describeTrainingError('The training process exited with code 1', 'crash');
    assert.equal(crash.kind, 'crash');
    assert.match(crash.advice, /editor is unaffected/);
    const other = describeTrainingError('something odd');
    assert.equal(other.kind, 'other');
    assert.equal(other.detail, 'something odd');
  });
});

describe('run status text', () => {
  const progress: TrainingProgress = { epoch: 2, epochs: 4, batch: 50, batches: 100, loss: 0.3, accuracy: 0.9134, samplesPerSecond: 800, etaSeconds: 125, learningRate: 0.001 };

  it('shows epoch, accuracy and ETA, and the fraction done', () => {
    assert.equal(formatRunStatus(progress, 'running'), 'epoch 2/4 · acc 91.3% · ETA run 2:05');
    assert.equal(formatRunStatus(undefined, 'starting'), 'starting…');
    assert.equal(runFraction(progress), 0.375);
    assert.equal(formatDuration(3725), '1:02:05');
    assert.equal(formatDuration(Number.NaN), '–');
  });
});

describe('training panel chart data', () => {
  it('merges batch and epoch series on one x axis with gaps', () => {
    assert.deepEqual(alignSeries([[{ x: 0.5, y: 2 }, { x: 1, y: 1.5 }], [{ x: 1, y: 1.4 }]]), [[0.5, 1], [2, 1.5], [null, 1.4]]);
    assert.equal(epochPosition({ epoch: 2, batch: 25, batches: 100 }), 1.25);
    const p = (epoch: number, batch: number, loss: number): TrainingProgress => ({ epoch, epochs: 2, batch, batches: 10, loss, accuracy: 1 - loss, samplesPerSecond: 1, etaSeconds: 1, learningRate: 0.1 });
    const epoch = { epoch: 1, trainLoss: 0.5, trainAccuracy: 0.5, trainTop5: 1, validationLoss: Number.NaN, learningRate: 0.1, seconds: 1, samplesPerSecond: 1, tensors: 1, residentMegabytes: 1 };
    const loss = lossData([p(1, 5, 0.8), p(1, 10, 0.6)], [epoch]);
    assert.deepEqual(loss, [[0.5, 1], [0.8, 0.6], [null, 0.5], [null, null]], 'a NaN validation loss is a gap, not a point');
    assert.deepEqual(accuracyData([], [epoch])[1], [null]);
  });

  it('overlays two runs by epoch', () => {
    const run = (curves: { epoch: number; trainAccuracy: number }[]) => ({ curves: curves.map((c) => ({ ...c, trainLoss: 1 })) }) as unknown as Parameters<typeof overlayData>[0];
    const data = overlayData(run([{ epoch: 1, trainAccuracy: 0.5 }, { epoch: 2, trainAccuracy: 0.7 }]), run([{ epoch: 1, trainAccuracy: 0.4 }]), 'accuracy');
    assert.deepEqual(data[0], [1, 2]);
    assert.deepEqual(data[1], [0.5, 0.7]);
    assert.deepEqual(data[3], [0.4, null]);
  });
});

describe('settings form choices', () => {
  it('are the trainer\'s datasets and backends', () => {
    assert.deepEqual(DATASET_CHOICES, [...DATASET_NAMES]);
    assert.deepEqual(BACKEND_CHOICES, ['auto', ...ENGINE_NAMES]);
    assert.deepEqual(ENGINE_NAMES.slice(1), [...BACKEND_CHAIN]);
    const setting = JSON.parse(readFileSync(`${__dirname}/../../package.json`, 'utf8')).contributes.configuration.properties['cnnDesigner.training.backend'];
    assert.deepEqual(setting.enum, BACKEND_CHOICES);
    assert.equal(setting.enumDescriptions.length, BACKEND_CHOICES.length);
  });
});

describe('training panel page', () => {
  it('allows only its own nonce\'d script and stylesheet, nothing remote and no inline styles', () => {
    const html = trainingPanelHtml({ cspSource: 'vscode-resource:', scriptUri: 'vscode-resource:/training.js', styleUri: 'vscode-resource:/training.css', nonce: 'N0nce', title: '<b>x</b>' });
    const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-N0nce'(;|$)/);
    assert.match(csp, /style-src vscode-resource:(;|$)/, 'no unsafe-inline styles');
    assert.match(csp, /connect-src 'none'/);
    assert.match(html, /<script nonce="N0nce" src="vscode-resource:\/training.js"><\/script>/);
    assert.match(html, /<title>&lt;b&gt;x&lt;\/b&gt;<\/title>/);
  });
});
