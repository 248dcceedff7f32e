import * as vscode from 'vscode';
import { parseDesign } from '../../core/format/parseDesign';
import { RpcEndpoint, type RpcRequestHandlers } from '../../protocol/RpcEndpoint';
import type { HostToTrainingPanelMessage, TrainingHostSide, TrainingPanelInit, TrainingPanelSide } from '../../protocol/trainingPanelProtocol';
import { hashText as hashOf } from '../../training/trainer/runFolder';
import { createNonce } from '../editorHtml';
import { trainingPanelHtml } from './trainingPanelHtml';
import { InvalidPanelMessageError } from './validateTrainingPanelMessage';
import { validateTrainingPanelEnvelope } from './validateTrainingPanelEnvelope';

export const TRAINING_PANEL_VIEW_TYPE = 'cnnDesigner.trainingPanel';

/** What a panel host needs from its design's session. */
export interface TrainingPanelSource {
  /** Everything the panel shows (the reply to its `ready`). */
  initState(): Promise<TrainingPanelInit>;
  /** The hash of the design text the shown run trains, if a run is shown. */
  shownRunDesignHash(): string | undefined;
  /** The panel's requests other than the handshake. */
  requests: Omit<RpcRequestHandlers<TrainingPanelSide>, 'ready'>;
}

/**
 * One open training panel: its page, its end of the channel and what it was last told. Events wait
 * for the `ready` handshake (before it the page is not listening, and its reply carries the whole
 * state); every message from the page is validated before a handler sees it.
 */
export class TrainingPanelHost implements vscode.Disposable {
  private readonly endpoint: RpcEndpoint<TrainingHostSide, TrainingPanelSide>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private ready = false;
  /** What was last told to the panel, so unchanged state is not resent on every keystroke. */
  private told: { designChanged?: boolean; settings?: string } = {};

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    designUri: vscode.Uri,
    private readonly source: TrainingPanelSource,
    private readonly log: vscode.OutputChannel,
  ) {
    const root = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    const name = designUri.path.split('/').pop() ?? 'design';
    panel.webview.html = trainingPanelHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'training.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'training.css')).toString(),
      nonce: createNonce(),
      title: `Train ${name}`,
    });
    this.endpoint = new RpcEndpoint<TrainingHostSide, TrainingPanelSide>((envelope) => void panel.webview.postMessage(envelope), {
      requests: {
        ...source.requests,
        ready: async () => {
          // A reloaded page starts over: everything it shows comes with this reply, events after it.
          const init = await this.source.initState();
          this.noteTold(init);
          this.ready = true;
          return init;
        },
      },
      event: () => undefined,
      failed: (error, request) => this.log.appendLine(`Training panel request ${request.type} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    });
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        try {
          this.endpoint.receive(validateTrainingPanelEnvelope(raw));
        } catch (err) {
          if (!(err instanceof InvalidPanelMessageError)) throw err;
          this.log.appendLine(`Ignored a malformed message from the training panel: ${err.message}`);
        }
      }),
    );
  }

  dispose(): void {
    this.endpoint.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  /** Tells the panel something (dropped before the handshake: the reply to `ready` carries the state then). */
  notify(event: HostToTrainingPanelMessage): void {
    if (this.ready) this.endpoint.notify(event);
  }

  /** Sends the whole state again (workspace trust was granted). */
  async restart(): Promise<void> {
    if (!this.ready) return;
    const init = await this.source.initState();
    this.noteTold(init);
    this.notify({ type: 'init', ...init });
  }

  /** The design's text changed: tells the panel whether it differs from the shown run's, and its new settings. */
  designTextChanged(text: string): void {
    const hash = this.source.shownRunDesignHash();
    const changed = hash !== undefined && hashOf(text) !== hash;
    if (changed !== this.told.designChanged) {
      this.told.designChanged = changed;
      this.notify({ type: 'designChanged', changed });
    }
    const training = parseDesign(text).design?.training;
    const settings = training === undefined ? undefined : JSON.stringify(training);
    if (training && settings !== this.told.settings) {
      this.told.settings = settings;
      this.notify({ type: 'settings', settings: training });
    }
  }

  /** A new run: the panel shows it in place of the last one (its design is the current text). */
  runStarted(event: Extract<HostToTrainingPanelMessage, { type: 'runStarted' }>): void {
    this.told.designChanged = false;
    this.notify(event);
  }

  private noteTold(init: TrainingPanelInit): void {
    this.told = { designChanged: init.designChanged, settings: JSON.stringify(init.settings) };
  }
}
