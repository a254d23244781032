import { randomUUID } from 'node:crypto';
import {
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  inputRequired,
  type ServerContext,
} from '@modelcontextprotocol/server';
import {
  JsonRpcErrorCode,
  type CallOptions,
  type JsonRpcNotification,
  type JsonRpcRequest,
} from '@mcp-gateway/core';

/** How long a call waits between rounds for the client to come back with its answers. */
const PARKED_MS = 5 * 60_000;
/** Calls waiting for their clients at once, over all clients and per client: more are refused. */
const MAX_PARKED = 1000;
const MAX_PARKED_PER_CLIENT = 100;

type Result = Record<string, unknown>;

/** The client capability each backend→client request needs. */
const CAPABILITY: Record<string, string> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/** A backend→client request the client has not answered yet. */
interface Ask {
  request: JsonRpcRequest;
  answer(result: Result): void;
  fail(error: { code: number; message: string }): void;
}

/**
 * One backend call that may need several client rounds. It owns its abort signal: the HTTP exchange that started it
 * ends when the client gets an input-required result, but the backend call goes on until the retry answers.
 */
class Call {
  readonly controller = new AbortController();
  private readonly asks = new Map<string, Ask>();
  private readonly outcome: Promise<{ result: Result } | { error: unknown }>;
  private wake: (() => void) | undefined;
  private nextKey = 1;
  /** The round the client is in now: progress and logging go on its stream. */
  private ctx: ServerContext;
  /** Client capabilities the backend asked for and the client had not declared. */
  private readonly missing = new Set<string>();

  constructor(ctx: ServerContext, start: (options: CallOptions) => Promise<Result>) {
    this.ctx = ctx;
    this.outcome = start({
      signal: this.controller.signal,
      onNotification: (notification) => relay(this.ctx, notification),
      onRequest: (request) => {
        const capability = CAPABILITY[request.method];
        const declared = clientCapabilities(this.ctx);
        if (!capability || !(capability in declared)) {
          // The backend may do without (it is told the method is not there); if the call then fails, the
          // client learns which capability it lacked (MissingRequiredClientCapability, see next()).
          if (capability) this.missing.add(capability);
          return Promise.reject({
            code: JsonRpcErrorCode.MethodNotFound,
            message: `The client does not support ${request.method}.`,
          });
        }
        return new Promise((answer, fail) => {
          this.asks.set(`input-${this.nextKey++}`, { request, answer, fail });
          this.wake?.();
        });
      },
    }).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
  }

  /** The call's result, or the questions it has for the client, whichever comes first. */
  async next(ctx: ServerContext): Promise<{ result: Result } | { asks: Map<string, Ask> }> {
    this.ctx = ctx;
    const { signal } = ctx.mcpReq;
    const onAbort = () => this.controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const asked = new Promise<'asked'>((resolve) => {
        this.wake = () => resolve('asked');
        if (this.asks.size > 0) resolve('asked');
      });
      const first = await Promise.race([this.outcome, asked]);
      if (first === 'asked') {
        await new Promise((resolve) => setImmediate(resolve)); // requests sent together go in one round
        return { asks: new Map(this.asks) };
      }
      // A call that failed after the backend asked for a capability the client lacks failed for want of it.
      const failed = 'error' in first || first.result.isError === true;
      if (failed && this.missing.size > 0) {
        const requiredCapabilities = Object.fromEntries([...this.missing].map((c) => [c, {}]));
        throw new MissingRequiredClientCapabilityError({ requiredCapabilities } as never);
      }
      if ('error' in first) throw first.error;
      return first;
    } finally {
      this.wake = undefined;
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Hands the client's answers to the backend requests of the last round; later requests wait for the next. */
  answer(shown: Map<string, Ask>, responses: Record<string, unknown> | undefined): void {
    for (const [key, ask] of shown) {
      this.asks.delete(key);
      const response = responses?.[key];
      if (response && typeof response === 'object') ask.answer(response as Result);
      else ask.fail({ code: ProtocolErrorCode.InvalidParams, message: `No input response for ${key}.` });
    }
  }
}

/**
 * Backend→client requests for modern-era (2026-07-28) clients, which take no requests from servers: a backend's
 * sampling, elicitation or roots request becomes an input-required result, and the client's retry (carrying the
 * answers and the `requestState` we minted) resumes the same backend call, which waited for it here.
 */
export class InputRounds {
  private readonly parked = new Map<
    string,
    { call: Call; asks: Map<string, Ask>; timer: NodeJS.Timeout; owner: string }
  >();

  /**
   * Runs `start` for a first round, or resumes the call a retry's `requestState` names. `start` gets the signal,
   * notification and request handlers to pass to the backend call. `owner`: the client; only it can resume.
   */
  async run(
    ctx: ServerContext,
    start: (options: CallOptions) => Promise<Result>,
    owner: string,
  ): Promise<Result> {
    const call = this.resume(ctx, owner) ?? new Call(ctx, start);
    const next = await call.next(ctx);
    if ('result' in next) return next.result;
    const mine = [...this.parked.values()].filter((p) => p.owner === owner).length;
    if (this.parked.size >= MAX_PARKED || mine >= MAX_PARKED_PER_CLIENT) {
      call.controller.abort();
      throw new ProtocolError(
        ProtocolErrorCode.InternalError,
        `Too many calls are waiting for their clients' answers (${mine} of this client's, ${this.parked.size} in all); answer or abandon some, then try again.`,
      );
    }
    const state = randomUUID(); // unguessable: it names a parked call, nothing else
    const timer = setTimeout(() => {
      this.parked.delete(state);
      call.controller.abort();
    }, PARKED_MS);
    timer.unref();
    this.parked.set(state, { call, asks: next.asks, timer, owner });
    return inputRequired({
      inputRequests: Object.fromEntries(
        [...next.asks].map(([key, ask]) => [key, { method: ask.request.method, params: ask.request.params }]),
      ) as never,
      requestState: state,
    }) as unknown as Result;
  }

  /** Aborts every parked call. */
  close(): void {
    for (const { call, timer } of this.parked.values()) {
      clearTimeout(timer);
      call.controller.abort();
    }
    this.parked.clear();
  }

  private resume(ctx: ServerContext, owner: string): Call | undefined {
    const state = ctx.mcpReq.requestState();
    if (state === undefined) return undefined;
    const parked = typeof state === 'string' ? this.parked.get(state) : undefined;
    // Another client's round looks exactly like one that does not exist.
    if (!parked || parked.owner !== owner)
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        'Unknown or expired requestState: the call it named has finished or timed out; send the request again without it.',
      );
    this.parked.delete(state as string);
    clearTimeout(parked.timer);
    parked.call.answer(parked.asks, ctx.mcpReq.inputResponses);
    return parked.call;
  }
}

const LOG_SEVERITY = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/**
 * Sends what the backend said about a request on that request's stream. A modern-era client gets log messages only
 * when its request asked for them (`_meta` logLevel), and only at or above that level.
 */
export function relay(ctx: ServerContext, notification: JsonRpcNotification): void {
  if (notification.method === 'notifications/message') {
    const threshold = (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[LOG_LEVEL_META_KEY];
    const level = LOG_SEVERITY.indexOf(String(notification.params?.level));
    if (typeof threshold !== 'string' || level < LOG_SEVERITY.indexOf(threshold)) return;
  }
  void ctx.mcpReq.notify(notification as never).catch(() => {});
}

/** The capabilities the client declared in this request's envelope. */
function clientCapabilities(ctx: ServerContext): Record<string, unknown> {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY];
  return typeof capabilities === 'object' && capabilities !== null
    ? (capabilities as Record<string, unknown>)
    : {};
}
