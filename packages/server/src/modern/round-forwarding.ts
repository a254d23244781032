import { randomUUID } from 'node:crypto';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import {
  errorMessage,
  type JsonRpcErrorObject,
  type JsonRpcNotification,
  type ReplicaBus,
} from '@mcp-gateway/core';
import { toJsonRpcError } from '../internal/errors';
import { unknownState, type Result, type Round } from './round-call';

/** A client's retry of an input-required round, as one replica hands it to another. */
export interface Retry {
  state: string;
  /** The client, as the replica it reached authenticated it. */
  owner: string;
  inputResponses: Record<string, unknown> | undefined;
  envelope: Record<string, unknown> | undefined;
}

/** How often a replica serving another's retry says it is still at it; how long the other waits without a word. */
const ALIVE_MS = 5_000;
const SILENCE_MS = 20_000;

type Message =
  | ({ kind: 'retry'; id: string; from: string } & Retry)
  | { kind: 'abort'; id: string }
  | { kind: 'alive'; id: string }
  | { kind: 'notify'; id: string; notification: JsonRpcNotification }
  | { kind: 'done'; id: string; result: Result }
  | { kind: 'fail'; id: string; error: JsonRpcErrorObject };

type Outcome = { result: Result } | { error: unknown };

/**
 * Carries input-required retries across a fleet over a {@link ReplicaBus}: a retry that lands on a replica other
 * than the one holding its backend call goes to that one, and the call's notifications and outcome come back as if
 * it had been served where it landed. Every wait is bounded: the serving replica says it is alive every few seconds,
 * and silence (a dead replica, a lost message) ends the wait with an error that says to start the call again.
 */
export class RoundForwarding {
  /** Retries this replica sent, by message id: the round waiting for each. */
  private readonly waiting = new Map<
    string,
    { round: Round; timer: NodeJS.Timeout; settle(o: Outcome): void }
  >();
  /** Retries this replica serves for others, by message id. */
  private readonly serving = new Map<string, AbortController>();
  private readonly stop: () => void;

  constructor(
    private readonly replica: string,
    private readonly bus: ReplicaBus,
    /** Serves a retry forwarded here, as it would be served had its client sent it here. */
    private readonly serve: (retry: Retry, round: Round) => Promise<Result>,
  ) {
    this.stop = bus.receive((message) => this.receive(message as Message));
  }

  /** Hands `retry` to `replica` and resolves with what its call answers there; `round` gets its notifications. */
  forward(replica: string, retry: Retry, round: Round): Promise<Result> {
    const id = randomUUID();
    return new Promise<Result>((resolve, reject) => {
      if (round.signal.aborted) return reject(round.signal.reason as Error);
      const onAbort = () => {
        void this.bus.send(replica, { kind: 'abort', id }).catch(() => {});
        settle({ error: round.signal.reason });
      };
      const settle = (outcome: Outcome) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        round.signal.removeEventListener('abort', onAbort);
        if ('result' in outcome) resolve(outcome.result);
        else reject(outcome.error as Error);
      };
      const timer = setTimeout(
        () => settle({ error: unreachable(`Replica ${replica}, which holds this call, stopped answering`) }),
        SILENCE_MS,
      );
      round.signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(id, { round, timer, settle });
      this.bus.send(replica, { kind: 'retry', id, from: this.replica, ...retry }).then(
        (received) => received === 0 && settle({ error: unknownState() }), // no such replica (any more)
        (error: unknown) =>
          settle({
            error: unreachable(
              `Replica ${replica}, which holds this call, cannot be reached now (${errorMessage(error)})`,
            ),
          }),
      );
    });
  }

  /** Stops taking retries; those waiting for other replicas end with an error. */
  close(): void {
    this.stop();
    for (const { settle } of this.waiting.values()) settle({ error: unreachable('The gateway is closing') });
    for (const controller of this.serving.values()) controller.abort();
  }

  private receive(message: Message): void {
    if (typeof message !== 'object' || message === null || typeof message.id !== 'string') return;
    if (message.kind === 'retry') return void this.answer(message);
    if (message.kind === 'abort') return this.serving.get(message.id)?.abort();
    const waiting = this.waiting.get(message.id);
    if (!waiting) return;
    waiting.timer.refresh();
    switch (message.kind) {
      case 'alive':
        return;
      case 'notify':
        return waiting.round.notify(message.notification);
      case 'done':
        return waiting.settle({ result: message.result });
      case 'fail':
        return waiting.settle({
          error: ProtocolError.fromError(message.error.code, message.error.message, message.error.data),
        });
    }
  }

  /** Serves another replica's retry, telling it everything the call says, then its outcome. */
  private async answer({ id, from, state, owner, inputResponses, envelope }: Message & { kind: 'retry' }) {
    const reply = (message: object) => this.bus.send(from, { ...message, id }).catch(() => 0);
    const controller = new AbortController();
    this.serving.set(id, controller);
    const alive = setInterval(() => void reply({ kind: 'alive' }), ALIVE_MS);
    try {
      const result = await this.serve(
        { state, owner, inputResponses, envelope },
        {
          envelope,
          notify: (notification) => void reply({ kind: 'notify', notification }),
          signal: controller.signal,
        },
      );
      await reply({ kind: 'done', result });
    } catch (error) {
      await reply({ kind: 'fail', error: wireError(error) });
    } finally {
      clearInterval(alive);
      this.serving.delete(id);
    }
  }
}

function unreachable(why: string): ProtocolError {
  return new ProtocolError(
    ProtocolErrorCode.InternalError,
    `${why}; send the request again without requestState.`,
  );
}

function wireError(error: unknown): JsonRpcErrorObject {
  if (!(error instanceof ProtocolError)) return toJsonRpcError(error);
  return {
    code: error.code,
    message: error.message,
    ...(error.data !== undefined ? { data: error.data } : {}),
  };
}
