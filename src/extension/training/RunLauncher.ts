import * as vscode from 'vscode';
import { join } from 'node:path';
import type { TrainingSettings } from '../../core/design';
import { describeTrainingError } from '../../runs/describeTrainingError';
import { LiveRunTracker } from '../../runs/LiveRunTracker';
import type { RunEvent } from '../../protocol/trainingPanelProtocol';
import type { TrainingRun, TrainingService } from '../../training/service/TrainingService';
import { hashText } from '../../training/trainer/runFolder';
import { runDesignText } from './runDesignText';
import { analyzeDocument } from '../../core/analysis/analyzeDocument';
import { readBlockFiles } from '../readBlockFiles';
import { liveRunFolder, type DesignSession } from './DesignSession';
import { engineFolder, forcedBackend, replicaSetting } from './installEngineCommand';
import { pytorchEngineSettings } from './pytorchEngineSettings';
import { showRunProgressNotification, type RunStatusBar } from './RunStatusBar';
import { saveTrainingSettings } from './saveTrainingSettings';

/**
 * Starts a design's run from the editor: checks trust and that nothing else trains, writes the
 * form's settings, refuses a design with errors, launches the process through the training service
 * and keeps the session's view of the run (LiveRunTracker) fed, telling the panel and the status bar.
 */
export class RunLauncher {
  /** True while a run is being set up (settings written, text read), before the service has it. */
  private starting = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly service: TrainingService,
    private readonly statusBar: RunStatusBar,
    private readonly log: vscode.OutputChannel,
    /** Which design's session holds a run (to name it when another design asks). */
    private readonly ownerOf: (run: TrainingRun) => DesignSession | undefined,
    /** Shows the session's panel (from the end-of-run notifications). */
    private readonly showPanel: (session: DesignSession) => void,
  ) {}

  /** Starts a run of the design (after saving the form's settings into it, when given). */
  async start(session: DesignSession, formSettings?: TrainingSettings): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Training runs code, so it needs a trusted workspace. Designing works in restricted mode.');
      return;
    }
    if (this.starting) return; // A second click while the first run is being set up.
    const busy = this.service.activeRun;
    if (busy) {
      const owner = this.ownerOf(busy);
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
        const reason = await saveTrainingSettings(session.uri, formSettings);
        if (reason) {
          void vscode.window.showWarningMessage(reason);
          return;
        }
      }
      text = (await vscode.workspace.openTextDocument(session.uri)).getText();
    } finally {
      this.starting = false;
    }
    // With the blocks it takes from other files; the run keeps that whole design, so it stands on its own.
    const analysis = analyzeDocument(text, { blockFiles: await readBlockFiles(session.uri, text) });
    const design = analysis.design;
    const runText = await runDesignText(session.uri, text);
    const startedAt = Date.now();
    const tracker = new LiveRunTracker({ runId: `run-${startedAt}`, startedAt, designHash: hashText(runText), settings: design?.training ?? {} }, (event) => this.onRunEvent(session, event));
    session.tracker = tracker;
    session.run = undefined;
    session.panel?.runStarted({ type: 'runStarted', run: tracker.run });
    this.statusBar.show(tracker.run);
    if (!design || !analysis.valid) {
      const first = analysis.diagnostics.find((d) => d.severity === 'error');
      tracker.fail({
        kind: 'design',
        title: 'The design has errors, so it cannot be trained',
        detail: first ? `${first.line ? `Line ${first.line}: ` : ''}${first.message}` : 'The file is not a design.',
        advice: 'Fix the errors the editor and the Problems panel show (most offer a quick fix), then train again.',
      });
      return;
    }
    let run: TrainingRun;
    const pytorch = await pytorchEngineSettings(session.uri);
    try {
      run = this.service.start({
        design,
        designText: runText,
        designPath: session.uri.fsPath,
        // The machine's setting wins over the design's: a backend is a property of the computer.
        settings: forcedBackend() ? { ...design.training, backend: forcedBackend() } : design.training,
        datasetCacheDir: join(this.context.globalStorageUri.fsPath, 'datasets'),
        nativeEngineFolders: [engineFolder(this.context)],
        replicas: replicaSetting(),
        pytorch,
      });
    } catch (err) {
      tracker.fail(describeTrainingError(err instanceof Error ? err.message : String(err), 'engine'));
      return;
    }
    session.run = run;
    run.onMessage((m) => tracker.onProcessMessage(m));
    this.log.appendLine(`Training ${session.uri.fsPath} (pid ${run.pid ?? '?'}).`);
    showRunProgressNotification(run, design.name);
    const outcome = await run.outcome;
    tracker.onOutcome(outcome);
    this.log.appendLine(`Training of ${session.uri.fsPath} ended: ${outcome.kind}${'message' in outcome ? ` (${outcome.message})` : ''}.`);
    this.tellHistory(session);
    const result = tracker.run.result;
    if (result?.status === 'completed' && result.test) {
      const show = await vscode.window.showInformationMessage(`${design.name}: test accuracy ${(result.test.accuracy * 100).toFixed(2)}% after ${result.epochs.length} epoch(s).`, 'Show Results');
      if (show) this.showPanel(session);
    } else if (tracker.run.error) {
      const show = await vscode.window.showErrorMessage(`${design.name}: ${tracker.run.error.title}.`, 'Show Details');
      if (show) this.showPanel(session);
    }
  }

  private onRunEvent(session: DesignSession, event: RunEvent): void {
    session.panel?.notify(event);
    if (event.type === 'log') this.log.appendLine(event.message);
    if (event.type !== 'log' && event.type !== 'epoch') this.statusBar.show(session.tracker?.run);
    // The new run's folder joins the history as soon as it exists.
    if (event.type === 'runInfo' && event.runFolder) this.tellHistory(session);
  }

  private tellHistory(session: DesignSession): void {
    if (session.runFolders) session.panel?.notify({ type: 'runs', runs: session.runFolders.history(liveRunFolder(session)) });
  }
}
