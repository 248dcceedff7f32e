/**
 * Plays the extension host's side of the editor protocol in a plain page, so the real webview
 * bundle can be driven in Chromium: it keeps the document text, turns edit intentions into new
 * text with the host's own document logic, and records every message the editor sends.
 */
import { planDocumentEdit } from '../../src/extension/planDocumentEdit';
import { validateWebviewMessage } from '../../src/extension/validateWebviewMessage';
import type { HostToWebviewMessage, WebviewToHostMessage } from '../../src/protocol/editorProtocol';

export interface EditorHarness {
  /** Every message the editor sent, validated as the host validates it. */
  sent: WebviewToHostMessage[];
  /** Messages that failed validation (must stay empty). */
  rejected: string[];
  /** Replaces the document, as an external edit (another editor, git) would. */
  load(text: string): void;
  text(): string;
  version(): number;
  clipboard: string;
  /** Sends any host message to the editor. */
  send(message: HostToWebviewMessage): void;
}

const STATE_KEY = 'cnn-designer-harness-state';
let text = '';
let version = 0;
let ready = false;

const send = (message: HostToWebviewMessage): void => window.postMessage(message, '*');
const sendDocument = (): void => send({ type: 'document', text, version, fileName: 'design.cnn.json', readOnly: false });

const harness: EditorHarness = {
  sent: [],
  rejected: [],
  clipboard: '',
  load(next: string) {
    text = next;
    version++;
    if (ready) sendDocument();
  },
  text: () => text,
  version: () => version,
  send,
};

function receive(raw: unknown): void {
  let message: WebviewToHostMessage;
  try {
    // Structured cloning on the way, like the real webview channel.
    message = validateWebviewMessage(JSON.parse(JSON.stringify(raw)));
  } catch (err) {
    harness.rejected.push(String(err));
    return;
  }
  harness.sent.push(message);
  switch (message.type) {
    case 'ready':
      ready = true;
      sendDocument();
      return;
    case 'edit': {
      const plan = planDocumentEdit(text, message.intention);
      if (plan.kind === 'replace') {
        text = plan.newText;
        version++;
        sendDocument();
      }
      send({ type: 'editResult', requestId: message.requestId, applied: plan.kind === 'replace', reason: plan.kind === 'refused' ? plan.reason : undefined });
      return;
    }
    case 'clipboardWrite':
      harness.clipboard = message.text;
      return;
    case 'clipboardRead':
      send({ type: 'clipboardText', requestId: message.requestId, text: harness.clipboard });
      return;
    case 'saveDiagram':
      send({ type: 'diagramSaved', requestId: message.requestId, path: `diagram.${message.format}` });
      return;
    default:
      return;
  }
}

declare global {
  interface Window {
    harness: EditorHarness;
    acquireVsCodeApi: () => { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void };
  }
}

window.harness = harness;
window.acquireVsCodeApi = () => ({
  postMessage: (message: unknown) => setTimeout(() => receive(message), 0),
  getState: () => {
    const stored = sessionStorage.getItem(STATE_KEY);
    return stored ? JSON.parse(stored) : undefined;
  },
  setState: (state: unknown) => sessionStorage.setItem(STATE_KEY, JSON.stringify(state)),
});
