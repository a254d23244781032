import type { JSONRPCMessage, Transport, TransportSendOptions } from '@modelcontextprotocol/server';
import {
  JsonRpcError,
  JsonRpcErrorCode,
  isErrorResponse,
  isNotification,
  isRequest,
  isResponse,
  silentLogger,
  type EventStore,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type Logger,
} from '@mcp-gateway/core';
import type { Caller } from '../internal/caller';
import { Exchange } from '../internal/exchange';
import { SessionCalls, type CallContext } from '../internal/session-calls';
import { SessionStreams } from '../internal/session-streams';

/** Calls a tool for the session's client: what the server's `tools/call` handler does. */
export type CallTool = (
  name: string,
  args: Record<string, unknown>,
  call: CallContext & { session: string; progressToken?: string | number },
) => Promise<Record<string, unknown>>;

/**
 * One client session on `/mcp` in the 2025 era, as the SDK transport of the gateway's own MCP server. It answers
 * like `/mcp/{backend}` does: a plain JSON body when the response is all there is to say, an SSE stream once
 * progress or a server→client request related to the call must go first. The SDK's own HTTP transport always
 * streams and keeps every event, which costs several times what the call does. `tools/call`, the one request
 * that matters for speed, it serves itself with `callTool` (as the server's handler would, minus the SDK's
 * per-request validation and bookkeeping); everything else goes to the server.
 */
export class ServerSession implements Transport {
  /** Random and unguessable; it names the session, it never authenticates anyone. */
  readonly id: string;
  readonly sessionId: string;
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** Whether `initialize` was answered with a result (a session whose initialize failed is not kept). */
  initialized = false;
  /** The client's requests the server has not answered yet, each with the exchange its answer goes on. */
  private readonly waiting = new Map<JsonRpcId, Exchange>();
  private readonly streams: SessionStreams;
  /** The `tools/call` requests served here rather than by the server. */
  private readonly calls: SessionCalls;
  private readonly used: () => void;
  private readonly callTool: CallTool | undefined;
  private initializeId: JsonRpcId | undefined;
  private closed = false;

  constructor(
    /** The client that opened the session: only it can use it. */
    readonly caller: Caller,
    options: {
      /** From `SessionTable.newId()`. */
      id: string;
      events?: EventStore;
      /** Told when the session was used (a request answered): the idle countdown starts again. */
      used?: () => void;
      callTool?: CallTool;
      logger?: Logger;
    },
  ) {
    this.id = options.id;
    this.sessionId = options.id;
    this.streams = new SessionStreams(this.id, options.events, caller.owner);
    this.used = options.used ?? (() => {});
    this.calls = new SessionCalls(options.logger ?? silentLogger, this.used);
    this.callTool = options.callTool;
  }

  async start(): Promise<void> {}

  /** Requests from the client still waiting for the server. */
  get callsInFlight(): number {
    return this.waiting.size + this.calls.size;
  }

  /** A call in flight or a stream a client reads keeps the session from expiring. */
  get busy(): boolean {
    return this.waiting.size + this.calls.size > 0 || this.streams.connected;
  }

  /**
   * Takes the messages of one POST to the server. Without requests the answer is 202 at once; with requests, the
   * {@link Exchange} their answers complete.
   */
  post(messages: JsonRpcMessage[], batch: boolean): Response | Promise<Response> {
    const requests = messages.filter(isRequest);
    const exchange =
      requests.length > 0
        ? new Exchange(requests, batch, this.streams.headers, this.streams.open)
        : undefined;
    for (const message of messages) {
      if (isRequest(message)) {
        if (this.servesItself(message)) {
          void this.calls.run(message, exchange!, (call) => this.toolCall(message, call));
          continue;
        }
        this.waiting.set(message.id, exchange!);
        if (message.method === 'initialize') this.initializeId = message.id;
      } else if (isResponse(message) && this.calls.answered(message)) continue;
      else if (isNotification(message) && message.method === 'notifications/cancelled') {
        // MCP: a cancelled request gets no answer, so its exchange stops waiting for one.
        const id = message.params?.requestId as JsonRpcId | undefined;
        if (this.calls.cancel(id)) continue;
        this.drop(id);
      }
      this.onmessage?.(message as JSONRPCMessage);
    }
    return exchange ? exchange.response : new Response(null, { status: 202, headers: this.streams.headers });
  }

  /** What the server sends: an answer to its request's exchange, a related message beside it, others on GET. */
  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const sent = message as JsonRpcMessage;
    if (isResponse(sent)) {
      const id = (sent as { id: JsonRpcId }).id;
      const exchange = this.waiting.get(id);
      if (!exchange) return; // cancelled meanwhile
      this.waiting.delete(id);
      if (id === this.initializeId && !isErrorResponse(sent)) this.initialized = true;
      exchange.answer(sent);
      this.used();
      return;
    }
    const related = options?.relatedRequestId;
    const exchange = related === undefined ? undefined : this.waiting.get(related);
    if (!exchange) return this.streams.sendStandalone(sent);
    if (!exchange.send(sent)) throw new Error('The client closed the stream this message would go on.');
  }

  /** Opens the standalone stream (one at a time: 409 while a client reads one). */
  listen(): Response {
    return this.streams.listen();
  }

  /** Continues a stream of this session from the event a client names (a GET with `Last-Event-ID`). */
  resume(lastEventId: string): Promise<Response> {
    return this.streams.resume(lastEventId);
  }

  /** Ends the session's streams and tells the server it is over (which releases what it holds). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.waiting.keys()]) this.drop(id);
    this.calls.close();
    this.streams.close();
    this.onclose?.();
  }

  /** A plain `tools/call` once the session is initialized (a task-augmented one stays with the server). */
  private servesItself(request: JsonRpcRequest): boolean {
    return (
      this.callTool !== undefined &&
      this.initialized &&
      request.method === 'tools/call' &&
      request.params?.task === undefined
    );
  }

  private toolCall(request: JsonRpcRequest, call: CallContext): Promise<Record<string, unknown>> {
    const { name, arguments: args = {}, _meta } = (request.params ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof args !== 'object' || args === null || Array.isArray(args))
      throw new JsonRpcError(
        JsonRpcErrorCode.InvalidParams,
        'Invalid params: tools/call takes "name" (a string) and "arguments" (an object, if any).',
      );
    const token = (_meta as { progressToken?: unknown } | undefined)?.progressToken;
    const progressToken = typeof token === 'string' || typeof token === 'number' ? token : undefined;
    return this.callTool!(name, args as Record<string, unknown>, {
      signal: call.signal,
      onNotification: call.onNotification,
      onRequest: call.onRequest,
      session: this.id,
      progressToken,
    });
  }

  private drop(id: JsonRpcId | undefined): void {
    const exchange = id === undefined ? undefined : this.waiting.get(id);
    if (!exchange) return;
    this.waiting.delete(id!);
    exchange.drop(id!);
  }
}
