import * as vscode from 'vscode';
import { basename, join } from 'node:path';
import { analyzeDocument } from '../../core/analysis/analyzeDocument';
import type { TrainingSettings } from '../../core/design';
import { parseDesign } from '../../core/format/parseDesign';
import { computeFeatureMaps } from '../../featureMaps/computeFeatureMaps';
import type { HostToTrainingPanelMessage, TrainingPanelToHostMessage } from '../../protocol/trainingPanelProtocol';
import { TrainingService, type TrainingRun } from '../../training/service/TrainingService';
import { hashText, runsFolderFor } from '../../training/trainer/runFolder';
import { createNonce } from '../editorHtml';
import { minimalReplacement } from '../minimalReplacement';
import { describeTrainingError } from './describeTrainingError';
import { formatRunsTable } from './formatRunsTable';
import { exportRunForPyTorch, type RunPyTorchExport } from '../../training/trainer/exportRunForPyTorch';
import { formatRunStatus, runFraction } from './formatRunStatus';
import { LiveRunTracker } from './LiveRunTracker';
import { planTrainingSettingsEdit } from './planTrainingSettingsEdit';
import { pastRunView, readRunHistory, runFolderNamed } from './readRunHistory';
import { BACKEND_CHOICES, DATASET_CHOICES } from './trainingChoices';
import { trainingPanelHtml } from './trainingPanelHtml';
import { InvalidPanelMessageError, validateTrainingPanelMessage } from './validateTrainingPanelMessage';
import { engineFolder, forcedBackend, registerInstallEngineCommand, replicaSetting } from './installEngineCommand';
import { pytorchEngineSettings } from './pytorchEngineSettings';

export const TRAINING_PANEL_VIEW_TYPE = 'cnnDesigner.trainingPanel';

/** The design a restored panel belongs to, from the state its page saved (anything else: none). */
export function designUriFromPanelState(state: unknown): vscode.Uri | undefined {
  const value = typeof state === 'object' && state !== null ? (state as { designUri?: unknown }).designUri : undefined;
  if (typeof value !== 'string' || !/\.json$/i.test(value)) return undefined;
  try {
    return vscode.Uri.parse(value, true);
  } catch {
    return undefined;
  }
}
/** Shows a design's training panel (the status-bar item's command); `cnnDesigner.train` is the Train command the editor forwards to. */
export const SHOW_TRAINING_PANEL_COMMAND = 'cnnDesigner.showTrainingPanel';

/** The design a command applies to: the given one (explorer, editor toolbar), else the active editor's `.cnn.json`, graph or text. */
function designUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
  return uri?.path.endsWith('.cnn.json') ? uri : undefined;
}

/** One design's training: its panel (while open) and its last run (kept when the panel closes). */
interface DesignSession {
  uri: vscode.Uri;
  panel?: vscode.WebviewPanel;
  tracker?: LiveRunTracker;
  run?: TrainingRun;
  /** What was last told to the panel, so unchanged state is not resent on every keystroke. */
  sentDesignChanged?: boolean;
  sentSettings?: string;
}

/**
 * Training in the editor: the Train command, the training panel beside the design, the status-bar
 * item and the cancellable progress notification. The panel only ever talks to this controller,
 * which talks to the training service; TF.js never loads in the extension host.
 */
export class TrainingController implements vscode.Disposable {
  private readonly service: TrainingService;
  private readonly sessions = new Map<string, DesignSession>();
  private readonly statusItem = vscode.window.createStatusBarItem('cnnDesigner.training', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [];
  private statusSession: DesignSession | undefined;
  /** True while a run is being set up (settings written, text read), before the service has it. */
  private starting = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.OutputChannel,
  ) {
    this.service = new TrainingService({ processScript: join(context.extensionPath, 'dist', 'trainingProcess.js') });
    this.statusItem.name = 'CNN Designer training';
    this.statusItem.command = SHOW_TRAINING_PANEL_COMMAND;
    this.disposables.push(
      this.statusItem,
      registerInstallEngineCommand(context, log),
      vscode.commands.registerCommand('cnnDesigner.train', (arg: unknown) => {
        const uri = designUri(arg);
        if (uri) return this.train(uri);
        void vscode.window.showInformationMessage('Open a .cnn.json design first.');
        return undefined;
      }),
      vscode.commands.registerCommand('cnnDesigner.showTrainingPanel', (arg: unknown) => {
        const uri = designUri(arg);
        const session = (uri && this.sessions.get(uri.toString())) ?? this.statusSession ?? (uri ? this.session(uri) : undefined);
        if (session) this.showPanel(session);
        else void vscode.window.showInformationMessage('Open a .cnn.json design first.');
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const session = this.sessions.get(e.document.uri.toString());
        if (session && e.contentChanges.length > 0) this.documentChanged(session, e.document);
      }),
      vscode.window.registerWebviewPanelSerializer(TRAINING_PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => this.restorePanel(panel, state),
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        for (const session of this.sessions.values()) if (session.panel) void this.sendInit(session);
      }),
    );
  }

  dispose(): void {
    // Closing the window ends the run: the process also exits when its parent disconnects.
    void this.service.cancelActive();
    for (const session of this.sessions.values()) session.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }

  /** The Train command: shows the panel beside the design and starts a run with the design's settings. */
  async train(uri: vscode.Uri): Promise<void> {
    const session = this.session(uri);
    this.showPanel(session);
    if (session.tracker && !session.tracker.finished) return; // Already training this design: showing it is enough.
    await this.startRun(session);
  }

  private session(uri: vscode.Uri): DesignSession {
    const key = uri.toString();
    let session = this.sessions.get(key);
    if (!session) {
      session = { uri };
      this.sessions.set(key, session);
    }
    return session;
  }

  private showPanel(session: DesignSession): void {
    if (session.panel) {
      session.panel.reveal(undefined, true);
      return;
    }
    const name = session.uri.path.split('/').pop() ?? 'design';
    const panel = vscode.window.createWebviewPanel(TRAINING_PANEL_VIEW_TYPE, `Train: ${name.replace(/\.cnn\.json$/, '')}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      ...this.webviewOptions(),
      retainContextWhenHidden: false,
    });
    this.attachPanel(session, panel);
  }

  private webviewOptions(): vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview')] };
  }

  /**
   * A panel VS Code kept from before a window reload: it is given back to its design (from the
   * state the page saved), showing the run history and the last results; a run that was going
   * ended with the old window. A panel whose design is unknown or already shown closes.
   */
  private restorePanel(panel: vscode.WebviewPanel, state: unknown): void {
    const uri = designUriFromPanelState(state);
    const session = uri ? this.session(uri) : undefined;
    if (!session || session.panel) {
      panel.dispose();
      return;
    }
    panel.webview.options = this.webviewOptions();
    this.attachPanel(session, panel);
  }

  /** Gives a panel its page and wires it to the design's session. */
  private attachPanel(session: DesignSession, panel: vscode.WebviewPanel): void {
    const root = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    const name = session.uri.path.split('/').pop() ?? 'design';
    panel.webview.html = trainingPanelHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'training.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'training.css')).toString(),
      nonce: createNonce(),
      title: `Train ${name}`,
    });
    session.panel = panel;
    const subscription = panel.webview.onDidReceiveMessage((raw: unknown) => {
      let message: TrainingPanelToHostMessage;
      try {
        message = validateTrainingPanelMessage(raw);
      } catch (err) {
        if (err instanceof InvalidPanelMessageError) this.log.appendLine(`Ignored a malformed message from the training panel: ${err.message}`);
        else throw err;
        return;
      }
      void this.handle(session, message).catch((err: unknown) => this.log.appendLine(`Training panel request ${message.type} failed: ${err instanceof Error ? err.stack : String(err)}`));
    });
    // Closing the panel does not stop the run: the Train command or the status-bar item reopens it where the run is.
    panel.onDidDispose(() => {
      subscription.dispose();
      if (session.panel === panel) session.panel = undefined;
    });
  }

  private post(session: DesignSession, message: HostToTrainingPanelMessage): void {
    void session.panel?.webview.postMessage(message);
  }

  private async document(session: DesignSession): Promise<vscode.TextDocument> {
    return vscode.workspace.openTextDocument(session.uri);
  }

  private designChanged(session: DesignSession, text: string): boolean {
    return session.tracker !== undefined && hashText(text) !== session.tracker.run.designHash;
  }

  private async sendInit(session: DesignSession): Promise<void> {
    const document = await this.document(session);
    const text = document.getText();
    const design = parseDesign(text).design;
    session.sentDesignChanged = this.designChanged(session, text);
    session.sentSettings = JSON.stringify(design?.training ?? {});
    this.post(session, {
      type: 'init',
      designName: design?.name ?? session.uri.path.split('/').pop() ?? '',
      designFile: vscode.workspace.asRelativePath(session.uri),
      designUri: session.uri.toString(),
      settings: design?.training ?? {},
      datasets: DATASET_CHOICES,
      backends: BACKEND_CHOICES,
      trusted: vscode.workspace.isTrusted,
      run: session.tracker?.run,
      designChanged: session.sentDesignChanged,
      runs: this.history(session),
    });
  }

  private history(session: DesignSession) {
    const live = session.tracker && !session.tracker.finished ? session.tracker.run.runFolder : undefined;
    return session.uri.scheme === 'file' ? readRunHistory(session.uri.fsPath, live) : [];
  }

  private documentChanged(session: DesignSession, document: vscode.TextDocument): void {
    if (!session.panel) return;
    const text = document.getText();
    const changed = this.designChanged(session, text);
    if (changed !== session.sentDesignChanged) {
      session.sentDesignChanged = changed;
      this.post(session, { type: 'designChanged', changed });
    }
    const training = parseDesign(text).design?.training;
    const settings = training === undefined ? undefined : JSON.stringify(training);
    if (training && settings !== session.sentSettings) {
      session.sentSettings = settings;
      this.post(session, { type: 'settings', settings: training });
    }
  }

  private async handle(session: DesignSession, message: TrainingPanelToHostMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        return this.sendInit(session);
      case 'start':
        return this.startRun(session, message.settings);
      case 'stop':
        if (session.tracker?.run.runId === message.runId) await session.run?.cancel();
        return;
      case 'saveSettings': {
        const reason = await this.saveSettings(session, message.settings);
        this.post(session, { type: 'settingsSaved', requestId: message.requestId, applied: reason === undefined, reason });
        return;
      }
      case 'refreshRuns':
        this.post(session, { type: 'runs', runs: this.history(session) });
        return;
      case 'deleteRun': {
        const folder = runFolderNamed(session.uri.fsPath, message.name);
        if (!folder) return;
        if (session.tracker && !session.tracker.finished && session.tracker.run.runFolder === folder) {
          void vscode.window.showWarningMessage('This run is still training: stop it before deleting its folder.');
          return;
        }
        const choice = await vscode.window.showWarningMessage(`Delete the run folder ${message.name} (its metrics and trained model)?`, { modal: true }, 'Delete');
        if (choice !== 'Delete') return;
        // To the trash where the system has one; otherwise (some servers and containers) for good, as confirmed.
        await vscode.workspace.fs.delete(vscode.Uri.file(folder), { recursive: true, useTrash: true }).then(undefined, () => vscode.workspace.fs.delete(vscode.Uri.file(folder), { recursive: true, useTrash: false }));
        this.post(session, { type: 'runs', runs: this.history(session) });
        return;
      }
      case 'revealRun': {
        const folder = runFolderNamed(session.uri.fsPath, message.name);
        if (!folder) return;
        // The OS file manager where there is one (desktop); the Explorer where the window is remote (a browser).
        await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(folder)).then(undefined, () => vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(folder)));
        return;
      }
      case 'openRun': {
        const run = pastRunView(session.uri.fsPath, message.name);
        if (run) this.post(session, { type: 'runResult', run });
        return;
      }
      case 'exportRuns':
        return this.exportRuns(session, message.format, message.names);
      case 'exportRunForPyTorch': {
        const folder = runFolderNamed(session.uri.fsPath, message.name);
        if (!folder) return;
        let exported: RunPyTorchExport;
        try {
          exported = exportRunForPyTorch(folder);
        } catch (err) {
          void vscode.window.showErrorMessage(`Cannot export run ${message.name} for PyTorch: ${err instanceof Error ? err.message : String(err)}`);
          return;
        }
        await vscode.window.showTextDocument(vscode.Uri.file(exported.module), { viewColumn: vscode.ViewColumn.Beside, preview: false });
        void vscode.window.showInformationMessage(
          `Wrote ${vscode.workspace.asRelativePath(exported.module)} and its trained weights (${basename(exported.weights)}): load them with load_weights(model, path). Feed inputs scaled as run.json's normalization says.`,
        );
        return;
      }
      case 'featureMaps': {
        const folder = runFolderNamed(session.uri.fsPath, message.runName);
        if (!folder) {
          this.post(session, { type: 'featureMaps', requestId: message.requestId, error: `No run folder ${message.runName} beside the design (was it deleted?).` });
          return;
        }
        try {
          const layers = await computeFeatureMaps(folder, message.image, { script: join(this.context.extensionPath, 'dist', 'featureMapsProcess.js') });
          this.post(session, { type: 'featureMaps', requestId: message.requestId, layers });
        } catch (err) {
          this.post(session, { type: 'featureMaps', requestId: message.requestId, error: err instanceof Error ? err.message : String(err) });
        }
        return;
      }
    }
  }

  /** Writes the form's settings into the design's `training` block as one undoable edit; the reason when it was not written. */
  private async saveSettings(session: DesignSession, settings: TrainingSettings): Promise<string | undefined> {
    const document = await this.document(session);
    const text = document.getText();
    const plan = planTrainingSettingsEdit(text, settings);
    if (plan.kind === 'refused') return plan.reason;
    if (plan.kind === 'unchanged') return undefined;
    const change = minimalReplacement(text, plan.newText);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(document.positionAt(change.start), document.positionAt(change.end)), change.text);
    return (await vscode.workspace.applyEdit(edit)) ? undefined : 'VS Code did not apply the edit (is the file read-only?).';
  }

  private async exportRuns(session: DesignSession, format: 'markdown' | 'csv', names: string[]): Promise<void> {
    const runs = this.history(session).filter((r) => names.length === 0 || names.includes(r.name));
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('There are no runs to export yet.');
      return;
    }
    const extension = format === 'markdown' ? 'md' : 'csv';
    const base = runsFolderFor(session.uri.fsPath);
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(`${base}-table.${extension}`),
      filters: format === 'markdown' ? { Markdown: ['md'] } : { CSV: ['csv'] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(formatRunsTable(runs, format)));
    const open = await vscode.window.showInformationMessage(`Saved ${runs.length} run(s) to ${vscode.workspace.asRelativePath(target)}.`, 'Open');
    if (open) await vscode.window.showTextDocument(target);
  }

  /** Starts a run of the design (after saving the form's settings into it, when given). */
  private async startRun(session: DesignSession, formSettings?: TrainingSettings): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Training runs code, so it needs a trusted workspace. Designing works in restricted mode.');
      return;
    }
    const busy = this.service.activeRun;
    if (this.starting) return; // A second click while the first run is being set up.
    if (busy) {
      const owner = [...this.sessions.values()].find((s) => s.run === busy);
      void vscode.window.showWarningMessage(owner === session ? 'This design is already training.' : `Another design (${owner?.uri.path.split('/').pop() ?? 'unknown'}) is training: stop it first.`);
      return;
    }
    if (session.uri.scheme !== 'file') {
      void vscode.window.showWarningMessage('Training needs the design saved on disk (its runs are written beside it).');
      return;
    }
    this.starting = true;
    let text: string;
    try {
      if (formSettings) {
        const reason = await this.saveSettings(session, formSettings);
        if (reason) {
          void vscode.window.showWarningMessage(reason);
          return;
        }
      }
      text = (await this.document(session)).getText();
    } finally {
      this.starting = false;
    }
    const analysis = analyzeDocument(text);
    const design = analysis.parsed.design;
    const startedAt = Date.now();
    const tracker = new LiveRunTracker({ runId: `run-${startedAt}`, startedAt, designHash: hashText(text), settings: design?.training ?? {} }, (m) => this.onTrackerMessage(session, m));
    session.tracker = tracker;
    session.run = undefined;
    session.sentDesignChanged = false;
    this.post(session, { type: 'runStarted', run: tracker.run });
    this.statusSession = session;
    this.updateStatus(session);
    if (!design || !analysis.valid) {
      const first = analysis.diagnostics.find((d) => d.severity === 'error');
      tracker.fail({
        kind: 'design',
        title: 'The design has errors, so it cannot be trained',
        detail: first ? `${first.line ? `Line ${first.line}: ` : ''}${first.message}` : 'The file is not a design.',
        advice: 'Fix the errors the editor and the Problems panel show (most offer a quick fix), then train again.',
      });
      this.updateStatus(session);
      return;
    }
    let run: TrainingRun;
    const pytorch = await pytorchEngineSettings(session.uri);
    try {
      const storage = this.context.globalStorageUri.fsPath;
      run = this.service.start({
        design,
        designText: text,
        designPath: session.uri.fsPath,
        // The machine's setting wins over the design's: a backend is a property of the computer.
        settings: forcedBackend() ? { ...design.training, backend: forcedBackend() } : design.training,
        datasetCacheDir: join(storage, 'datasets'),
        nativeEngineFolders: [engineFolder(this.context)],
        replicas: replicaSetting(),
        pytorch,
      });
    } catch (err) {
      tracker.fail(describeTrainingError(err instanceof Error ? err.message : String(err), 'engine'));
      this.updateStatus(session);
      return;
    }
    session.run = run;
    run.onMessage((m) => tracker.onProcessMessage(m));
    this.log.appendLine(`Training ${session.uri.fsPath} (pid ${run.pid ?? '?'}).`);
    this.showProgressNotification(session, run, design.name);
    const outcome = await run.outcome;
    tracker.onOutcome(outcome);
    this.log.appendLine(`Training of ${session.uri.fsPath} ended: ${outcome.kind}${'message' in outcome ? ` (${outcome.message})` : ''}.`);
    this.updateStatus(session);
    this.post(session, { type: 'runs', runs: this.history(session) });
    const result = tracker.run.result;
    if (result?.status === 'completed' && result.test) {
      const show = await vscode.window.showInformationMessage(`${design.name}: test accuracy ${(result.test.accuracy * 100).toFixed(2)}% after ${result.epochs.length} epoch(s).`, 'Show Results');
      if (show) this.showPanel(session);
    } else if (tracker.run.error) {
      const show = await vscode.window.showErrorMessage(`${design.name}: ${tracker.run.error.title}.`, 'Show Details');
      if (show) this.showPanel(session);
    }
  }

  private onTrackerMessage(session: DesignSession, message: HostToTrainingPanelMessage): void {
    this.post(session, message);
    if (message.type === 'progress' || message.type === 'runInfo') this.updateStatus(session);
    // The new run's folder joins the history as soon as it exists.
    if (message.type === 'runInfo' && message.runFolder) this.post(session, { type: 'runs', runs: this.history(session) });
    if (message.type === 'log') this.log.appendLine(message.message);
  }

  private showProgressNotification(session: DesignSession, run: TrainingRun, designName: string): void {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Training ${designName}`, cancellable: true }, (progress, token) => {
      token.onCancellationRequested(() => void run.cancel());
      let reported = 0;
      const unsubscribe = run.onMessage((m) => {
        if (m.type === 'backend') progress.report({ message: `on ${m.backend}` });
        if (m.type !== 'progress') return;
        const fraction = runFraction(m.progress) * 100;
        progress.report({ increment: Math.max(0, fraction - reported), message: formatRunStatus(m.progress, 'running') });
        reported = Math.max(reported, fraction);
      });
      return run.outcome.finally(unsubscribe);
    });
  }

  private updateStatus(session: DesignSession): void {
    if (this.statusSession !== session) return;
    const run = session.tracker?.run;
    if (!run) {
      this.statusItem.hide();
      return;
    }
    const last = run.progress[run.progress.length - 1];
    if (run.phase === 'starting' || run.phase === 'running') {
      this.statusItem.text = `$(sync~spin) CNN ${formatRunStatus(last, run.phase)}`;
      this.statusItem.tooltip = 'Training: click to show the training panel';
      this.statusItem.backgroundColor = undefined;
    } else if (run.phase === 'completed') {
      const test = run.result?.test;
      this.statusItem.text = `$(check) CNN ${test ? `test acc ${(test.accuracy * 100).toFixed(1)}%` : 'trained'}`;
      this.statusItem.tooltip = 'Training finished: click to see the results';
      this.statusItem.backgroundColor = undefined;
    } else {
      this.statusItem.text = `$(${run.phase === 'cancelled' ? 'debug-stop' : 'error'}) CNN training ${run.phase}`;
      this.statusItem.tooltip = run.error ? `${run.error.title}: click for details` : 'Click to show the training panel';
      this.statusItem.backgroundColor = run.phase === 'cancelled' ? undefined : new vscode.ThemeColor('statusBarItem.errorBackground');
    }
    this.statusItem.show();
  }
}
