import * as vscode from 'vscode';
import { join } from 'node:path';
import { installNativeEngine } from '../../training/engine/installNativeEngine';

export const INSTALL_ENGINE_COMMAND = 'cnnDesigner.installTrainingEngine';

/** Where native engines are installed: the extension's own storage, found again by every training run. */
export const engineFolder = (context: vscode.ExtensionContext): string => join(context.globalStorageUri.fsPath, 'engines');

/**
 * Offers the native TensorFlow engines, which npm cannot bundle with the extension (their install
 * downloads libtensorflow): CUDA for NVIDIA GPUs, or the native CPU engine. Installs with progress
 * into the extension's storage; offline, it says so instead of failing obscurely.
 */
export function registerInstallEngineCommand(context: vscode.ExtensionContext, log: vscode.OutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(INSTALL_ENGINE_COMMAND, async () => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Installing a training engine runs npm: trust this workspace first.');
      return;
    }
    const choice = await vscode.window.showQuickPick(
      [
        { label: 'GPU (CUDA)', description: '@tensorflow/tfjs-node-gpu', detail: 'Trains on an NVIDIA GPU. Needs the CUDA and cuDNN versions TensorFlow 2.x expects.', gpu: true },
        { label: 'Native CPU', description: '@tensorflow/tfjs-node', detail: 'TensorFlow\'s own CPU kernels: faster than the built-in WebAssembly engine on most machines.', gpu: false },
      ],
      { title: 'Install a training engine', placeHolder: 'Which engine?' },
    );
    if (!choice) return;
    const folder = engineFolder(context);
    log.appendLine(`Installing ${choice.description} into ${folder}`);
    try {
      const installed = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Installing ${choice.label} training engine`, cancellable: true },
        (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return installNativeEngine({
            folder,
            gpu: choice.gpu,
            signal: abort.signal,
            onProgress: (line) => {
              log.appendLine(line);
              const text = line.trim();
              if (text) progress.report({ message: text.length > 80 ? `${text.slice(0, 77)}...` : text });
            },
          });
        },
      );
      void vscode.window.showInformationMessage(`${installed.packageName} ${installed.version} is installed; the next training run will try it first.`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.appendLine(`Install failed: ${message}`);
      const open = await vscode.window.showErrorMessage(`The ${choice.label} engine could not be installed: ${message} Training keeps using the built-in engine.`, 'Show Log');
      if (open) log.show();
    }
  });
}

/** The `cnnDesigner.training.replicas` setting: data-parallel copies of the model (0: one per core). */
export function replicaSetting(): number | 'auto' {
  const value = vscode.workspace.getConfiguration('cnnDesigner.training').get<number>('replicas', 0);
  return Number.isInteger(value) && value > 0 ? value : 'auto';
}

/** The backend the `cnnDesigner.training.backend` setting forces, or undefined for the automatic choice. */
export function forcedBackend(): string | undefined {
  const value = vscode.workspace.getConfiguration('cnnDesigner.training').get<string>('backend', 'auto');
  return value && value !== 'auto' ? value : undefined;
}
