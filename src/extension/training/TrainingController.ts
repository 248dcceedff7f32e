import * as vscode from 'vscode';
import { join } from 'node:path';
import type { TrainingSettings } from '../../core/design';
import { RunFolders } from '../../runs/RunFolders';
import { probeEnginesInProcess } from '../../training/service/probeEnginesInProcess';
import { TrainingService } from '../../training/service/TrainingService';
import type { DesignSession } from './DesignSession';
import { EngineProbeCache } from './EngineProbeCache';
import { engineFolder, registerInstallEngineCommand } from './installEngineCommand';
import { RunLauncher } from './RunLauncher';
import { RunStatusBar } from './RunStatusBar';
import { runDesignText } from './runDesignText';
import { TRAINING_PANEL_VIEW_TYPE, TrainingPanelHost } from './TrainingPanelHost';
import { trainingPanelInit, trainingPanelRequests } from './trainingPanelRequests';

export { TRAINING_PANEL_VIEW_TYPE } from './TrainingPanelHost';

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

/**
 * Training in the editor, wired together: the Train and Show commands, one session per design
 * (DesignSession), its panel (TrainingPanelHost, answering with trainingPanelRequests), runs
 * (RunLauncher, through the TrainingService; TF.js never loads in the extension host) and the
 * status bar (RunStatusBar).
 */
export class TrainingController implements vscode.Disposable {
  private readonly service: TrainingService;
  private readonly sessions = new Map<string, DesignSession>();
  private readonly statusBar = new RunStatusBar(SHOW_TRAINING_PANEL_COMMAND);
  private readonly launcher: RunLauncher;
  /** The machine's engines, probed once (in a training process) for every design's panel. */
  private readonly engineProbes: EngineProbeCache;
  private readonly disposables: vscode.Disposable[] = [];
  /** The session of the run last started: what the status-bar item opens. */
  private statusSession: DesignSession | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.OutputChannel,
  ) {
    const processScript = join(context.extensionPath, 'dist', 'trainingProcess.js');
    this.service = new TrainingService({ processScript });
    this.engineProbes = new EngineProbeCache((options) => probeEnginesInProcess(options, processScript));
    this.launcher = new RunLauncher(context, this.service, this.statusBar, log, (run) => [...this.sessions.values()].find((s) => s.run === run), (session) => this.showPanel(session));
    this.disposables.push(
      this.statusBar,
      registerInstallEngineCommand(context, log),
      vscode.commands.registerCommand('cnnDesigner.train', (arg: unknown) => {
        const uri = designUri(arg);
        if (uri) return this.train(uri);
        void vscode.window.showInformationMessage('Open a .cnn.json design first.');
        return undefined;
      }),
      vscode.commands.registerCommand(SHOW_TRAINING_PANEL_COMMAND, (arg: unknown) => {
        const uri = designUri(arg);
        const session = (uri && this.sessions.get(uri.toString())) ?? this.statusSession ?? (uri ? this.session(uri) : undefined);
        if (session) this.showPanel(session);
        else void vscode.window.showInformationMessage('Open a .cnn.json design first.');
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const session = this.sessions.get(e.document.uri.toString());
        // Compared with the run as the run keeps it: with the blocks the design takes from other files.
        if (!session?.panel || e.contentChanges.length === 0) return;
        const version = e.document.version;
        void runDesignText(e.document.uri, e.document.getText()).then((text) => {
          if (e.document.version === version) session.panel?.designTextChanged(text);
        });
      }),
      vscode.window.registerWebviewPanelSerializer(TRAINING_PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => this.restorePanel(panel, state),
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        for (const session of this.sessions.values()) void session.panel?.restart();
      }),
    );
  }

  dispose(): void {
    // Closing the window ends the run: the process also exits when its parent disconnects.
    void this.service.cancelActive();
    for (const session of this.sessions.values()) session.panel?.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }

  /** The Train command: shows the panel beside the design and starts a run with the design's settings. */
  async train(uri: vscode.Uri): Promise<void> {
    const session = this.session(uri);
    this.showPanel(session);
    if (session.tracker && !session.tracker.finished) return; // Already training this design: showing it is enough.
    await this.startRun(session);
  }

  private startRun(session: DesignSession, settings?: TrainingSettings): Promise<void> {
    this.statusSession = session;
    return this.launcher.start(session, settings);
  }

  private session(uri: vscode.Uri): DesignSession {
    const key = uri.toString();
    let session = this.sessions.get(key);
    if (!session) {
      session = { uri, runFolders: uri.scheme === 'file' ? new RunFolders(uri.fsPath, () => vscode.workspace.isTrusted) : undefined };
      this.sessions.set(key, session);
    }
    return session;
  }

  private showPanel(session: DesignSession): void {
    if (session.panel) {
      session.panel.panel.reveal(undefined, true);
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

  /** Gives a panel its page and channel, wired to the design's session. Closing it does not stop the run. */
  private attachPanel(session: DesignSession, panel: vscode.WebviewPanel): void {
    const host = new TrainingPanelHost(
      panel,
      this.context.extensionUri,
      session.uri,
      {
        initState: () => trainingPanelInit(session),
        shownRunDesignHash: () => session.tracker?.run.designHash,
        requests: trainingPanelRequests(session, {
          extensionPath: this.context.extensionPath,
          startRun: (s, settings) => this.startRun(s, settings),
          engineProbes: this.engineProbes,
          nativeEngineFolders: [engineFolder(this.context)],
        }),
      },
      this.log,
    );
    session.panel = host;
    panel.onDidDispose(() => {
      host.dispose();
      if (session.panel === host) session.panel = undefined;
    });
  }
}
