import { isRequest, type EventStore, type JsonRpcMessage, type Logger } from '@mcp-gateway/core';
import type { Caller } from './caller';
import {
  MAX_CALLS_PER_SESSION,
  checkProtocolVersion,
  refuse,
  sessionNotFound,
  sessionsFull,
  tooManyCalls,
  type PostedMessages,
} from './http';
import { eventScope, scopedEvents } from './scoped-events';
import { storeUnavailable } from './session-streams';
import type { SessionTable } from './session-table';
import { replay } from './sse';

/** What {@link SessionRoute} needs of a 2025-era Streamable HTTP session. */
export interface HttpSession {
  readonly id: string;
  /** The client that opened it: another client naming it is told it does not exist. */
  readonly caller: Caller;
  /** Whether `initialize` was answered with a result. */
  readonly initialized: boolean;
  readonly callsInFlight: number;
  /** A call in flight or a stream a client reads. */
  readonly busy: boolean;
  post(messages: JsonRpcMessage[], batch: boolean): Response | Promise<Response>;
  listen(): Response;
  resume(lastEventId: string): Promise<Response>;
  close(): void | Promise<void>;
}

/**
 * The 2025-era sessions of an endpoint: `initialize` opens one (within the {@link SessionTable}'s caps), every
 * other request names it in `Mcp-Session-Id`, GET opens or resumes its stream, DELETE ends it. A session of another
 * client, or of another endpoint (`belongs`), is answered exactly like one that does not exist.
 */
export class SessionRoute<S extends HttpSession> {
  private readonly sessions = new Map<string, S>();

  constructor(
    private readonly table: SessionTable,
    private readonly logger: Logger,
    /** The event store: with a shared one, a stream of a session this replica does not hold can be replayed. */
    private readonly events?: EventStore,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  values(): IterableIterator<S> {
    return this.sessions.values();
  }

  /**
   * A POST, read and checked: to the session it names, or, for `initialize`, to a new one that `open` builds (told
   * how to mark the session used). Kept only once initialized.
   */
  async post(
    request: Request,
    posted: PostedMessages,
    caller: Caller,
    open: (used: () => void) => S | Promise<S>,
    belongs: (session: S) => boolean = () => true,
  ): Promise<Response> {
    const initialize = posted.messages.some((m) => isRequest(m) && m.method === 'initialize');
    if (!initialize) {
      const session = this.session(request, caller, belongs);
      if (session instanceof Response) return session;
      this.table.touch(session.id);
      let requests = 0;
      for (const message of posted.messages) if (isRequest(message)) requests++;
      if (session.callsInFlight + requests > MAX_CALLS_PER_SESSION)
        return tooManyCalls(session.callsInFlight);
      return session.post(posted.messages, posted.batch);
    }
    if (posted.messages.length > 1)
      return refuse(400, 'Invalid Request: initialize must be sent on its own.', -32600);
    if (request.headers.has('mcp-session-id'))
      return refuse(400, 'Bad Request: initialize starts a new session; send it without Mcp-Session-Id.');
    const wait = this.table.admit(caller.owner);
    if (wait !== undefined) return sessionsFull(wait);
    const session: S = await open(() => this.table.touch(session.id));
    const response = await session.post(posted.messages, posted.batch);
    if (!session.initialized) {
      await session.close(); // releases what the session may have started
      return response;
    }
    this.sessions.set(session.id, session);
    this.table.add({
      id: session.id,
      owner: caller.owner,
      busy: () => session.busy,
      end: () => this.end(session),
    });
    this.logger.debug('session started', { session: session.id });
    return response;
  }

  /** GET (the session's standalone stream, or the one an event was sent on with `Last-Event-ID`) and DELETE. */
  async getOrDelete(
    request: Request,
    caller: Caller,
    belongs: (session: S) => boolean = () => true,
  ): Promise<Response> {
    const session = this.session(request, caller, belongs);
    if (session instanceof Response) return (await this.orphan(request, caller)) ?? session;
    this.table.touch(session.id);
    if (request.method === 'DELETE') {
      this.end(session);
      return new Response(null, { status: 200 });
    }
    if (!(request.headers.get('accept') ?? '').includes('text/event-stream'))
      return refuse(406, 'Not Acceptable: a GET stream needs Accept: text/event-stream.');
    const lastEventId = request.headers.get('last-event-id');
    return lastEventId ? session.resume(lastEventId) : session.listen();
  }

  /**
   * A GET with `Last-Event-ID` for a session this replica does not hold (its replica is gone, the load balancer
   * sent the client here): the events its streams stored after that one, from the shared store, then the end of
   * the stream. Only the session's own client finds them (they are stored under its owner). The session itself
   * is not rebuilt: its next POST gets 404 and the client starts a new one. Undefined when there is nothing to
   * replay.
   */
  private async orphan(request: Request, caller: Caller): Promise<Response | undefined> {
    const id = request.headers.get('mcp-session-id');
    const lastEventId = request.headers.get('last-event-id');
    if (request.method !== 'GET' || !id || !lastEventId || !this.events) return undefined;
    const store = scopedEvents(this.events, eventScope(caller.owner, id));
    try {
      if ((await store.getStreamIdForEventId(lastEventId)) === undefined) return undefined;
    } catch (error) {
      return storeUnavailable(error);
    }
    this.logger.info('replaying the stored events of a session this replica does not hold', { session: id });
    return replay({ 'mcp-session-id': id }, store, lastEventId);
  }

  /** Ends a session (DELETE, expiry, eviction, a removed backend): everything it holds goes with it. Idempotent. */
  end(session: S): void {
    if (this.sessions.get(session.id) !== session) return;
    this.sessions.delete(session.id);
    this.table.remove(session.id);
    void session.close();
    this.logger.debug('session ended', { session: session.id });
  }

  /** Ends every session. */
  close(): void {
    for (const session of [...this.sessions.values()]) this.end(session);
  }

  /**
   * The session a request names, or the refusal: 400 without an id or with a bad protocol version, else 404 (also
   * for another client's session, which looks exactly like one that does not exist).
   */
  private session(request: Request, caller: Caller, belongs: (session: S) => boolean): S | Response {
    const id = request.headers.get('mcp-session-id');
    if (!id)
      return refuse(400, 'Bad Request: Mcp-Session-Id header is required; start a session with initialize.');
    const session = this.sessions.get(id);
    if (!session || !belongs(session) || session.caller.owner !== caller.owner) return sessionNotFound();
    return checkProtocolVersion(request) ?? session;
  }
}
