import 'uplot/dist/uPlot.min.css';
import './training.css';
import { FINISHED_PHASES, showsTop5, type HostToTrainingPanelMessage, type LiveRun, type PickedImage, type SettingsSaved, type TrainingPanelInit, type TrainingPanelToHostMessage, type TrainingSettings } from '../../src/protocol/trainingPanelProtocol';
import { reduceRunEvent } from '../../src/runs/reduceRunEvent';
import { accuracyData, learningRateData, lossData } from './chartData';
import { h, percent } from './dom';
import { EngineSection } from './engineSection';
import { HistoryView } from './historyView';
import { LineChart } from './lineChart';
import { host, loadTab, onHostEvent, saveDesignUri, saveTab } from './panelApi';
import { confusionMatrix, featureMaps, filterImages, misclassifiedGrid, perClassAccuracy, testGallery } from './resultsView';
import { SettingsForm } from './settingsForm';

type Tab = 'train' | 'results' | 'history';

/** Everything the panel shows; rebuilt from `init` whenever the panel is (re)opened. */
interface PanelState {
  designName: string;
  designFile: string;
  settings: TrainingSettings;
  datasets: string[];
  backends: string[];
  trusted: boolean;
  /** The live (or last) run of this session. */
  run?: LiveRun;
  /** The run whose results are shown: the live one, or one opened from the history. */
  shown?: LiveRun;
  designChanged: boolean;
  tab: Tab;
  /** The image whose feature maps are shown or coming (a reply for an earlier pick is dropped). */
  picked?: PickedImage;
}

const TABS: Tab[] = ['train', 'results', 'history'];
const savedTab = loadTab();
const state: PanelState = { designName: '', designFile: '', settings: {}, datasets: [], backends: [], trusted: true, designChanged: false, tab: TABS.find((t) => t === savedTab) ?? 'train' };

const runName = (run: LiveRun | undefined): string | undefined => run?.runFolder?.split(/[\\/]/).filter(Boolean).pop();
const isRunning = (run: LiveRun | undefined): boolean => run !== undefined && !FINISHED_PHASES.includes(run.phase);

// ---- static layout -------------------------------------------------------------------------------

const title = h('h1', { 'data-testid': 'training-title' });
const phase = h('span', { className: 'phase', 'data-testid': 'training-phase' });
const epochLabel = h('span', { className: 'stat', 'data-testid': 'training-epoch' });
const speedLabel = h('span', { className: 'stat', 'data-testid': 'training-speed' });
const backendLabel = h('span', { className: 'stat', 'data-testid': 'training-backend' });
const stopButton = h('button', { type: 'button', className: 'danger', 'data-testid': 'training-stop', onclick: () => state.run && ask({ type: 'stop', runId: state.run.runId }) }, 'Stop');
const progressBar = h('div', { className: 'progress' }, h('div', { className: 'progress-fill' }));
const changedBanner = h('div', { className: 'banner warning', 'data-testid': 'training-design-changed', hidden: true }, 'The design has changed since this run started: the run keeps training the version it started with.');
const errorBox = h('div', { className: 'error-box', 'data-testid': 'training-error', hidden: true });
const untrustedBox = h('div', { className: 'banner warning', hidden: true }, 'Training runs code, so it needs a trusted workspace. Trust this folder to train.');
const logBox = h('pre', { className: 'log', 'data-testid': 'training-log' });

const lossChart = new LineChart('Loss', [
  { label: 'train (batches)', color: '--vscode-charts-blue' },
  { label: 'train (epoch)', color: '--vscode-charts-blue', points: true, dash: [4, 3] },
  { label: 'validation (epoch)', color: '--vscode-charts-orange', points: true },
], 'chart-loss');
const accuracyChart = new LineChart('Accuracy', [
  { label: 'train (batches)', color: '--vscode-charts-green' },
  { label: 'train (epoch)', color: '--vscode-charts-green', points: true, dash: [4, 3] },
  { label: 'validation (epoch)', color: '--vscode-charts-orange', points: true },
], 'chart-accuracy', { yRange: [0, 1] });
const learningRateChart = new LineChart('Learning rate', [{ label: 'learning rate', color: '--vscode-charts-purple' }], 'chart-learning-rate');

const form = new SettingsForm((action) => {
  const settings = form.read();
  if (!settings) return;
  if (action === 'save') void host.request({ type: 'saveSettings', settings }).then(showSettingsSaved, (err: unknown) => showSettingsSaved({ applied: false, reason: String(err instanceof Error ? err.message : err) }));
  else {
    // A run the chosen engine cannot carry out (no torch, more GPUs than there are) is refused here, before it starts.
    const problem = engines.problems().find((p) => p.severity === 'error');
    if (problem) {
      settingsStatus.textContent = `Not started: ${problem.message}`;
      settingsStatus.classList.add('error-text');
    } else {
      settingsStatus.textContent = '';
      ask({ type: 'start', settings });
    }
  }
});
const settingsStatus = h('div', { className: 'hint', 'data-testid': 'settings-status', role: 'status' });
const settingsSection = h('details', { className: 'settings-section', open: true }, h('summary', {}, 'Training settings (saved in the design)'), form.element, settingsStatus);
const engines = new EngineSection({
  chooseBackend: (backend) => {
    form.setValue('backend', backend === 'auto' ? '' : backend);
    engines.setBackend(backend);
  },
  setPyTorchOptions: (options) =>
    void host.request({ type: 'setPyTorchOptions', options }).then(
      (reply) => engines.setPyTorchOptions(reply.options, reply.applied ? undefined : reply.reason),
      reportFailure({ type: 'setPyTorchOptions', options }),
    ),
  refresh: () => requestEngines(true),
});
// The form's Backend field and the engine section show the same setting.
form.element.addEventListener('change', (e) => (e.target as HTMLSelectElement | null)?.name === 'backend' && engines.setBackend(form.value('backend')));

let enginesAsked = 0;
/** Asks the host for the engine list (its cached probe, or a new one); only the latest question's answer is shown. */
function requestEngines(refresh: boolean): void {
  const asked = ++enginesAsked;
  engines.setProbing();
  void host.request({ type: 'engines', refresh }).then(
    (view) => asked === enginesAsked && engines.setView(view),
    (err: unknown) => asked === enginesAsked && engines.setView({ error: String(err instanceof Error ? err.message : err), pytorch: { device: 'auto', processes: 1 } }),
  );
}

const results = h('div', { className: 'results', 'data-testid': 'training-results' });
const featureMapSlot = h('div', { className: 'feature-slot' });
const history = new HistoryView((request) => {
  if (request.type === 'openRun') void host.request(request).then((run) => run && showPastRun(run), reportFailure(request));
  else ask(request);
});

const tabButtons = TABS.map((tab) =>
  h('button', { type: 'button', role: 'tab', className: 'tab', 'data-tab': tab, 'data-testid': `tab-${tab}`, onclick: () => showTab(tab) }, tab === 'train' ? 'Training' : tab === 'results' ? 'Results' : 'Runs'),
);
const pages: Record<Tab, HTMLElement> = {
  train: h('div', { className: 'page' }, untrustedBox, changedBanner, errorBox, h('div', { className: 'charts' }, lossChart.element, accuracyChart.element, learningRateChart.element), engines.element, settingsSection, logBox),
  results: h('div', { className: 'page' }, results),
  history: h('div', { className: 'page' }, history.element),
};

document.getElementById('root')?.append(
  h('header', {}, title, phase, epochLabel, speedLabel, backendLabel, stopButton),
  progressBar,
  h('nav', { role: 'tablist' }, ...tabButtons),
  ...Object.values(pages),
);

function showTab(tab: Tab): void {
  state.tab = tab;
  saveTab(tab);
  for (const b of tabButtons) b.classList.toggle('active', b.dataset.tab === tab);
  for (const [name, page] of Object.entries(pages)) page.hidden = name !== tab;
}

// ---- rendering -----------------------------------------------------------------------------------

let chartsQueued = false;
/** Redraws the curves at most once per frame, however fast progress arrives. */
function queueCharts(): void {
  if (chartsQueued) return;
  chartsQueued = true;
  requestAnimationFrame(() => {
    chartsQueued = false;
    const run = state.run;
    lossChart.setData(lossData(run?.progress ?? [], run?.epochs ?? []));
    accuracyChart.setData(accuracyData(run?.progress ?? [], run?.epochs ?? []));
    learningRateChart.setData(learningRateData(run?.progress ?? [], run?.epochs ?? []));
  });
}

function renderHeader(): void {
  const run = state.run;
  title.textContent = state.designName ? `Training: ${state.designName}` : 'Training';
  phase.textContent = run ? run.phase : 'not started';
  phase.dataset.phase = run?.phase ?? 'idle';
  const last = run?.progress[run.progress.length - 1];
  const planned = last?.epochs ?? (typeof run?.settings.epochs === 'number' ? run.settings.epochs : undefined);
  const doneEpochs = run?.epochs.length ?? 0;
  epochLabel.textContent = run ? `epoch ${last && isRunning(run) ? last.epoch : doneEpochs}${planned ? `/${planned}` : ''}` : '';
  epochLabel.dataset.completed = String(doneEpochs);
  speedLabel.textContent = last ? `${Math.round(last.samplesPerSecond).toLocaleString('en-US')} samples/s` : '';
  backendLabel.textContent = run?.backend ? `backend: ${run.backend}` : '';
  stopButton.hidden = !isRunning(run);
  const fraction = last ? Math.min(1, (last.epoch - 1 + last.batch / Math.max(last.batches, 1)) / Math.max(last.epochs, 1)) : 0;
  (progressBar.firstChild as HTMLElement).style.width = `${(run && !isRunning(run) && run.phase === 'completed' ? 1 : fraction) * 100}%`;
  progressBar.hidden = !run;
  changedBanner.hidden = !(state.designChanged && run);
  changedBanner.textContent = isRunning(run)
    ? 'The design has changed since this run started: the run keeps training the version it started with.'
    : 'The design has changed since this run: its results are for the earlier version.';
  untrustedBox.hidden = state.trusted;
  form.setDisabled(!state.trusted || isRunning(run));
  engines.setDisabled(!state.trusted || isRunning(run));
  const error = run?.error;
  errorBox.hidden = !error;
  if (error) {
    errorBox.dataset.kind = error.kind;
    errorBox.replaceChildren(h('strong', {}, error.title), h('div', { className: 'detail' }, error.detail), h('div', { className: 'advice', 'data-testid': 'training-error-advice' }, error.advice));
  }
  logBox.textContent = (run?.log ?? []).join('\n');
  logBox.hidden = !run?.log.length;
}

function pickImage(run: LiveRun, image: PickedImage): void {
  const name = runName(run);
  if (!name) {
    featureMapSlot.replaceChildren(h('p', { className: 'hint' }, 'This run has no saved model to compute feature maps with.'));
    return;
  }
  state.picked = image;
  featureMapSlot.replaceChildren(h('p', { className: 'hint', 'data-testid': 'feature-maps-loading' }, 'Computing feature maps…'));
  void host.request({ type: 'featureMaps', runName: name, image }).then(
    (reply) => {
      if (state.picked !== image) return; // Another image was picked meanwhile.
      featureMapSlot.replaceChildren(
        h('h2', {}, `Feature maps${image.label === undefined ? '' : ` of the picked image (true class ${state.shown?.result?.classNames[image.label] ?? image.label})`}`),
        reply.layers ? featureMaps(reply.layers) : h('p', { className: 'error-text', 'data-testid': 'feature-maps-error' }, reply.error ?? 'No feature maps.'),
      );
    },
    (err: unknown) => state.picked === image && featureMapSlot.replaceChildren(h('p', { className: 'error-text', 'data-testid': 'feature-maps-error' }, String(err instanceof Error ? err.message : err))),
  );
}

function renderResults(): void {
  const run = state.shown;
  const result = run?.result;
  if (!run || !result) {
    results.replaceChildren(h('p', { className: 'hint' }, isRunning(state.run) ? 'Results appear here when the run ends.' : 'Train the design to see its results.'));
    return;
  }
  const test = result.test;
  const shape = result.imageShape;
  const sections: HTMLElement[] = [
    h('div', { className: 'caption', 'data-testid': 'results-caption' }, `${runName(run) ?? 'run'} · ${result.status}${result.stopReason ? ` (${result.stopReason})` : ''} · ${result.epochs.length} epochs${run.maxBatchesPerEpoch ? ` of at most ${run.maxBatchesPerEpoch} batches` : ''} in ${result.wallSeconds.toFixed(1)} s on ${result.backend}`),
  ];
  if (test) {
    sections.push(
      h(
        'div',
        { className: 'scores' },
        h('div', { className: 'score' }, h('span', { className: 'score-value', 'data-testid': 'results-test-accuracy', 'data-value': test.accuracy }, percent(test.accuracy)), h('span', {}, 'test accuracy')),
        ...(showsTop5(result.classNames.length) ? [h('div', { className: 'score' }, h('span', { className: 'score-value', 'data-testid': 'results-test-top5', 'data-value': test.top5 }, percent(test.top5)), h('span', {}, 'top-5'))] : []),
        h('div', { className: 'score' }, h('span', { className: 'score-value' }, test.loss.toFixed(4)), h('span', {}, 'test loss')),
      ),
      h('h2', {}, 'Confusion matrix'),
      confusionMatrix(test.confusion, result.classNames),
      h('h2', {}, 'Per-class accuracy'),
      perClassAccuracy(test.perClassAccuracy, result.classNames),
      h('p', { className: 'hint' }, 'Click a test image to see the feature maps of every convolution for it.'),
      h(
        'div',
        { className: 'image-pickers' },
        // Runs made before the gallery existed carry only their misclassified images.
        ...(test.gallery
          ? [h('section', {}, h('h2', {}, 'Pick a test image'), testGallery(test.gallery, result.classNames, shape, (image) => pickImage(run, image)))]
          : []),
        h('section', {}, h('h2', {}, 'Misclassified test images'), misclassifiedGrid(test.misclassified, result.classNames, shape, (image) => pickImage(run, image))),
      ),
      featureMapSlot,
    );
  } else {
    sections.push(h('p', { className: 'hint' }, 'No epoch completed, so there are no test results.'));
  }
  if (result.firstConvFilters) sections.push(h('h2', {}, 'First convolution filters'), filterImages(result.firstConvFilters));
  results.replaceChildren(...sections);
}

function render(): void {
  renderHeader();
  renderResults();
  queueCharts();
}

// ---- the host ------------------------------------------------------------------------------------

/** A request whose reply says nothing to show; a failure is logged (the host also tells the user). */
function ask(request: TrainingPanelToHostMessage): void {
  void host.request(request).then(undefined, reportFailure(request));
}

function reportFailure(request: TrainingPanelToHostMessage): (err: unknown) => void {
  return (err) => console.warn(`${request.type} failed: ${err instanceof Error ? err.message : String(err)}`);
}

/** Everything from the host at once: the reply to `ready`, or an `init` event. */
function applyInit(init: TrainingPanelInit): void {
  if (init.designUri) saveDesignUri(init.designUri);
  Object.assign(state, { designName: init.designName, designFile: init.designFile, settings: init.settings, datasets: init.datasets, backends: init.backends, trusted: init.trusted, designChanged: init.designChanged });
  state.run = init.run;
  state.shown = init.run;
  form.render(init.settings);
  // What the form will send (a backend the form does not offer is left out, and so is the automatic choice).
  engines.setBackend(form.value('backend'));
  history.setRuns(init.runs);
  render();
  requestEngines(false);
}

function showSettingsSaved(reply: SettingsSaved): void {
  settingsStatus.textContent = reply.applied ? 'Saved in the design.' : `Not saved: ${reply.reason ?? 'the design could not be edited.'}`;
  settingsStatus.classList.toggle('error-text', !reply.applied);
}

function showPastRun(run: LiveRun): void {
  state.shown = run;
  state.picked = undefined;
  featureMapSlot.replaceChildren();
  renderResults();
  showTab('results');
}

function handle(event: HostToTrainingPanelMessage): void {
  switch (event.type) {
    case 'init':
      return applyInit(event);
    case 'runStarted':
      state.run = event.run;
      state.shown = event.run;
      state.designChanged = false;
      state.picked = undefined;
      featureMapSlot.replaceChildren();
      if (state.tab !== 'train') showTab('train');
      render();
      return;
    case 'runInfo':
    case 'progress':
    case 'epoch':
    case 'log':
    case 'finished':
    case 'failed': {
      // The same reducer as the host's: the panel's run is exactly the host's.
      const before = state.run;
      if (!before) return;
      const run = reduceRunEvent(before, event);
      if (run === before) return; // Another (older) run's event.
      state.run = run;
      if (state.shown === before) state.shown = run;
      if (event.type === 'finished') {
        state.shown = run;
        render();
        if (event.result.status === 'completed' && event.result.test) showTab('results');
      } else if (event.type === 'failed') {
        render();
        showTab('train');
      } else {
        renderHeader();
        if (event.type === 'progress' || event.type === 'epoch') queueCharts();
      }
      return;
    }
    case 'designChanged':
      state.designChanged = event.changed;
      renderHeader();
      return;
    case 'settings':
      state.settings = event.settings;
      if (!isRunning(state.run)) {
        form.render(event.settings);
        engines.setBackend(form.value('backend'));
      }
      return;
    case 'runs':
      history.setRuns(event.runs);
      return;
  }
}

onHostEvent(handle);
showTab(state.tab);
render();
// The handshake: the host answers with everything to show, and sends events only after it.
void host.request({ type: 'ready' }).then(applyInit, reportFailure({ type: 'ready' }));
