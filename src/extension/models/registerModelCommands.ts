import * as vscode from 'vscode';
import type { HostCommand } from '../../protocol/editorProtocol';
import { ONNX_VIEWER_VIEW_TYPE, OnnxViewerProvider, type OnnxModelDocument } from './OnnxViewerProvider';

export interface ModelCommandHooks {
  log: vscode.OutputChannel;
  /** Opens the summary table of a file (a design, or a model the viewer shows). */
  showSummary(uri: vscode.Uri): Promise<void>;
  /** The design a command applies to, or undefined after telling the user to open one. */
  needDesign(arg: unknown): vscode.Uri | undefined;
}

/**
 * Everything about model files in the editor: the read-only viewer of `.onnx` files, "Save as
 * Design", "Import ONNX / Keras Model…" and "Export to ONNX…". The commands' code loads on first use.
 * Returns the viewer, whose open models the summary documents read.
 */
export function registerModelCommands(context: vscode.ExtensionContext, hooks: ModelCommandHooks): OnnxViewerProvider {
  const { log } = hooks;
  const saveAsDesign = async (modelUri: vscode.Uri, model?: OnnxModelDocument): Promise<void> => {
    const { saveImportedDesign } = await import('./saveImportedDesign');
    await saveImportedDesign(modelUri, model?.imported);
  };

  /** The toolbar of a model's read-only editor: what applies to the design it imports as. */
  const runModelCommand = (command: HostCommand, model: OnnxModelDocument): void => {
    const run = async (): Promise<void> => {
      const text = model.imported.ok ? model.imported.designText : undefined;
      if (command === 'saveAsDesign') return saveAsDesign(model.uri, model);
      if (command === 'showSummary' && text) return hooks.showSummary(model.uri);
      if (command === 'export' && text) return (await import('../exportCommand')).exportFromCommand(model.uri, text);
      if (command === 'train') {
        const save = 'Save as Design';
        if ((await vscode.window.showInformationMessage('An ONNX model is shown read-only. Save it as a design (.cnn.json) to train it.', save)) === save) await saveAsDesign(model.uri, model);
      }
    };
    void run().catch((err: unknown) => log.appendLine(`${command} failed: ${err instanceof Error ? err.stack : String(err)}`));
  };

  const viewer = new OnnxViewerProvider(context.extensionUri, log, runModelCommand);
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(ONNX_VIEWER_VIEW_TYPE, viewer, {
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }),
    // An explorer selection, or the focused model's editor (whose import is reused).
    vscode.commands.registerCommand('cnnDesigner.saveAsDesign', async (arg: unknown) => {
      const uri = arg instanceof vscode.Uri ? arg : viewer.activeModel?.uri;
      if (!uri) void vscode.window.showInformationMessage('Open an .onnx model first.');
      else await saveAsDesign(uri, viewer.activeModel?.uri.toString() === uri.toString() ? viewer.activeModel : undefined);
    }),
    vscode.commands.registerCommand('cnnDesigner.importModel', async () => {
      const { importModelFromCommand } = await import('./importModelCommand');
      await importModelFromCommand();
    }),
    vscode.commands.registerCommand('cnnDesigner.exportOnnx', async (arg: unknown) => {
      const uri = hooks.needDesign(arg);
      if (!uri) return;
      const { exportOnnxFromCommand } = await import('./exportOnnxCommand');
      await exportOnnxFromCommand(uri);
    }),
  );
  return viewer;
}
