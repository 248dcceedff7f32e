import * as vscode from 'vscode';
import type { LiveRun } from '../../protocol/trainingPanelProtocol';
import type { TrainingRun } from '../../training/service/TrainingService';
import { formatRunStatus, runFraction } from './formatRunStatus';

/** The status-bar item of the run last started (epoch, accuracy, ETA; then how it ended), which opens its panel. */
export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('cnnDesigner.training', vscode.StatusBarAlignment.Left, 50);

  constructor(command: string) {
    this.item.name = 'CNN Designer training';
    this.item.command = command;
  }

  dispose(): void {
    this.item.dispose();
  }

  show(run: LiveRun | undefined): void {
    if (!run) {
      this.item.hide();
      return;
    }
    const last = run.progress[run.progress.length - 1];
    if (run.phase === 'starting' || run.phase === 'running') {
      this.item.text = `$(sync~spin) CNN ${formatRunStatus(last, run.phase)}`;
      this.item.tooltip = 'Training: click to show the training panel';
      this.item.backgroundColor = undefined;
    } else if (run.phase === 'completed') {
      const test = run.result?.test;
      this.item.text = `$(check) CNN ${test ? `test acc ${(test.accuracy * 100).toFixed(1)}%` : 'trained'}`;
      this.item.tooltip = 'Training finished: click to see the results';
      this.item.backgroundColor = undefined;
    } else {
      this.item.text = `$(${run.phase === 'cancelled' ? 'debug-stop' : 'error'}) CNN training ${run.phase}`;
      this.item.tooltip = run.error ? `${run.error.title}: click for details` : 'Click to show the training panel';
      this.item.backgroundColor = run.phase === 'cancelled' ? undefined : new vscode.ThemeColor('statusBarItem.errorBackground');
    }
    this.item.show();
  }
}

/** The cancellable progress notification of a run, until it ends. */
export function showRunProgressNotification(run: TrainingRun, designName: string): void {
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
