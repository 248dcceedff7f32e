import type { Viewport } from '@xyflow/react';
import type { HostToWebviewMessage, WebviewToHostMessage } from '../../src/protocol/editorProtocol';
import { newRequestId, vscodeApi } from '../shared/vscodeApi';

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

/** The one way the editor talks to the host: typed by the shared protocol. */
export function postToHost(message: WebviewToHostMessage): void {
  vscodeApi.postMessage(message);
}

export function onHostMessage(handler: (message: HostToWebviewMessage) => void): () => void {
  const listener = (event: MessageEvent<HostToWebviewMessage>): void => handler(event.data);
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}

export function loadViewState(): EditorViewState {
  const state = vscodeApi.getState();
  return typeof state === 'object' && state !== null ? (state as EditorViewState) : {};
}

export function saveViewState(patch: Partial<EditorViewState>): void {
  vscodeApi.setState({ ...loadViewState(), ...patch });
}

export { newRequestId };
