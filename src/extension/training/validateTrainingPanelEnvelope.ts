import type { RpcRequestEnvelope } from '../../protocol/RpcEndpoint';
import type { TrainingPanelToHostMessage } from '../../protocol/trainingPanelProtocol';
import { InvalidPanelMessageError, validateTrainingPanelMessage } from './validateTrainingPanelMessage';

/**
 * Checks what the training panel (untrusted) put on the channel: only requests, each with a
 * non-negative integer id and a request validateTrainingPanelMessage accepts. Throws InvalidPanelMessageError.
 */
export function validateTrainingPanelEnvelope(raw: unknown): RpcRequestEnvelope<TrainingPanelToHostMessage> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidPanelMessageError('message must be an object');
  const envelope = raw as Record<string, unknown>;
  if (envelope.rpc !== 'request') throw new InvalidPanelMessageError('rpc must be "request" (the panel only asks)');
  for (const key of Object.keys(envelope)) if (!['rpc', 'id', 'request'].includes(key)) throw new InvalidPanelMessageError(`${key} must be absent (unknown field)`);
  if (!Number.isSafeInteger(envelope.id) || (envelope.id as number) < 0) throw new InvalidPanelMessageError('id must be a non-negative integer');
  return { rpc: 'request', id: envelope.id as number, request: validateTrainingPanelMessage(envelope.request) };
}
