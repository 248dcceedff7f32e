import * as vscode from 'vscode';
import type { HostCommand } from '../protocol/editorProtocol';
import { CNN_EDITOR_VIEW_TYPE, CnnEditorProvider } from './cnnEditorProvider';
import { DesignProblems } from './designProblems';
import { SummaryDocuments, SUMMARY_SCHEME } from './summaryDocuments';
import { newDesignFromTemplate } from './newDesignFromTemplate';
import { TrainingController } from './training/TrainingController';
import { registerModelCommands } from './models/registerModelCommands';

/** The command the training part of the extension registers; the editor's Train button forwards to it. */
const TRAIN_COMMAND = 'cnnDesigner.train';

/**
 * Activated lazily (opening a `.cnn.json` in the graph editor or running a command). Imports
 * nothing heavy: the core is pure TypeScript, and training lives behind its own command.
 */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('CNN Designer');
  const summaries = new SummaryDocuments((uri) => onnxViewer.importedDesignText(uri));

  /** The design a command applies to: an explorer selection, the focused graph editor, or the active text editor. */
  const targetUri = (arg: unknown): vscode.Uri | undefined => {
    if (arg instanceof vscode.Uri) return arg;
    if (provider.activeDocument) return provider.activeDocument.uri;
    const text = vscode.window.activeTextEditor?.document;
    return text?.fileName.endsWith('.cnn.json') ? text.uri : undefined;
  };
  const needDesign = (arg: unknown): vscode.Uri | undefined => {
    const uri = targetUri(arg);
    if (!uri) void vscode.window.showInformationMessage('Open a .cnn.json design first.');
    return uri;
  };

  const showSummary = async (uri: vscode.Uri): Promise<void> => {
    const doc = await vscode.workspace.openTextDocument(SummaryDocuments.uriFor(uri));
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  };
  const train = async (uri: vscode.Uri): Promise<void> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Training runs code, so it needs a trusted workspace. Designing works in restricted mode.');
      return;
    }
    if ((await vscode.commands.getCommands(true)).includes(TRAIN_COMMAND)) await vscode.commands.executeCommand(TRAIN_COMMAND, uri);
    else void vscode.window.showInformationMessage('Training is not available in this version of CNN Designer.');
  };
  const exportCode = async (uri: vscode.Uri): Promise<void> => {
    const { exportFromCommand } = await import('./exportCommand');
    await exportFromCommand(uri);
  };
  const openAsText = async (uri: vscode.Uri): Promise<void> => {
    await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
  };

  const runHostCommand = (command: HostCommand, uri: vscode.Uri): void => {
    // "Save as design" belongs to an ONNX model's editor; a design is one already.
    const run: Record<HostCommand, (u: vscode.Uri) => Promise<void>> = { showSummary, train, export: exportCode, openAsText, saveAsDesign: async () => undefined };
    void run[command](uri).catch((err: unknown) => log.appendLine(`${command} failed: ${err instanceof Error ? err.stack : String(err)}`));
  };
  const provider = new CnnEditorProvider(context, log, runHostCommand);

  const onnxViewer = registerModelCommands(context, { log, showSummary, needDesign });
  const canvas = (command: 'autoLayout' | 'fitView' | 'exportSvg' | 'exportPng' | 'makeBlock') => (): void => {
    if (!provider.sendCanvasCommand(command)) void vscode.window.showInformationMessage('Focus a CNN design in the graph editor first.');
  };

  context.subscriptions.push(
    log,
    new TrainingController(context, log),
    summaries,
    new DesignProblems(),
    vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, summaries),
    vscode.window.registerCustomEditorProvider(CNN_EDITOR_VIEW_TYPE, provider, {
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.commands.registerCommand('cnnDesigner.newDesign', () => newDesignFromTemplate(context.extensionUri)),
    vscode.commands.registerCommand('cnnDesigner.showSummary', async (arg: unknown) => {
      const uri = needDesign(arg);
      if (uri) await showSummary(uri);
    }),
    vscode.commands.registerCommand('cnnDesigner.export', async (arg: unknown) => {
      const uri = needDesign(arg);
      if (uri) await exportCode(uri);
    }),
    vscode.commands.registerCommand('cnnDesigner.openAsText', async (arg: unknown) => {
      const uri = needDesign(arg);
      if (uri) await openAsText(uri);
    }),
    vscode.commands.registerCommand('cnnDesigner.openGraphEditor', async (arg: unknown) => {
      const uri = needDesign(arg);
      if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, CNN_EDITOR_VIEW_TYPE);
    }),
    vscode.commands.registerCommand('cnnDesigner.autoLayout', canvas('autoLayout')),
    vscode.commands.registerCommand('cnnDesigner.fitView', canvas('fitView')),
    vscode.commands.registerCommand('cnnDesigner.exportDiagramSvg', canvas('exportSvg')),
    vscode.commands.registerCommand('cnnDesigner.exportDiagramPng', canvas('exportPng')),
    vscode.commands.registerCommand('cnnDesigner.makeBlock', canvas('makeBlock')),
  );
}

export function deactivate(): void {}
