import {
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  type ServerContext,
} from '@modelcontextprotocol/server';
import {
  JsonRpcErrorCode,
  type CallOptions,
  type JsonRpcNotification,
  type JsonRpcRequest,
} from '@mcp-gateway/core';

export type Result = Record<string, unknown>;

/**
 * The client request a call's round is answering: its `_meta` envelope, where notifications go and when it ends.
 * A round is an SDK request here, or a retry another replica forwarded.
 */
export interface Round {
  envelope: Record<string, unknown> | undefined;
  /** Sends a notification on the request's stream, as it is. */
  notify(notification: JsonRpcNotification): void;
  signal: AbortSignal;
}

/** The round an SDK request handler's context stands for. */
export function roundOf(ctx: ServerContext): Round {
  return {
    envelope: ctx.mcpReq.envelope as Record<string, unknown> | undefined,
    notify: (notification) => void ctx.mcpReq.notify(notification as never).catch(() => {}),
    signal: ctx.mcpReq.signal,
  };
}

/** The capability each backend→client request needs. */
const CAPABILITY: Record<string, string> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/** How long a round waits for more backend requests after the last one came, and at most in all (ms). */
const GATHER_MS = 5;
const GATHER_MAX_MS = 50;

/** A backend→client request the client has not answered yet. */
export interface Ask {
  request: JsonRpcRequest;
  answer(result: Result): void;
  fail(error: { code: number; message: string }): void;
}

/**
 * One backend call that may need several client rounds. It owns its abort signal: the HTTP exchange that started it
 * ends when the client gets an input-required result, but the backend call goes on until the retry answers.
 */
export class Call {
  readonly controller = new AbortController();
  private readonly asks = new Map<string, Ask>();
  private readonly outcome: Promise<{ result: Result } | { error: unknown }>;
  private wake: (() => void) | undefined;
  private nextKey = 1;
  /** Client capabilities the backend asked for and the client had not declared. */
  private readonly missing = new Set<string>();

  /** `round`: the one the client is in now; progress and logging go on its stream. */
  constructor(
    private round: Round,
    start: (options: CallOptions) => Promise<Result>,
  ) {
    this.outcome = start({
      signal: this.controller.signal,
      onNotification: (notification) => relayTo(this.round, notification),
      onRequest: (request) => {
        const capability = CAPABILITY[request.method];
        if (!capability || !(capability in clientCapabilities(this.round.envelope))) {
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
  async next(round: Round): Promise<{ result: Result } | { asks: Map<string, Ask> }> {
    this.round = round;
    const onAbort = () => this.controller.abort();
    round.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const asked = new Promise<'asked'>((resolve) => {
        this.wake = () => resolve('asked');
        if (this.asks.size > 0) resolve('asked');
      });
      const first = await Promise.race([this.outcome, asked]);
      if (first === 'asked') {
        await this.gather();
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
      round.signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Waits for the backend requests sent with the first one, so that they go in one round: a backend writes them
   * apart (over stdio, in separate reads about half a millisecond apart), so one turn of the event loop is not
   * enough. Done when none came for {@link GATHER_MS}, or after {@link GATHER_MAX_MS}.
   */
  private async gather(): Promise<void> {
    const until = performance.now() + GATHER_MAX_MS;
    for (let seen = -1; seen !== this.asks.size && performance.now() < until;) {
      seen = this.asks.size;
      await new Promise((resolve) => setTimeout(resolve, GATHER_MS));
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

const LOG_SEVERITY = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/**
 * Sends what the backend said about a request on that request's stream. A modern-era client gets log messages only
 * when its request asked for them (`_meta` logLevel), and only at or above that level.
 */
export function relay(ctx: ServerContext, notification: JsonRpcNotification): void {
  relayTo(roundOf(ctx), notification);
}

function relayTo(round: Round, notification: JsonRpcNotification): void {
  if (notification.method === 'notifications/message') {
    const threshold = round.envelope?.[LOG_LEVEL_META_KEY];
    const level = LOG_SEVERITY.indexOf(String(notification.params?.level));
    if (typeof threshold !== 'string' || level < LOG_SEVERITY.indexOf(threshold)) return;
  }
  round.notify(notification);
}

/** The capabilities the client declared in its request's envelope. */
function clientCapabilities(envelope: Record<string, unknown> | undefined): Record<string, unknown> {
  const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY];
  return typeof capabilities === 'object' && capabilities !== null
    ? (capabilities as Record<string, unknown>)
    : {};
}

/** The refusal for a `requestState` that names no parked call: forged, expired, finished, or another client's. */
export function unknownState(): ProtocolError {
  return new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    'Unknown or expired requestState: the call it named has finished or timed out; send the request again without it.',
  );
}
