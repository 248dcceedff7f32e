import * as vscode from 'vscode';
import type { HostToWebviewMessage, WebviewToHostMessage } from '../protocol/editorProtocol';
import { createNonce, editorHtml } from './editorHtml';
import { InvalidMessageError, validateWebviewMessage } from './validateWebviewMessage';

/**
 * The graph editor's webview as both of its providers use it: the `.cnn.json` editor and the
 * read-only viewer of ONNX models. The page, the check of every incoming message, and the requests
 * whose answer does not depend on where the design came from (clipboard, diagram images, notices).
 */

/** Loads the editor's page (scripts and styles from the extension's `dist/webview`) into a panel. */
export function showEditorPage(extensionUri: vscode.Uri, panel: vscode.WebviewPanel, title: string): void {
  const webviewRoot = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot, vscode.Uri.joinPath(extensionUri, 'media')] };
  panel.webview.html = editorHtml({
    cspSource: panel.webview.cspSource,
    scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'editor.js')).toString(),
    styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'editor.css')).toString(),
    nonce: createNonce(),
    title,
  });
}

/** Calls `handle` with each message from the webview that passes the checks; others are logged and dropped. */
export function onEditorMessage(panel: vscode.WebviewPanel, log: vscode.OutputChannel, handle: (message: WebviewToHostMessage) => Promise<void>): vscode.Disposable {
  return panel.webview.onDidReceiveMessage((raw: unknown) => {
    let message: WebviewToHostMessage;
    try {
      message = validateWebviewMessage(raw);
    } catch (err) {
      if (err instanceof InvalidMessageError) log.appendLine(`Ignored a malformed message from the editor: ${err.message}`);
      else throw err;
      return;
    }
    void handle(message).catch((err: unknown) => log.appendLine(`Editor message failed: ${err instanceof Error ? err.stack : String(err)}`));
  });
}

export function postToEditor(panel: vscode.WebviewPanel, message: HostToWebviewMessage): void {
  void panel.webview.postMessage(message);
}

/**
 * Answers the requests that are the same whatever file the editor shows; false for the others.
 * `fileUri` is the shown file, beside which a diagram image is proposed.
 */
export async function handleSharedEditorMessage(panel: vscode.WebviewPanel, message: WebviewToHostMessage, fileUri: vscode.Uri): Promise<boolean> {
  switch (message.type) {
    case 'clipboardWrite':
      await vscode.env.clipboard.writeText(message.text);
      return true;
    case 'clipboardRead':
      postToEditor(panel, { type: 'clipboardText', requestId: message.requestId, text: await vscode.env.clipboard.readText() });
      return true;
    case 'saveDiagram': {
      const base = fileUri.path.replace(/\.(cnn\.json|onnx)$/i, '');
      const target = await vscode.window.showSaveDialog({
        defaultUri: fileUri.with({ path: `${base}.${message.format}` }),
        filters: message.format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      });
      if (target) {
        const bytes = message.format === 'svg' ? new TextEncoder().encode(message.data) : Buffer.from(message.data, 'base64');
        await vscode.workspace.fs.writeFile(target, bytes);
      }
      postToEditor(panel, { type: 'diagramSaved', requestId: message.requestId, path: target?.fsPath });
      return true;
    }
    case 'notify': {
      const show = message.severity === 'error' ? vscode.window.showErrorMessage : message.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      void show(message.message);
      return true;
    }
    default:
      return false;
  }
}
