import { totalmem } from 'node:os';
import * as vscode from 'vscode';
import type { Diagnostic } from '../core/analysis/diagnostic';
import { reanalyzeAfterEdit, type AnalyzedText } from '../core/analysis/reanalyzeAfterEdit';
import { analyzeDocument } from '../core/analysis/analyzeDocument';
import { blockFileUri, readBlockFiles } from './readBlockFiles';
import { watchDesignFiles } from './watchDesignFiles';

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Keeps the Problems panel in step with every open `.cnn.json`, whichever editor shows it. */
export class DesignProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('cnn-designer');
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The files each open design takes blocks from (URIs as strings), to analyze it again when one changes. */
  private readonly blockFiles = new Map<string, Set<string>>();
  /** The latest analysis started for each design: an older one finishing late is dropped. */
  private readonly latest = new Map<string, number>();
  private started = 0;
  /** Each open design's last analysis, which the analysis after an edit starts from. */
  private readonly analyzed = new Map<string, AnalyzedText>();

  constructor() {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => void this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => void this.update(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.collection.delete(d.uri);
        this.blockFiles.delete(d.uri.toString());
        this.latest.delete(d.uri.toString());
        this.analyzed.delete(d.uri.toString());
      }),
      watchDesignFiles((changed) => {
        for (const d of vscode.workspace.textDocuments) if (this.blockFiles.get(d.uri.toString())?.has(changed.toString())) void this.update(d);
      }),
    );
    for (const d of vscode.workspace.textDocuments) void this.update(d);
  }

  async update(document: vscode.TextDocument): Promise<void> {
    if (!document.fileName.endsWith('.cnn.json')) return;
    const key = document.uri.toString();
    const run = ++this.started;
    this.latest.set(key, run);
    const text = document.getText();
    const files = await readBlockFiles(document.uri, text);
    if (this.latest.get(key) !== run || document.isClosed) return;
    const options = { machineMemoryBytes: totalmem(), blockFiles: files };
    const previous = this.analyzed.get(key);
    // After an edit of one value, only what the edit reaches is analyzed again (a design taking blocks from other files is analyzed in full).
    const result = previous ? reanalyzeAfterEdit(previous, text, options) : analyzeDocument(text, options);
    this.analyzed.set(key, { text, result });
    const { diagnostics, blockFiles } = result;
    if (blockFiles.length) this.blockFiles.set(key, new Set(blockFiles.map((path) => blockFileUri(document.uri, path).toString())));
    else this.blockFiles.delete(key);
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
