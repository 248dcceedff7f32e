// The training panel's bundle in real Chromium, fed by a recording of a real training run's messages
// (scripts/recordTrainingPanelSession.ts: the examples' MNIST CNN on the embedded MNIST sample).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { describeTrainingError } from '../../src/runs/describeTrainingError';
import { validateTrainingPanelEnvelope } from '../../src/extension/training/validateTrainingPanelEnvelope';
import type { LiveRun, TrainingResult } from '../../src/protocol/trainingPanelProtocol';
import { isEvent, launchChromium, loadRecording, TrainingPanelPage, type RecordedMessage } from './trainingPanelPage';
import { TRAINING_SETTINGS } from '../../src/core/training/trainingSettingsSpec';
import { listEngines } from '../../src/training/engine/listEngines';

const recording = loadRecording();
const messages = recording.messages.map((m) => m.message);
const of = <T extends RecordedMessage['type']>(type: T) => messages.filter((m): m is Extract<RecordedMessage, { type: T }> => m.type === type);
/** The recorded events (what the host told the panel unasked), without the replies. */
const events = messages.filter(isEvent);
const finished = of('finished')[0];
const result: TrainingResult = finished.result;
const test = result.test!;
const init = of('init')[0];
const runId = of('runStarted')[0].run.runId;
const progressCount = of('progress').length;
const epochCount = of('epoch').length;
/** The recorded stream up to (not including) the end of the run: what a panel sees mid-run. */
const untilFinished = events.slice(0, events.indexOf(finished));
const runFolderName = result.runFolder!.split('/').pop()!;

describe('training panel in Chromium (recorded MNIST run)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let panel: TrainingPanelPage;

  before(async () => {
    // The panel bundle is what VS Code loads; build it so the suite also runs on its own.
    execFileSync(process.execPath, ['esbuild.config.mjs', '--only=trainingPanel'], { stdio: 'inherit' });
    browser = await launchChromium();
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    panel = await TrainingPanelPage.open(browser);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await panel.screenshot(`FAILED-${this.currentTest.title.replace(/\W+/g, '-')}`);
    // Everything the panel sent passes the host's validation unchanged: panel and host speak the same protocol.
    for (const envelope of await panel.envelopes()) assert.deepEqual(validateTrainingPanelEnvelope(envelope), envelope);
    const violations = await panel.violations();
    await panel.page.close();
    assert.deepEqual(violations, [], 'the panel broke its Content-Security-Policy');
    assert.deepEqual(panel.errors, [], 'the panel logged errors');
  });

  it('the recording is a real, complete run', () => {
    assert.equal(result.status, 'completed');
    assert.ok(progressCount >= 5 && epochCount === result.epochs.length && epochCount >= 2, `${progressCount} progress, ${epochCount} epochs`);
    assert.equal(test.confusion.flat().reduce((a, b) => a + b, 0), 300, 'confusion matrix counts the 300 test images');
    // The gallery: the first 4 test images of each class, scored as the confusion matrix counts them.
    const gallery = test.gallery!;
    assert.deepEqual(gallery.map((g) => g.trueLabel), result.classNames.flatMap((_, k) => [k, k, k, k]));
    for (const g of gallery) assert.ok(test.confusion[g.trueLabel][g.predictedLabel] > 0 && g.pixels.length === 784);
    for (const m of test.misclassified) {
      const shared = gallery.find((g) => g.index === m.index);
      if (shared) assert.deepEqual(shared, m);
    }
    assert.equal(of('featureMaps').length, 2, 'feature maps of a misclassified and of a correctly classified image');
  });

  it('draws the live curves and the epoch counter while the run goes, and Stop sends cancel', async () => {
    await panel.deliver(...untilFinished);
    const loss = await panel.chartData('chart-loss');
    assert.equal(loss.length, 4, 'x + three loss series');
    assert.equal(loss[1].filter((v) => v !== null).length, progressCount, 'one batch point per recorded progress message');
    assert.equal(loss[2].filter((v) => v !== null).length, epochCount, 'one train point per epoch');
    assert.equal(loss[3].filter((v) => v !== null).length, epochCount, 'one validation point per epoch');
    const recordedEpochs = of('epoch').map((m) => m.epoch);
    assert.deepEqual(loss[3].filter((v) => v !== null), recordedEpochs.map((e) => e.validationLoss));
    const accuracy = await panel.chartData('chart-accuracy');
    assert.deepEqual(accuracy[2].filter((v) => v !== null), recordedEpochs.map((e) => e.trainAccuracy));
    assert.ok((await panel.chartData('chart-learning-rate'))[1].every((v) => v === 0.001), 'constant learning rate 0.001 (adam)');
    for (const id of ['chart-loss', 'chart-accuracy', 'chart-learning-rate']) assert.ok((await panel.chartInk(id)) > 500, `${id} canvas has drawn pixels`);

    const lastProgress = of('progress').at(-1)!.progress;
    assert.equal(await panel.page.getByTestId('training-epoch').textContent(), `epoch ${lastProgress.epoch}/${lastProgress.epochs}`);
    assert.match((await panel.page.getByTestId('training-backend').textContent()) ?? '', /backend: cpu/);
    assert.match((await panel.page.getByTestId('training-speed').textContent()) ?? '', /samples\/s/);
    await panel.screenshot('live-run');

    await panel.page.getByTestId('training-stop').click();
    const stops = (await panel.sent()).filter((m) => m.type === 'stop');
    assert.deepEqual(stops, [{ type: 'stop', runId }]);
  });

  it('shows the results: accuracy, confusion matrix, per-class accuracy, misclassified images and filters', async () => {
    await panel.deliver(...events);
    assert.equal(await panel.page.getByTestId('training-phase').textContent(), 'completed');
    assert.equal(await panel.page.getByTestId('tab-results').getAttribute('class'), 'tab active', 'a completed run opens its results');
    assert.equal(Number(await panel.page.getByTestId('results-test-accuracy').getAttribute('data-value')), test.accuracy);
    assert.equal(await panel.page.getByTestId('results-test-accuracy').textContent(), `${(test.accuracy * 100).toFixed(2)}%`);
    assert.equal(Number(await panel.page.getByTestId('results-test-top5').getAttribute('data-value')), test.top5);

    const cells = await panel.page.$$eval('[data-testid=confusion-matrix] td', (tds) => tds.map((td) => [Number(td.getAttribute('data-true')), Number(td.getAttribute('data-predicted')), Number(td.textContent)]));
    assert.equal(cells.length, test.confusion.length ** 2);
    for (const [t, p, count] of cells) assert.equal(count, test.confusion[t][p], `confusion[${t}][${p}]`);
    const headers = await panel.page.$$eval('[data-testid=confusion-matrix] thead th[scope=col]', (ths) => ths.map((th) => th.textContent));
    assert.deepEqual(headers, result.classNames);

    const perClass = await panel.page.$$eval('[data-testid=per-class-accuracy] .bar-row', (rows) => rows.map((r) => Number(r.getAttribute('data-value'))));
    assert.deepEqual(perClass, test.perClassAccuracy);

    const shown = await panel.page.$$eval('[data-testid=misclassified-image]', (cards) =>
      cards.map((c) => ({ trueText: c.querySelector('.true-label')?.textContent, predText: c.querySelector('.pred-label')?.textContent, ink: (c.querySelector('canvas') as HTMLCanvasElement).width })),
    );
    assert.equal(shown.length, test.misclassified.length);
    test.misclassified.forEach((m, i) => {
      assert.equal(shown[i].trueText, `true: ${result.classNames[m.trueLabel]}`);
      assert.match(shown[i].predText ?? '', new RegExp(`^pred: ${result.classNames[m.predictedLabel]} \\(`));
      assert.equal(shown[i].ink, result.imageShape[1]);
    });
    assert.equal(await panel.page.locator('[data-testid=conv-filters] canvas').count(), result.firstConvFilters!.filters.length);
    await panel.screenshot('results');
  });

  it('asks the host for the feature maps of a picked image and shows every convolution', async () => {
    await panel.deliver(...events);
    await panel.page.getByTestId('misclassified-image').first().click();
    const request = (await panel.sent()).find((m) => m.type === 'featureMaps');
    assert.ok(request && request.type === 'featureMaps');
    assert.equal(request.runName, runFolderName);
    assert.deepEqual(request.image.pixels, test.misclassified[0].pixels);
    assert.deepEqual(request.image.shape, result.imageShape);
    assert.equal(await panel.page.getByTestId('feature-maps-loading').count(), 1);

    const reply = of('featureMaps')[0];
    await panel.reply(await panel.lastRequestId('featureMaps'), { layers: reply.layers });
    const layers = await panel.page.$$eval('[data-testid=feature-maps] .feature-layer', (sections) => sections.map((s) => ({ name: s.getAttribute('data-layer'), maps: s.querySelectorAll('canvas').length })));
    assert.deepEqual(layers, reply.layers!.map((l) => ({ name: l.layerName, maps: l.maps.length })));
    assert.deepEqual(layers.map((l) => l.name), ['conv1', 'conv2'], 'the MNIST CNN has two convolutions');
    await panel.screenshot('feature-maps');
  });

  it('offers a gallery of test images, right or wrong, and picking a correctly classified one shows its feature maps', async () => {
    await panel.deliver(...events);
    const gallery = test.gallery!;
    const shown = await panel.page.$$eval('[data-testid=test-gallery] [data-testid=gallery-image]', (cards) =>
      cards.map((c) => ({
        index: Number(c.getAttribute('data-index')),
        trueText: c.querySelector('.true-label')?.textContent,
        predText: c.querySelector('.pred-label')?.textContent,
        marked: c.querySelector('[data-testid=misclassified-mark]') !== null,
        width: (c.querySelector('canvas') as HTMLCanvasElement).width,
      })),
    );
    assert.equal(shown.length, 40, 'four test images of each of the ten classes');
    gallery.forEach((g, i) => {
      assert.equal(shown[i].index, g.index);
      assert.equal(shown[i].trueText, `true: ${result.classNames[g.trueLabel]}`);
      assert.match(shown[i].predText ?? '', new RegExp(`^pred: ${result.classNames[g.predictedLabel]} \\(`));
      assert.equal(shown[i].marked, g.trueLabel !== g.predictedLabel, `image ${g.index} is marked misclassified exactly when it is`);
      assert.equal(shown[i].width, result.imageShape[1]);
    });
    assert.ok(shown.some((c) => !c.marked) && shown.some((c) => c.marked), 'the recorded gallery holds right and wrong predictions');

    const picked = gallery.find((g) => g.predictedLabel === g.trueLabel)!;
    const card = panel.page.locator(`[data-testid=gallery-image][data-index="${picked.index}"]`);
    await card.click();
    assert.match((await card.getAttribute('class')) ?? '', /\bpicked\b/);
    const request = (await panel.sent()).find((m) => m.type === 'featureMaps');
    assert.ok(request && request.type === 'featureMaps');
    assert.equal(request.runName, runFolderName);
    assert.deepEqual(request.image, { pixels: picked.pixels, shape: result.imageShape, label: picked.trueLabel });
    assert.equal(await panel.page.getByTestId('feature-maps-loading').count(), 1);

    const [misclassifiedReply, reply] = of('featureMaps');
    assert.notDeepEqual(reply.layers![0].maps[0], misclassifiedReply.layers![0].maps[0], 'the recorded reply is for another image');
    await panel.reply(await panel.lastRequestId('featureMaps'), { layers: reply.layers });
    const layers = await panel.page.$$eval('[data-testid=feature-maps] .feature-layer', (sections) =>
      sections.map((s) => ({ name: s.getAttribute('data-layer'), maps: s.querySelectorAll('canvas').length })),
    );
    assert.deepEqual(layers, reply.layers!.map((l) => ({ name: l.layerName, maps: l.maps.length })));
    assert.deepEqual(layers.map((l) => l.name), ['conv1', 'conv2']);
    assert.match((await panel.page.locator('h2', { hasText: 'Feature maps' }).textContent()) ?? '', new RegExp(`true class ${result.classNames[picked.trueLabel]}\\)$`));
    await panel.screenshot('gallery-feature-maps');
  });

  it('lists the run history, overlays two runs and asks for exports (the table, a run for PyTorch)', async () => {
    await panel.deliver(...events);
    await panel.page.getByTestId('tab-history').click();
    const runs = of('runs').at(-1)!.runs;
    assert.equal(runs.length, 2);
    assert.equal(await panel.page.locator('[data-testid=runs-table] tbody tr').count(), 2);
    const testAccuracies = await panel.page.$$eval('[data-testid=run-test-accuracy]', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(testAccuracies, [...runs].reverse().map((r) => `${(r.testAccuracy! * 100).toFixed(2)}%`), 'newest first');
    for (const box of await panel.page.getByTestId('run-select').all()) await box.check();
    await panel.page.waitForFunction(() => (document.querySelector('[data-testid=runs-overlay-accuracy]') as HTMLElement & { uplot?: unknown })?.uplot !== undefined);
    const overlay = await panel.chartData('runs-overlay-accuracy');
    assert.equal(overlay.length, 5, 'x + train/validation of two runs');
    const [newest, oldest] = [...runs].reverse();
    assert.deepEqual(overlay[1].filter((v) => v !== null), newest.curves.map((c) => c.trainAccuracy));
    assert.deepEqual(overlay[3].filter((v) => v !== null), oldest.curves.map((c) => c.trainAccuracy));
    assert.ok((await panel.chartInk('runs-overlay-accuracy')) > 200);
    await panel.page.getByTestId('runs-export-markdown').click();
    const exports = (await panel.sent()).filter((m) => m.type === 'exportRuns');
    assert.deepEqual(exports, [{ type: 'exportRuns', format: 'markdown', names: [newest.name, oldest.name] }]);
    await panel.page.locator(`[data-run="${oldest.name}"] [data-testid=run-export-pytorch]`).click();
    assert.deepEqual((await panel.sent()).filter((m) => m.type === 'exportRunForPyTorch'), [{ type: 'exportRunForPyTorch', name: oldest.name }]);
    await panel.screenshot('history');
  });

  it('starts from the host\'s reply to its ready request (the handshake)', async () => {
    const { type: _event, ...state } = init;
    assert.deepEqual((await panel.sent()).map((m) => m.type), ['ready'], 'the panel asks once, and nothing else before the reply');
    await panel.reply(await panel.lastRequestId('ready'), { ...state, runs: of('runs')[0].runs });
    assert.equal(await panel.page.getByTestId('training-title').textContent(), `Training: ${init.designName}`);
    assert.equal(await panel.page.getByTestId('setting-epochs').inputValue(), String(init.settings.epochs));
    await panel.page.getByTestId('tab-history').click();
    assert.equal(await panel.page.locator('[data-testid=runs-table] tbody tr').count(), 1);
  });

  it('reopened mid-run, continues where the run is', async () => {
    // What the host sends a reopened panel: init with the run as the tracker holds it.
    const run: LiveRun = structuredClone(of('runStarted')[0].run);
    for (const m of untilFinished) {
      if (m.type === 'progress') run.progress.push(m.progress);
      if (m.type === 'epoch') run.epochs.push(m.epoch);
      if (m.type === 'runInfo') Object.assign(run, m.backend ? { backend: m.backend, phase: 'running' } : {}, m.runFolder ? { runFolder: m.runFolder } : {});
    }
    await panel.deliver({ ...init, run, runs: of('runs')[0].runs });
    const loss = await panel.chartData('chart-loss');
    assert.equal(loss[1].filter((v) => v !== null).length, progressCount);
    assert.equal(await panel.page.getByTestId('training-stop').isVisible(), true);
    // ...and carries on with the next messages.
    await panel.deliver(finished);
    assert.equal(await panel.page.getByTestId('training-phase').textContent(), 'completed');
    assert.equal(await panel.page.getByTestId('training-stop').isVisible(), false);
  });

  it('says when the design changed since the run started', async () => {
    await panel.deliver(...untilFinished.slice(0, 6));
    assert.equal(await panel.page.getByTestId('training-design-changed').isVisible(), false);
    await panel.deliver({ type: 'designChanged', changed: true });
    assert.equal(await panel.page.getByTestId('training-design-changed').isVisible(), true);
    assert.match((await panel.page.getByTestId('training-design-changed').textContent()) ?? '', /keeps training the version it started with/);
    await panel.deliver({ type: 'designChanged', changed: false });
    assert.equal(await panel.page.getByTestId('training-design-changed').isVisible(), false);
  });

  it('shows an engine error with what to do next', async () => {
    await panel.deliver(...untilFinished.slice(0, 8));
    const error = describeTrainingError('The training process was killed (SIGKILL) before finishing; running out of memory is the usual cause', 'outOfMemory');
    await panel.deliver({ type: 'failed', runId, error });
    assert.equal(await panel.page.getByTestId('training-phase').textContent(), 'failed');
    assert.equal(await panel.page.getByTestId('training-error').isVisible(), true);
    assert.match((await panel.page.getByTestId('training-error').textContent()) ?? '', /ran out of memory/);
    assert.match((await panel.page.getByTestId('training-error-advice').textContent()) ?? '', /batch size/);
    assert.equal(await panel.page.getByTestId('training-stop').isVisible(), false);
    await panel.screenshot('error');
  });

  it('has one field per setting of the training settings specification, and refuses a value out of range on its field', async () => {
    await panel.deliver(init);
    for (const spec of TRAINING_SETTINGS) assert.equal(await panel.page.getByTestId(`setting-${spec.key}`).count(), 1, spec.key);
    const before = (await panel.sent()).filter((m) => m.type === 'start').length;
    await panel.page.getByTestId('setting-augment.translate').fill('0.9');
    await panel.page.getByTestId('training-start').click();
    assert.equal((await panel.sent()).filter((m) => m.type === 'start').length, before, 'an out-of-range value blocks the run');
    assert.match((await panel.page.locator('label:has([data-testid="setting-augment.translate"]) .field-error').textContent()) ?? '', /\[0, 0\.5\)/);
    await panel.page.getByTestId('setting-augment.translate').fill('');
  });

  it('reads and writes the training settings through the host', async () => {
    await panel.deliver(init);
    assert.equal(await panel.page.getByTestId('setting-epochs').inputValue(), String(init.settings.epochs));
    assert.equal(await panel.page.getByTestId('setting-dataset').inputValue(), 'mnist-sample');
    await panel.page.getByTestId('setting-epochs').fill('5');
    await panel.page.getByTestId('setting-learningRate').fill('0.01');
    await panel.page.getByTestId('setting-optimizer').selectOption('sgd');
    await panel.page.getByTestId('settings-save').click();
    const saved = (await panel.sent()).filter((m) => m.type === 'saveSettings');
    assert.equal(saved.length, 1);
    assert.ok(saved[0].type === 'saveSettings');
    assert.deepEqual({ epochs: saved[0].settings.epochs, learningRate: saved[0].settings.learningRate, optimizer: saved[0].settings.optimizer, dataset: saved[0].settings.dataset }, { epochs: 5, learningRate: 0.01, optimizer: 'sgd', dataset: 'mnist-sample' });
    await panel.reply(await panel.lastRequestId('saveSettings'), { applied: false, reason: 'The file is not a design the editor can read (line 3, column 1); correct it as text first.' });
    assert.match((await panel.page.getByTestId('settings-status').textContent()) ?? '', /^Not saved: .*line 3, column 1/);
    // The host echoes the design's new training block; the form shows it.
    await panel.deliver({ type: 'settings', settings: { ...init.settings, epochs: 9 } });
    assert.equal(await panel.page.getByTestId('setting-epochs').inputValue(), '9');

    await panel.page.getByTestId('setting-batchSize').fill('sixty');
    await panel.page.getByTestId('training-start').click();
    assert.equal((await panel.sent()).filter((m) => m.type === 'start').length, 0, 'a field that does not parse blocks the run');
    assert.match((await panel.page.locator('label:has([data-testid=setting-batchSize]) .field-error').textContent()) ?? '', /whole number/);
    await panel.page.getByTestId('setting-batchSize').fill('16');
    await panel.page.getByTestId('training-start').click();
    const starts = (await panel.sent()).filter((m) => m.type === 'start');
    assert.equal(starts.length, 1);
    assert.ok(starts[0].type === 'start' && starts[0].settings.batchSize === 16);
  });
  it('lists the engines the host probed, picks the backend with the form, and refuses more GPUs than PyTorch sees before the run', async () => {
    // A design that leaves the engine to the automatic choice.
    const { backend: _recorded, ...settings } = init.settings;
    await panel.deliver({ ...init, settings });
    const asked = (await panel.sent()).filter((m) => m.type === 'engines');
    assert.deepEqual(asked, [{ type: 'engines', refresh: false }], 'the panel asks for the cached list once it has its state');
    const engines = listEngines({
      python: { found: { path: '/opt/py/bin/python', source: 'the cnnDesigner.python.path setting', python: '3.11.2', torch: '2.4.0', cudaDevices: ['GPU A', 'GPU B'], mps: false }, attempts: [] },
      tfjs: [
        { backend: 'tensorflow-gpu', ok: false, reason: '@tensorflow/tfjs-node-gpu is not installed' },
        { backend: 'tensorflow', ok: false, reason: '@tensorflow/tfjs-node is not installed' },
        { backend: 'webgpu', ok: false, reason: 'WebGPU (Dawn) found no GPU adapter' },
        { backend: 'wasm', ok: true },
        { backend: 'cpu', ok: true },
      ],
    });
    // The machine's setting asks for 3 processes; PyTorch sees 2 GPUs.
    await panel.reply(await panel.lastRequestId('engines'), { engines, probedAt: Date.now(), pytorch: { device: 'auto', processes: 3 } });
    const page = panel.page;
    assert.equal(await page.getByTestId('engine-row-pytorch').getAttribute('data-available'), 'true');
    assert.match((await page.getByTestId('engine-row-pytorch').textContent()) ?? '', /Interpreter: \/opt\/py\/bin\/python, from the cnnDesigner\.python\.path setting.*torch 2\.4\.0.*Devices: cuda ×2 \(GPU A, GPU B\), cpu/);
    assert.equal(await page.getByTestId('engine-row-webgpu').getAttribute('data-available'), 'false');
    assert.match((await page.getByTestId('engine-row-webgpu').textContent()) ?? '', /found no GPU adapter/);
    assert.equal(await page.getByTestId('engine-choice-auto').isChecked(), true);
    assert.match((await page.getByTestId('engine-row-auto').textContent()) ?? '', /uses PyTorch/);
    assert.deepEqual(await page.locator('[data-testid=engine-problems] li').allTextContents(), ['3 GPUs were chosen, but PyTorch sees 2 CUDA GPUs here.']);
    await panel.screenshot('engines');

    await page.getByTestId('training-start').click();
    assert.equal((await panel.sent()).filter((m) => m.type === 'start').length, 0, 'a run the engine cannot carry out is not started');
    assert.match((await page.getByTestId('settings-status').textContent()) ?? '', /^Not started: 3 GPUs were chosen/);

    await page.getByTestId('engine-gpus').selectOption('2');
    assert.deepEqual((await panel.sent()).filter((m) => m.type === 'setPyTorchOptions'), [{ type: 'setPyTorchOptions', options: { device: 'auto', processes: 2 } }]);
    await panel.reply(await panel.lastRequestId('setPyTorchOptions'), { applied: true, options: { device: 'auto', processes: 2 } });
    assert.equal(await page.locator('[data-testid=engine-problems] li').count(), 0);

    // The engine section and the form's Backend field are one setting.
    await page.getByTestId('engine-choice-wasm').check();
    assert.equal(await page.getByTestId('setting-backend').inputValue(), 'wasm');
    await page.getByTestId('setting-backend').selectOption('webgpu');
    assert.equal(await page.getByTestId('engine-choice-webgpu').isChecked(), true);
    assert.match(await page.locator('[data-testid=engine-problems] li').first().textContent() ?? '', /^WebGPU cannot train here/);
    await page.getByTestId('engine-choice-pytorch').check();
    await page.getByTestId('training-start').click();
    const starts = (await panel.sent()).filter((m) => m.type === 'start');
    assert.equal(starts.length, 1);
    assert.ok(starts[0].type === 'start' && starts[0].settings.backend === 'pytorch', 'the chosen engine is the run\'s backend setting');

    await page.getByTestId('engines-refresh').click();
    assert.deepEqual((await panel.sent()).filter((m) => m.type === 'engines').at(-1), { type: 'engines', refresh: true });
    assert.match((await page.getByTestId('engines-status').textContent()) ?? '', /^Probing/);
  });
});
