import type { Viewport } from '@xyflow/react';
import type { HostToWebviewMessage, WebviewToHostMessage } from '../../src/protocol/editorProtocol';

/** What the editor keeps across being hidden and shown again (VS Code's webview state). */
export interface EditorViewState {
  viewport?: Viewport;
  heatmap?: HeatmapMode;
  budgets?: Budgets;
  whatIfShape?: number[];
  showEdgeShapes?: boolean;
}

export type HeatmapMode = 'off' | 'params' | 'macs';

export interface Budgets {
  maxParams?: number;
  maxMacs?: number;
  /** Weights plus one sample's activations, bytes. */
  maxMemoryBytes?: number;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = acquireVsCodeApi();

/** The one way the editor talks to the host: typed by the shared protocol. */
export function postToHost(message: WebviewToHostMessage): void {
  api.postMessage(message);
}

export function onHostMessage(handler: (message: HostToWebviewMessage) => void): () => void {
  const listener = (event: MessageEvent<HostToWebviewMessage>): void => handler(event.data);
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}

export function loadViewState(): EditorViewState {
  const state = api.getState();
  return typeof state === 'object' && state !== null ? (state as EditorViewState) : {};
}

export function saveViewState(patch: Partial<EditorViewState>): void {
  api.setState({ ...loadViewState(), ...patch });
}

let nextRequestId = 1;
/** A fresh id for a request whose reply must be matched to it. */
export const newRequestId = (): number => nextRequestId++;
