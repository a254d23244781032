import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  ProtocolError,
  ProtocolErrorCode,
  inputRequired,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { CallOptions, ReplicaBus } from '@mcp-gateway/core';
import { Call, roundOf, unknownState, type Ask, type Result, type Round } from './round-call';
import { RoundForwarding, type Retry } from './round-forwarding';

/** How long a call waits between rounds for the client to come back with its answers. */
const PARKED_MS = 5 * 60_000;
/** Calls waiting for their clients at once, over all clients and per client: more are refused. */
const MAX_PARKED = 1000;
const MAX_PARKED_PER_CLIENT = 100;

/**
 * Backend→client requests for modern-era (2026-07-28) clients, which take no requests from servers: a backend's
 * sampling, elicitation or roots request becomes an input-required result, and the client's retry (carrying the
 * answers and the `requestState` we minted) resumes the same backend call, which waited for it here.
 *
 * A `requestState` is `[replica.]id.signature`: the replica holding the call, the parked call's id, and an HMAC
 * binding both to the client. In a fleet a retry may land on any replica; one that does not hold the call hands it
 * to the one that does (see {@link RoundForwarding}), which alone checks the signature, with a key that never leaves
 * its process. A forged or altered state, or another client's, is refused exactly like an expired one.
 */
export class InputRounds {
  private readonly parked = new Map<
    string,
    { call: Call; asks: Map<string, Ask>; timer: NodeJS.Timeout; owner: string }
  >();
  private readonly key = randomBytes(32);
  private readonly forwarding: RoundForwarding | undefined;

  /** `fleet`: this replica's name and the bus to the others, for retries that land on a replica without the call. */
  constructor(private readonly fleet?: { replica: string; bus: ReplicaBus }) {
    this.forwarding =
      fleet && new RoundForwarding(fleet.replica, fleet.bus, (retry, round) => this.resume(retry, round));
  }

  /**
   * Runs `start` for a first round, or resumes the call a retry's `requestState` names. `start` gets the signal,
   * notification and request handlers to pass to the backend call. `owner`: the client; only it can resume.
   */
  async run(
    ctx: ServerContext,
    start: (options: CallOptions) => Promise<Result>,
    owner: string,
  ): Promise<Result> {
    const round = roundOf(ctx);
    const state = ctx.mcpReq.requestState();
    if (state === undefined) return this.settle(new Call(round, start), round, owner);
    if (typeof state !== 'string') throw unknownState();
    const retry = { state, owner, inputResponses: ctx.mcpReq.inputResponses, envelope: round.envelope };
    const [holder, ...rest] = state.split('.');
    if (this.forwarding && rest.length === 2 && holder !== this.fleet?.replica)
      return this.forwarding.forward(holder!, retry, round);
    return this.resume(retry, round);
  }

  /** Aborts every parked call. */
  close(): void {
    this.forwarding?.close();
    for (const { call, timer } of this.parked.values()) {
      clearTimeout(timer);
      call.controller.abort();
    }
    this.parked.clear();
  }

  /** Hands a retry's answers to the call its state names, and goes on with that call in this round. */
  private resume({ state, owner, inputResponses }: Retry, round: Round): Promise<Result> {
    const dot = state.lastIndexOf('.');
    const signed = state.slice(0, dot);
    const id = signed.slice(signed.lastIndexOf('.') + 1);
    const parked = this.parked.get(id);
    const expected = Buffer.from(this.sign(signed, owner));
    const given = Buffer.from(state.slice(dot + 1));
    // Another client's round, or a tampered one, looks exactly like one that does not exist.
    if (!parked || dot < 0 || given.length !== expected.length || !timingSafeEqual(given, expected))
      throw unknownState();
    this.parked.delete(id);
    clearTimeout(parked.timer);
    parked.call.answer(parked.asks, inputResponses);
    return this.settle(parked.call, round, owner);
  }

  /** The call's result, or an input-required result that parks it until the client answers. */
  private async settle(call: Call, round: Round, owner: string): Promise<Result> {
    const next = await call.next(round);
    if ('result' in next) return next.result;
    const mine = [...this.parked.values()].filter((p) => p.owner === owner).length;
    if (this.parked.size >= MAX_PARKED || mine >= MAX_PARKED_PER_CLIENT) {
      call.controller.abort();
      throw new ProtocolError(
        ProtocolErrorCode.InternalError,
        `Too many calls are waiting for their clients' answers (${mine} of this client's, ${this.parked.size} in all); answer or abandon some, then try again.`,
      );
    }
    const id = randomUUID();
    const timer = setTimeout(() => {
      this.parked.delete(id);
      call.controller.abort();
    }, PARKED_MS);
    timer.unref();
    this.parked.set(id, { call, asks: next.asks, timer, owner });
    const signed = this.fleet ? `${this.fleet.replica}.${id}` : id;
    return inputRequired({
      inputRequests: Object.fromEntries(
        [...next.asks].map(([key, ask]) => [key, { method: ask.request.method, params: ask.request.params }]),
      ) as never,
      requestState: `${signed}.${this.sign(signed, owner)}`,
    }) as unknown as Result;
  }

  private sign(signed: string, owner: string): string {
    return createHmac('sha256', this.key).update(`${signed}\0${owner}`).digest('base64url');
  }
}
