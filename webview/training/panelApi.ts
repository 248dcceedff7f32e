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

/** The tab shown, kept while the panel is hidden. */
export function loadTab(): string | undefined {
  const state = vscodeApi.getState() as { tab?: unknown } | undefined;
  return typeof state?.tab === 'string' ? state.tab : undefined;
}

export function saveTab(tab: string): void {
  vscodeApi.setState({ tab });
}

export { newRequestId };
