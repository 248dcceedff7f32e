import { useEffect, useRef, useState } from 'react';
import { analyzeDocument, type DocumentAnalysis } from '../../../src/core/analysis/analyzeDocument';
import { reanalyzeAfterEdit } from '../../../src/core/analysis/reanalyzeAfterEdit';
import type { EditIntention } from '../../../src/core/edit/editIntention';
import type { CanvasCommand, DiagramFormat, HostToWebviewMessage, ImportProblemView } from '../../../src/protocol/editorProtocol';
import { newRequestId, onHostMessage, postToHost } from '../vscodeApi';

/** The document as the host last sent it, analyzed once. */
export interface LoadedDocument {
  text: string;
  version: number;
  readOnly: boolean;
  /** Why edits are refused (an imported model), shown above the canvas. */
  readOnlyReason?: string;
  /** A model file shown as the design it imports as: "Save as design" instead of Train. */
  imported: boolean;
  /** The design files its blocks come from, as the host read them (by path relative to the design's folder). */
  blockFiles: ReadonlyMap<string, string>;
  result: DocumentAnalysis;
}

/** A model file that did not import, as the host reported it. */
export interface ImportFailure {
  fileName: string;
  title: string;
  problems: ImportProblemView[];
}

export interface HostEvents {
  /** A command from VS Code's menus or title bar (auto-layout, fit view...). */
  onCanvasCommand(command: CanvasCommand): void;
  /** The host did not apply an edit; `reason` says why when it told. */
  onEditRefused(reason: string | undefined): void;
  /** Something to tell the user (a read-only file). */
  onNotice(message: string): void;
}

export interface HostConnection {
  doc: LoadedDocument | undefined;
  /** Set instead of `doc` when the shown model file could not be imported. */
  failure: ImportFailure | undefined;
  /** Asks the host to apply an intention; nothing is changed here (the host sends the new document). */
  edit(intention: EditIntention): boolean;
  /** Puts text on the system clipboard (through the host). */
  writeClipboard(text: string): void;
  /** The system clipboard's text, read by the host. */
  readClipboard(): Promise<string>;
  /** Saves a diagram where the user chooses; the path, or undefined when they cancelled. */
  saveDiagram(format: DiagramFormat, data: string): Promise<string | undefined>;
}

type Reply = Extract<HostToWebviewMessage, { type: 'clipboardText' | 'diagramSaved' }>;

/**
 * The editor's side of the channel to the extension host: the document it receives, the
 * intentions it sends, and the requests answered by a reply with the same id. The listener is
 * registered once; it calls the latest `events`.
 */
export function useHostConnection(events: HostEvents): HostConnection {
  const [doc, setDoc] = useState<LoadedDocument>();
  const [failure, setFailure] = useState<ImportFailure>();
  const eventsRef = useRef(events);
  eventsRef.current = events;
  const pending = useRef(new Map<number, (reply: Reply) => void>());
  const readOnly = useRef<string | false>(false);
  readOnly.current = doc?.readOnly ? (doc.readOnlyReason ? `Read-only: ${doc.readOnlyReason}` : 'This file is read-only.') : false;

  useEffect(() => {
    const stop = onHostMessage((message) => {
      switch (message.type) {
        case 'document':
          setFailure(undefined);
          setDoc((old) => {
            const blockFiles = new Map(Object.entries(message.blockFiles ?? {}));
            const sameFiles = old !== undefined && old.blockFiles.size === blockFiles.size && [...blockFiles].every(([path, text]) => old.blockFiles.get(path) === text);
            return old && old.text === message.text && old.readOnly === message.readOnly && sameFiles
              ? old
              : {
                  text: message.text,
                  version: message.version,
                  readOnly: message.readOnly,
                  readOnlyReason: message.readOnlyReason,
                  imported: message.imported ?? false,
                  blockFiles,
                  // After an edit of one value, only what the edit reaches is analyzed again.
                  result: old && sameFiles ? reanalyzeAfterEdit(old, message.text, { blockFiles }) : analyzeDocument(message.text, { blockFiles }),
                };
          });
          return;
        case 'importFailed':
          setDoc(undefined);
          setFailure({ fileName: message.fileName, title: message.title, problems: message.problems });
          return;
        case 'editResult':
          if (!message.applied) eventsRef.current.onEditRefused(message.reason);
          return;
        case 'canvasCommand':
          eventsRef.current.onCanvasCommand(message.command);
          return;
        case 'clipboardText':
        case 'diagramSaved': {
          const resolve = pending.current.get(message.requestId);
          pending.current.delete(message.requestId);
          resolve?.(message);
          return;
        }
      }
    });
    postToHost({ type: 'ready' });
    return stop;
  }, []);

  const request = (send: (requestId: number) => void): Promise<Reply> =>
    new Promise((resolve) => {
      const requestId = newRequestId();
      pending.current.set(requestId, resolve);
      send(requestId);
    });

  // Stable functions: blocks and the inspector keep them across renders.
  const [connection] = useState(() => ({
    edit(intention: EditIntention): boolean {
      if (readOnly.current) {
        eventsRef.current.onNotice(readOnly.current);
        return false;
      }
      postToHost({ type: 'edit', requestId: newRequestId(), intention });
      return true;
    },
    writeClipboard: (text: string): void => postToHost({ type: 'clipboardWrite', text }),
    readClipboard: async (): Promise<string> => {
      const reply = await request((requestId) => postToHost({ type: 'clipboardRead', requestId }));
      return reply.type === 'clipboardText' ? reply.text : '';
    },
    saveDiagram: async (format: DiagramFormat, data: string): Promise<string | undefined> => {
      const reply = await request((requestId) => postToHost({ type: 'saveDiagram', requestId, format, data }));
      return reply.type === 'diagramSaved' ? reply.path : undefined;
    },
  }));
  return { doc, failure, ...connection };
}
