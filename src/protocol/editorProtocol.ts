/**
 * The messages between the extension host and the graph editor webview, both ways. The webview
 * starts with `ready`; the host answers with `document` and sends it again after every change of
 * the text. Requests that need a reply carry a `requestId` the reply repeats.
 */
import type { EditIntention } from '../core/edit/editIntention';

export type { EditIntention };

/** Commands the host forwards to the canvas (from the command palette or the editor title bar). */
export const CANVAS_COMMANDS = ['autoLayout', 'fitView', 'quickAdd', 'exportSvg', 'exportPng', 'makeBlock'] as const;
export type CanvasCommand = (typeof CANVAS_COMMANDS)[number];

/** Host commands the webview's toolbar may ask for. */
export const HOST_COMMANDS = ['showSummary', 'export', 'train', 'openAsText', 'saveAsDesign'] as const;
export type HostCommand = (typeof HOST_COMMANDS)[number];

export type DiagramFormat = 'svg' | 'png';

/** One reason a model file (ONNX, Keras) cannot be shown as a design, with its place in the file. */
export interface ImportProblemView {
  /** e.g. `node 12 "/layer1/Resize" (Resize)`; absent for a problem of the whole file (truncated). */
  location?: string;
  message: string;
}

export type WebviewToHostMessage =
  /** The webview has loaded and listens: send it the document. */
  | { type: 'ready' }
  /** Apply this edit to the document (one undoable WorkspaceEdit); answered with `editResult`. */
  | { type: 'edit'; requestId: number; intention: EditIntention }
  /** Run a host command on this document (Show Summary, Export, Train, Open as text, Save as design). */
  | { type: 'command'; command: HostCommand }
  /** Put this text (a copied fragment) on the system clipboard. */
  | { type: 'clipboardWrite'; text: string }
  /** Read the system clipboard; answered with `clipboardText`. */
  | { type: 'clipboardRead'; requestId: number }
  /** Save the diagram image (SVG text, or PNG as base64) where the user chooses; answered with `diagramSaved`. */
  | { type: 'saveDiagram'; requestId: number; format: DiagramFormat; data: string }
  /** Something the user should see as a VS Code notification (e.g. a refused paste). */
  | { type: 'notify'; severity: 'info' | 'warning' | 'error'; message: string };

export type HostToWebviewMessage =
  /** The whole document text and its version; sent after `ready` and after every change. */
  | {
      type: 'document';
      text: string;
      version: number;
      fileName: string;
      readOnly: boolean;
      /** Why edits are refused, shown above the canvas and when an edit is tried (absent: a read-only file system). */
      readOnlyReason?: string;
      /** The design was imported from a model file (ONNX): the editor offers "Save as design" instead of training. */
      imported?: boolean;
      /** The design files its blocks come from, by path relative to its folder (the webview cannot read files). */
      blockFiles?: Record<string, string>;
    }
  /** The model file could not be imported: shown instead of the canvas, each problem with its place. */
  | { type: 'importFailed'; fileName: string; title: string; problems: ImportProblemView[] }
  /** Outcome of an `edit` request: `applied` false with the reason when nothing was written. */
  | { type: 'editResult'; requestId: number; applied: boolean; reason?: string }
  /** A command for the canvas itself. */
  | { type: 'canvasCommand'; command: CanvasCommand }
  /** Reply to `clipboardRead`. */
  | { type: 'clipboardText'; requestId: number; text: string }
  /** Reply to `saveDiagram`: where it went, or nothing when the user cancelled. */
  | { type: 'diagramSaved'; requestId: number; path?: string };
