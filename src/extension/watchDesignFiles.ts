import * as vscode from 'vscode';

/**
 * Calls `changed` with the URI of a `.cnn.json` file whose content changed: edited in an editor
 * (saved or not), written on disk, created or deleted. Designs taking blocks from that file are
 * analyzed again then.
 */
export function watchDesignFiles(changed: (uri: vscode.Uri) => void): vscode.Disposable {
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.cnn.json');
  const subscriptions = [
    watcher,
    watcher.onDidChange(changed),
    watcher.onDidCreate(changed),
    watcher.onDidDelete(changed),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0 && e.document.fileName.endsWith('.cnn.json')) changed(e.document.uri);
    }),
  ];
  return vscode.Disposable.from(...subscriptions);
}
