import { randomUUID } from 'node:crypto';
import {
  WebStandardStreamableHTTPServerTransport,
  type EventStore as SdkEventStore,
} from '@modelcontextprotocol/server';
import type { EventStore, Logger } from '@mcp-gateway/core';
import type { ModernEndpoint } from '../modern/endpoint';
import { boundedStream } from './bounded-stream';
import { LOCAL_CALLER, type Caller } from './caller';
import {
  MAX_CALLS_PER_SESSION,
  checkProtocolVersion,
  readMessages,
  sessionNotFound,
  sessionsFull,
  tooManyCalls,
} from './http';
import { scopedEvents } from './scoped-events';
import type { SessionTable } from './session-table';

/** What a route keeps per client session: the SDK transport it serves, whose it is, and how to end it. */
export interface Session {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  /** The client that opened it: another client naming it is told it does not exist. */
  readonly caller: Caller;
  close(): Promise<void>;
}

interface Entry<S> {
  session: S;
  /** Requests of the session the SDK is answering now, and SSE responses still open. */
  active: number;
  events: EventStore | undefined;
}

/**
 * Streamable HTTP serving for `/mcp`: one SDK transport per legacy client session, ids random UUIDs (never
 * authentication), 404 for an unknown session, the session ended on DELETE, on expiry or eviction (the
 * {@link SessionTable}); modern-era requests per request. SSE responses are relayed with a bounded backlog.
 */
export class Sessions<S extends Session> {
  private readonly byId = new Map<string, Entry<S>>();

  constructor(
    private readonly logger: Logger,
    private readonly maxBodyBytes: number,
    /** Where modern-era (2026-07-28) requests to the same URL go. */
    private readonly modern: ModernEndpoint,
    private readonly table: SessionTable,
    /** Keeps what the sessions' SSE streams carry, so that a client can resume one with `Last-Event-ID`. */
    private readonly events?: EventStore,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  *values(): IterableIterator<S> {
    for (const entry of this.byId.values()) yield entry.session;
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
      const entry = this.byId.get(id);
      if (!entry || entry.session.caller.owner !== caller.owner) return sessionNotFound();
      const refused = checkProtocolVersion(request);
      if (refused) return refused;
      if (entry.active >= MAX_CALLS_PER_SESSION) return tooManyCalls(entry.active);
      this.table.touch(id);
      return this.serve(id, entry, () => entry.session.transport.handleRequest(request, { parsedBody }));
    }
    const wait = this.table.admit(caller.owner);
    if (wait !== undefined) return sessionsFull(wait);
    // The transport announces the session id during its first request, by which time `open` has built it.
    const built: { session?: S } = {};
    const newId = randomUUID();
    const events = this.events && scopedEvents(this.events, newId);
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => newId,
      // The SDK's message type also allows an error response without an id; a store keeps messages as they are.
      ...(events ? { eventStore: events as SdkEventStore } : {}),
      onsessioninitialized: (sessionId) => {
        const entry: Entry<S> = { session: built.session!, active: 0, events };
        this.byId.set(sessionId, entry);
        this.table.add({
          id: sessionId,
          owner: caller.owner,
          busy: () => entry.active > 0,
          end: () => void this.end(sessionId),
        });
        this.logger.debug('session started', { session: sessionId });
      },
      onsessionclosed: (sessionId) => void this.end(sessionId),
    });
    const session = (built.session = await open(transport));
    const response = await transport.handleRequest(request, { parsedBody });
    if (!transport.sessionId) await session.close(); // not an initialize: the transport already answered
    return response;
  }

  /** Ends every session. */
  async close(): Promise<void> {
    await Promise.all([...this.byId.keys()].map((id) => this.end(id)));
  }

  /**
   * Answers one request of a session, counting it as active until the SDK has answered, or, for an SSE response,
   * until its stream ends (relayed with a bounded backlog).
   */
  private async serve(id: string, entry: Entry<S>, answer: () => Promise<Response>): Promise<Response> {
    entry.active++;
    const done = () => {
      entry.active--;
      this.table.touch(id);
    };
    let response: Response;
    try {
      response = await answer();
    } catch (error) {
      done();
      throw error;
    }
    if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
      done();
      return response;
    }
    return new Response(boundedStream(response.body, done), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }

  /** A session ended (DELETE, expiry, eviction, shutdown): everything it holds goes with it. Idempotent. */
  private async end(id: string): Promise<void> {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    this.table.remove(id);
    await entry.session.close();
    await entry.events?.forgetStreams?.('').catch(() => {});
    this.logger.debug('session ended', { session: id });
  }
}
