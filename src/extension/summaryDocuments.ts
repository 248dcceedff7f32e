import * as vscode from 'vscode';
import { analyzeDocument } from '../core/analysis/analyzeDocument';
import { readBlockFiles } from './readBlockFiles';
import { formatSummary } from '../core/summary/formatSummary';

export const SUMMARY_SCHEME = 'cnn-designer-summary';

/**
 * Read-only "Show Summary" documents: the Keras-like table of a design, recomputed whenever the
 * design's text changes. The summary's URI carries the design's URI in its query.
 */
export class SummaryDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly open = new Map<string, vscode.Uri>();
  private readonly subscription = vscode.workspace.onDidChangeTextDocument((e) => {
    const summary = this.open.get(e.document.uri.toString());
    if (summary) this.changed.fire(summary);
  });

  /** `importedDesignText`: the design an open model file (ONNX) imports as, for the summary of that file. */
  constructor(private readonly importedDesignText: (uri: vscode.Uri) => string | undefined = () => undefined) {}

  static uriFor(design: vscode.Uri): vscode.Uri {
    const name = design.path.split('/').pop()?.replace(/\.cnn\.json$/, '') ?? 'design';
    return vscode.Uri.from({ scheme: SUMMARY_SCHEME, path: `/${name} summary.txt`, query: design.toString() });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const designUri = vscode.Uri.parse(uri.query);
    this.open.set(designUri.toString(), uri);
    const text = this.importedDesignText(designUri) ?? (await vscode.workspace.openTextDocument(designUri)).getText();
    const { design, analysis, diagnostics } = analyzeDocument(text, { blockFiles: await readBlockFiles(designUri, text) });
    if (!design || !analysis) return `${designUri.fsPath}\n\n${diagnostics.map((d) => `${d.line ? `line ${d.line}, column ${d.column}: ` : ''}${d.message}`).join('\n')}\n`;
    return `${design.name}\n\n${formatSummary(design, analysis, diagnostics)}\n`;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
