import * as vscode from 'vscode';
import type { CanvasCommand, HostCommand, HostToWebviewMessage, WebviewToHostMessage } from '../protocol/editorProtocol';
import { handleSharedEditorMessage, onEditorMessage, postToEditor, showEditorPage } from './editorWebview';
import { planDocumentEdit } from './planDocumentEdit';
import { blockFileUri, readBlockFiles } from './readBlockFiles';
import { watchDesignFiles } from './watchDesignFiles';

export const CNN_EDITOR_VIEW_TYPE = 'cnnDesigner.graphEditor';

interface OpenEditor {
  document: vscode.TextDocument;
  panel: vscode.WebviewPanel;
  /** The text (and block files) last sent to this webview, so an unchanged document is not sent twice. */
  sentText?: string;
  /** The files the design takes blocks from (URIs as strings): a change of one is sent again. */
  blockFiles: Set<string>;
  /** Counts sends: a send whose files were read after a later one started is dropped. */
  sends: number;
}

/**
 * The graph editor for `.cnn.json`. The text document stays the only source of truth: the webview
 * sends intentions, each becomes one WorkspaceEdit, and every change of the text (ours, another
 * editor's, a git checkout) is sent back to every webview showing the document.
 */
export class CnnEditorProvider implements vscode.CustomTextEditorProvider {
  private readonly editors = new Set<OpenEditor>();
  private active: OpenEditor | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.OutputChannel,
    private readonly runHostCommand: (command: HostCommand, uri: vscode.Uri) => void,
  ) {}

  /** The document of the focused graph editor, if one is focused. */
  get activeDocument(): vscode.TextDocument | undefined {
    return this.active?.document;
  }

  /** Sends a canvas command (auto-layout, fit view...) to the focused graph editor; false if none. */
  sendCanvasCommand(command: CanvasCommand): boolean {
    if (!this.active) return false;
    this.post(this.active, { type: 'canvasCommand', command });
    return true;
  }

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    showEditorPage(this.context.extensionUri, panel, document.fileName);
    const editor: OpenEditor = { document, panel, blockFiles: new Set(), sends: 0 };
    this.editors.add(editor);
    if (panel.active) this.active = editor;

    const subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === document.uri.toString() && e.contentChanges.length > 0) void this.sendDocument(editor);
      }),
      watchDesignFiles((changed) => {
        if (editor.blockFiles.has(changed.toString())) void this.sendDocument(editor);
      }),
      panel.onDidChangeViewState(() => {
        if (panel.active) this.active = editor;
        else if (this.active === editor) this.active = undefined;
      }),
      onEditorMessage(panel, this.log, (message) => this.handle(editor, message)),
    ];
    panel.onDidDispose(() => {
      this.editors.delete(editor);
      if (this.active === editor) this.active = undefined;
      for (const s of subscriptions) s.dispose();
    });
  }

  private post(editor: OpenEditor, message: HostToWebviewMessage): void {
    postToEditor(editor.panel, message);
  }

  private async sendDocument(editor: OpenEditor): Promise<void> {
    const send = ++editor.sends;
    const text = editor.document.getText();
    const files = await readBlockFiles(editor.document.uri, text);
    if (send !== editor.sends) return;
    const blockFiles: Record<string, string> = {};
    for (const [path, content] of files) if (content !== undefined) blockFiles[path] = content;
    const sent = files.size ? `${text}\u0000${JSON.stringify(blockFiles)}` : text;
    if (sent === editor.sentText) return;
    editor.sentText = sent;
    editor.blockFiles = new Set([...files.keys()].map((path) => blockFileUri(editor.document.uri, path).toString()));
    const readOnly = vscode.workspace.fs.isWritableFileSystem(editor.document.uri.scheme) === false;
    this.post(editor, { type: 'document', text, version: editor.document.version, fileName: editor.document.fileName, readOnly, ...(files.size ? { blockFiles } : {}) });
  }

  private async handle(editor: OpenEditor, message: WebviewToHostMessage): Promise<void> {
    const { document } = editor;
    switch (message.type) {
      case 'ready':
        editor.sentText = undefined;
        await this.sendDocument(editor);
        return;
      case 'edit': {
        const plan = planDocumentEdit(document.getText(), message.intention);
        if (plan.kind !== 'replace') {
          this.post(editor, { type: 'editResult', requestId: message.requestId, applied: false, reason: plan.kind === 'refused' ? plan.reason : undefined });
          if (plan.kind === 'refused') void vscode.window.showWarningMessage(plan.reason);
          return;
        }
        const edit = new vscode.WorkspaceEdit();
        for (const change of plan.changes) edit.replace(document.uri, new vscode.Range(document.positionAt(change.start), document.positionAt(change.end)), change.text);
        const applied = await vscode.workspace.applyEdit(edit);
        this.post(editor, { type: 'editResult', requestId: message.requestId, applied, reason: applied ? undefined : 'VS Code did not apply the edit (is the file read-only?).' });
        return;
      }
      case 'command':
        this.runHostCommand(message.command, document.uri);
        return;
      default:
        await handleSharedEditorMessage(editor.panel, message, document.uri);
        return;
    }
  }
}
