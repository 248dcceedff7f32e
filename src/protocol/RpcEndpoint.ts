/**
 * One end of a typed request/response channel between a webview and the extension host (after
 * microsoft/vscode-hexeditor's message handler). A request carries an id and is answered by exactly
 * one reply with that id, so a caller awaits its answer instead of keeping state to match it; an
 * event is one-way. Both ends use this class; what each end may send is its side of the channel:
 * its requests, the replies each gets, and its events. Pure: the caller gives it the transport.
 */

/** Requests one end may send (a union discriminated on `type`), the reply each gets, and the events it may send. */
export interface RpcSide {
  /** A union discriminated on `type`. */
  request: { type: string };
  /** The reply to each request type, by type. */
  replies: object;
  event: unknown;
}

/** The reply a side gets to a request of type K. */
export type RpcReply<S extends RpcSide, K> = K extends keyof S['replies'] ? S['replies'][K] : never;

/** A request of one side: answered by one reply with its id. */
export interface RpcRequestEnvelope<Request> {
  rpc: 'request';
  id: number;
  request: Request;
}
/** The answer to a request: its value, or why it failed. */
export type RpcReplyEnvelope = { rpc: 'reply'; id: number; ok: true; value: unknown } | { rpc: 'reply'; id: number; ok: false; error: string };
export interface RpcEventEnvelope<Event> {
  rpc: 'event';
  event: Event;
}

/** Everything one side puts on the wire. */
export type RpcEnvelope<S extends RpcSide> = RpcRequestEnvelope<S['request']> | RpcReplyEnvelope | RpcEventEnvelope<S['event']>;

/** One handler per request type of the peer, each returning that request's reply. */
export type RpcRequestHandlers<Peer extends RpcSide> = {
  [K in Peer['request']['type']]: (request: Extract<Peer['request'], { type: K }>) => RpcReply<Peer, K> | Promise<RpcReply<Peer, K>>;
};

/** Thrown to a caller whose request the other end failed to answer. */
export class RpcRemoteError extends Error {}

export class RpcEndpoint<Own extends RpcSide, Peer extends RpcSide> {
  /**
   * Ids start at a random point: a page that reloads starts a new endpoint, and a reply the other
   * end still owes its previous page must not match one of the new page's requests.
   */
  private nextId = globalThis.crypto.getRandomValues(new Uint32Array(1))[0] * 1024;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  constructor(
    private readonly post: (envelope: RpcEnvelope<Own>) => void,
    private readonly handlers: { requests: RpcRequestHandlers<Peer>; event(event: Peer['event']): void; failed?(error: unknown, request: Peer['request']): void },
  ) {}

  /** Sends a request; resolves to the other end's reply, or rejects with its error. */
  request<R extends Own['request']>(request: R): Promise<RpcReply<Own, R['type']>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.post({ rpc: 'request', id, request });
    });
  }

  /** Sends a one-way event. */
  notify(event: Own['event']): void {
    this.post({ rpc: 'event', event });
  }

  /** Takes one envelope from the other end (checked by the caller when that end is not trusted). */
  receive(envelope: RpcEnvelope<Peer>): void {
    switch (envelope.rpc) {
      case 'event':
        this.handlers.event(envelope.event);
        return;
      case 'reply': {
        const waiting = this.pending.get(envelope.id);
        if (!waiting) return; // A reply to nothing asked (or asked by a page since reloaded).
        this.pending.delete(envelope.id);
        if (envelope.ok) waiting.resolve(envelope.value);
        else waiting.reject(new RpcRemoteError(envelope.error));
        return;
      }
      case 'request':
        void this.answer(envelope);
        return;
    }
  }

  /** Rejects every request still waiting (the other end went away). */
  dispose(): void {
    for (const waiting of this.pending.values()) waiting.reject(new RpcRemoteError('The channel closed before the reply came.'));
    this.pending.clear();
  }

  private async answer({ id, request }: RpcRequestEnvelope<Peer['request']>): Promise<void> {
    const handler = (this.handlers.requests as unknown as Record<string, ((request: Peer['request']) => unknown) | undefined>)[request.type];
    try {
      if (!handler) throw new Error(`no handler for ${request.type}`);
      const value = await handler(request);
      this.post({ rpc: 'reply', id, ok: true, value });
    } catch (error) {
      this.handlers.failed?.(error, request);
      this.post({ rpc: 'reply', id, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
