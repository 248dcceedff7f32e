import { totalmem } from 'node:os';
import * as vscode from 'vscode';
import type { Diagnostic } from '../core/analysis/diagnostic';
import { reanalyzeAfterEdit, type AnalyzedText } from '../core/analysis/reanalyzeAfterEdit';
import { analyzeDocument } from '../core/analysis/analyzeDocument';

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Keeps the Problems panel in step with every open `.cnn.json`, whichever editor shows it. */
export class DesignProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('cnn-designer');
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Each open design's last analysis, which the analysis after an edit starts from. */
  private readonly analyzed = new Map<string, AnalyzedText>();

  constructor() {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.update(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.collection.delete(d.uri);
        this.analyzed.delete(d.uri.toString());
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.update(d);
  }

  update(document: vscode.TextDocument): void {
    if (!document.fileName.endsWith('.cnn.json')) return;
    const key = document.uri.toString();
    const text = document.getText();
    const options = { machineMemoryBytes: totalmem() };
    const previous = this.analyzed.get(key);
    const result = previous ? reanalyzeAfterEdit(previous, text, options) : analyzeDocument(text, options);
    this.analyzed.set(key, { text, result });
    const { diagnostics } = result;
    this.collection.set(
      document.uri,
      diagnostics.map((d) => {
        // Core positions are 1-based; a diagnostic without one belongs to the top of the file.
        const line = Math.max(0, (d.line ?? 1) - 1);
        const column = Math.max(0, (d.column ?? 1) - 1);
        const start = new vscode.Position(Math.min(line, Math.max(0, document.lineCount - 1)), column);
        const range = document.getWordRangeAtPosition(start, /"(?:[^"\\]|\\.)*"|[-\w.]+|\[|\{/) ?? new vscode.Range(start, start.translate(0, 1));
        const problem = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
        problem.code = d.code;
        problem.source = 'CNN Designer';
        return problem;
      }),
    );
  }

  dispose(): void {
    this.collection.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
