import { RpcEndpoint, type RpcEnvelope } from '../../src/protocol/RpcEndpoint';
import type { HostToTrainingPanelMessage, TrainingHostSide, TrainingPanelSide } from '../../src/protocol/trainingPanelProtocol';
import { vscodeApi } from '../shared/vscodeApi';

const eventHandlers: ((event: HostToTrainingPanelMessage) => void)[] = [];

/** The panel's end of its channel to the host: requests answered by replies, and the host's events. */
const endpoint = new RpcEndpoint<TrainingPanelSide, TrainingHostSide>((envelope) => vscodeApi.postMessage(envelope), {
  requests: {},
  event: (event) => {
    for (const handler of eventHandlers) handler(event);
  },
});

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const data = event.data;
  // The host is trusted; this only skips what is not the channel's (VS Code's own messages).
  if (typeof data === 'object' && data !== null && ((data as { rpc?: unknown }).rpc === 'event' || (data as { rpc?: unknown }).rpc === 'reply')) endpoint.receive(data as RpcEnvelope<TrainingHostSide>);
});

/** Asks the host; resolves to its reply (typed by the request). */
export const host = {
  request: endpoint.request.bind(endpoint) as RpcEndpoint<TrainingPanelSide, TrainingHostSide>['request'],
};

/** Listens to what the host tells the panel unasked. */
export function onHostEvent(handler: (event: HostToTrainingPanelMessage) => void): void {
  eventHandlers.push(handler);
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

