import type { HostToTrainingPanelMessage, TrainingPanelToHostMessage } from '../../src/protocol/trainingPanelProtocol';
import { newRequestId, vscodeApi } from '../shared/vscodeApi';

/** The one way the panel talks to the host: typed by the shared protocol. */
export function postToHost(message: TrainingPanelToHostMessage): void {
  vscodeApi.postMessage(message);
}

export function onHostMessage(handler: (message: HostToTrainingPanelMessage) => void): void {
  window.addEventListener('message', (event: MessageEvent<HostToTrainingPanelMessage>) => {
    if (typeof event.data === 'object' && event.data !== null && typeof event.data.type === 'string') handler(event.data);
  });
}

/** What the panel keeps across hiding and window reloads: the tab shown, and its design (so VS Code can restore it after a reload). */
interface PanelState {
  tab?: string;
  designUri?: string;
}

function panelState(): PanelState {
  const state = vscodeApi.getState() as PanelState | undefined;
  return typeof state === 'object' && state !== null ? state : {};
}

export function loadTab(): string | undefined {
  const tab = panelState().tab;
  return typeof tab === 'string' ? tab : undefined;
}

export function saveTab(tab: string): void {
  vscodeApi.setState({ ...panelState(), tab });
}

export function saveDesignUri(designUri: string): void {
  vscodeApi.setState({ ...panelState(), designUri });
}

export { newRequestId };
