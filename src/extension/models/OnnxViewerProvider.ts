import * as vscode from 'vscode';
import type { HostCommand } from '../../protocol/editorProtocol';
import { handleSharedEditorMessage, onEditorMessage, postToEditor, showEditorPage } from '../editorWebview';
import { IMPORTED_READ_ONLY_REASON, importedModelMessage, type ImportedModel } from './importModelFile';
import { importModelAt } from './saveImportedDesign';

export const ONNX_VIEWER_VIEW_TYPE = 'cnnDesigner.onnxViewer';

/** An opened `.onnx` file: what it imports as, read again when the file changes on disk. */
export class OnnxModelDocument implements vscode.CustomDocument {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after `imported` was replaced by a new reading of the file. */
  readonly onDidChange = this.changed.event;
  /** Counts readings of the file: the editor's document version. */
  version = 1;
  private readonly watcher: vscode.FileSystemWatcher;

  constructor(
    readonly uri: vscode.Uri,
    public imported: ImportedModel,
    private readonly onDispose: () => void,
  ) {
    const slash = uri.path.lastIndexOf('/');
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(uri.with({ path: uri.path.slice(0, slash) }), uri.path.slice(slash + 1)));
    const reload = async (): Promise<void> => {
      this.imported = await importModelAt(uri);
      this.version++;
      this.changed.fire();
    };
    this.watcher.onDidChange(reload);
    this.watcher.onDidCreate(reload);
  }

  /** Called by VS Code once no editor shows the model any more. */
  dispose(): void {
    this.onDispose();
    this.watcher.dispose();
    this.changed.dispose();
  }
}

/**
 * Opens `.onnx` files in the graph editor, read-only: the model is imported in the extension host
 * with the core importer (`cnn-designer import`'s), and the editor shows the design it imports as,
 * with every annotation a design gets (shapes, parameters, MACs, receptive field, heat map). Edits
 * are refused with the reason; "Save as design" writes a `.cnn.json` to edit. A file that does not
 * import (an unsupported operator, a truncated file) shows its problems, each with its place.
 *
 * It is the default editor for `*.onnx` (package.json): VS Code has no other view of the binary
 * file than "cannot be displayed", so a user who installed a CNN designer and opens a model expects
 * to see it; "Reopen Editor With…" still offers VS Code's own editor.
 */
export class OnnxViewerProvider implements vscode.CustomReadonlyEditorProvider<OnnxModelDocument> {
  private readonly documents = new Set<OnnxModelDocument>();
  private active: OnnxModelDocument | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.OutputChannel,
    private readonly runHostCommand: (command: HostCommand, model: OnnxModelDocument) => void,
  ) {}

  /** The model of the focused viewer, if one is focused. */
  get activeModel(): OnnxModelDocument | undefined {
    return this.active;
  }

  /** The design text an open model imports as (for its summary), if that model is open and imports. */
  importedDesignText(uri: vscode.Uri): string | undefined {
    const model = [...this.documents].find((d) => d.uri.toString() === uri.toString());
    return model?.imported.ok ? model.imported.designText : undefined;
  }

  async openCustomDocument(uri: vscode.Uri): Promise<OnnxModelDocument> {
    const started = Date.now();
    const document = new OnnxModelDocument(uri, await importModelAt(uri), () => this.documents.delete(document));
    const { imported } = document;
    this.log.appendLine(`Opened ${uri.fsPath || uri.toString()} in ${Date.now() - started} ms: ${imported.ok ? `${imported.design.nodes.length} layers${imported.notes.length ? `; ${imported.notes.join(' ')}` : ''}` : imported.title}`);
    this.documents.add(document);
    return document;
  }

  resolveCustomEditor(document: OnnxModelDocument, panel: vscode.WebviewPanel): void {
    showEditorPage(this.extensionUri, panel, document.uri.path.slice(document.uri.path.lastIndexOf('/') + 1));
    if (panel.active) this.active = document;
    const send = (): void => postToEditor(panel, importedModelMessage(document.imported, document.uri.fsPath || document.uri.path, document.version));
    const subscriptions = [
      document.onDidChange(send),
      panel.onDidChangeViewState(() => {
        if (panel.active) this.active = document;
        else if (this.active === document) this.active = undefined;
      }),
      onEditorMessage(panel, this.log, async (message) => {
        switch (message.type) {
          case 'ready':
            send();
            return;
          case 'edit':
            // The webview refuses edits itself; this answers one that comes anyway.
            postToEditor(panel, { type: 'editResult', requestId: message.requestId, applied: false, reason: `Read-only: ${IMPORTED_READ_ONLY_REASON}` });
            return;
          case 'command':
            this.runHostCommand(message.command, document);
            return;
          default:
            await handleSharedEditorMessage(panel, message, document.uri);
        }
      }),
    ];
    panel.onDidDispose(() => {
      if (this.active === document) this.active = undefined;
      for (const s of subscriptions) s.dispose();
    });
  }
}
