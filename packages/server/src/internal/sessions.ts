import { randomUUID } from 'node:crypto';
import {
  WebStandardStreamableHTTPServerTransport,
  type EventStore as SdkEventStore,
} from '@modelcontextprotocol/server';
import type { EventStore, Logger } from '@mcp-gateway/core';
import type { ModernEndpoint } from '../modern/endpoint';
import { LOCAL_CALLER, type Caller } from './caller';
import { checkProtocolVersion, readMessages, sessionNotFound } from './http';
import { scopedEvents } from './scoped-events';

/** What a route keeps per client session: the SDK transport it serves, whose it is, and how to end it. */
export interface Session {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  /** The client that opened it: another client naming it is told it does not exist. */
  readonly caller: Caller;
  close(): Promise<void>;
}

/**
 * Streamable HTTP serving for `/mcp`: one SDK transport per legacy client session, ids random UUIDs (never
 * authentication), 404 for an unknown session, the session ended on DELETE; modern-era requests per request.
 */
export class Sessions<S extends Session> {
  private readonly byId = new Map<string, S>();

  constructor(
    private readonly logger: Logger,
    private readonly maxBodyBytes: number,
    /** Where modern-era (2026-07-28) requests to the same URL go. */
    private readonly modern: ModernEndpoint,
    /** Keeps what the sessions' SSE streams carry, so that a client can resume one with `Last-Event-ID`. */
    private readonly events?: EventStore,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  values(): IterableIterator<S> {
    return this.byId.values();
  }

  /**
   * Serves one request: to the session its `Mcp-Session-Id` names, or as the first request of a new session that
   * `open` builds around a fresh transport. A POST body is read and checked here first (the same refusals as
   * `/mcp/{backend}`), then handed to the SDK parsed. `body`: the Node request stream, when there is one.
   */
  async handle(
    request: Request,
    open: (transport: WebStandardStreamableHTTPServerTransport) => Promise<S> | S,
    body?: AsyncIterable<Uint8Array>,
    caller: Caller = LOCAL_CALLER,
  ): Promise<Response> {
    let parsedBody: unknown;
    if (request.method === 'POST') {
      const posted = await readMessages(request, this.maxBodyBytes, body ?? request.body);
      if (posted instanceof Response) return posted;
      parsedBody = posted.batch ? posted.messages : posted.messages[0];
      if (await this.modern.claims(request, parsedBody))
        return this.modern.handle(request, parsedBody, caller);
    }
    const id = request.headers.get('mcp-session-id');
    if (id) {
      const session = this.byId.get(id);
      if (!session || session.caller.owner !== caller.owner) return sessionNotFound();
      return checkProtocolVersion(request) ?? session.transport.handleRequest(request, { parsedBody });
    }
    // The transport announces the session id during its first request, by which time `open` has built it.
    const built: { session?: S } = {};
    const newId = randomUUID();
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => newId,
      // The SDK's message type also allows an error response without an id; a store keeps messages as they are.
      ...(this.events ? { eventStore: scopedEvents(this.events, newId) as SdkEventStore } : {}),
      onsessioninitialized: (sessionId) => {
        this.byId.set(sessionId, built.session!);
        this.logger.debug('session started', { session: sessionId });
      },
      onsessionclosed: (sessionId) => {
        void this.byId.get(sessionId)?.close();
        this.byId.delete(sessionId);
        this.logger.debug('session ended', { session: sessionId });
      },
    });
    const session = (built.session = await open(transport));
    const response = await transport.handleRequest(request, { parsedBody });
    if (!transport.sessionId) await session.close(); // not an initialize: the transport already answered
    return response;
  }

  /** Ends every session. Idempotent. */
  async close(): Promise<void> {
    const all = [...this.byId.values()];
    this.byId.clear();
    await Promise.all(all.map((s) => s.close()));
  }
}
