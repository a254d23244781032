import { afterEach, describe, expect, it, vi } from 'vitest';
import { MissingRequiredClientCapabilityError } from '@modelcontextprotocol/server';
import type { JsonRpcNotification, ReplicaBus } from '@mcp-gateway/core';
import type { Round } from '../src/modern/round-call';
import { RoundForwarding, type Retry } from '../src/modern/round-forwarding';

/** Replicas of one fleet in one process: what is sent to a name reaches every handler of that name, later. */
class MemoryFleet {
  private readonly handlers = new Map<string, Set<(message: unknown) => void>>();
  bus(replica: string): ReplicaBus {
    return {
      send: async (to, message) => {
        const receivers = [...(this.handlers.get(to) ?? [])];
        const copy: unknown = JSON.parse(JSON.stringify(message)); // as over the wire
        setImmediate(() => receivers.forEach((handler) => handler(copy)));
        return receivers.length;
      },
      receive: (handler) => {
        const mine = this.handlers.get(replica) ?? new Set();
        this.handlers.set(replica, mine.add(handler));
        return () => void mine.delete(handler);
      },
    };
  }
}

const retry: Retry = {
  state: 'r1.call.sig',
  owner: 'client',
  inputResponses: { 'input-1': {} },
  envelope: {},
};

function round(): Round & { heard: JsonRpcNotification[]; controller: AbortController } {
  const controller = new AbortController();
  const heard: JsonRpcNotification[] = [];
  return { envelope: {}, notify: (n) => heard.push(n), signal: controller.signal, heard, controller };
}

const progress = (n: number): JsonRpcNotification => ({
  jsonrpc: '2.0',
  method: 'notifications/progress',
  params: { progressToken: 't', progress: n },
});

afterEach(() => vi.useRealTimers());

describe('RoundForwarding', () => {
  it('hands a retry to the holder and brings back its notifications, in order, then its result', async () => {
    const fleet = new MemoryFleet();
    const served: Retry[] = [];
    new RoundForwarding('r1', fleet.bus('r1'), async (got, at) => {
      served.push(got);
      at.notify(progress(1));
      at.notify(progress(2));
      return { content: [{ type: 'text', text: 'done' }] };
    });
    const r2 = new RoundForwarding('r2', fleet.bus('r2'), async () => ({}));
    const at = round();
    expect(await r2.forward('r1', retry, at)).toEqual({ content: [{ type: 'text', text: 'done' }] });
    expect(served).toEqual([retry]);
    expect(at.heard).toEqual([progress(1), progress(2)]);
  });

  it("brings back the holder's wire error as the same error, code and data", async () => {
    const fleet = new MemoryFleet();
    new RoundForwarding('r1', fleet.bus('r1'), async () => {
      throw new MissingRequiredClientCapabilityError({ requiredCapabilities: { sampling: {} } } as never);
    });
    const r2 = new RoundForwarding('r2', fleet.bus('r2'), async () => ({}));
    const error = await r2.forward('r1', retry, round()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingRequiredClientCapabilityError);
    expect(error).toMatchObject({ code: -32021, data: { requiredCapabilities: { sampling: {} } } });
  });

  it('refuses at once a retry for a replica no one answers to', async () => {
    const r2 = new RoundForwarding('r2', new MemoryFleet().bus('r2'), async () => ({}));
    await expect(r2.forward('r9', retry, round())).rejects.toThrow(/^Unknown or expired requestState/);
  });

  it('aborts the call on the holder when the client goes away', async () => {
    const fleet = new MemoryFleet();
    let aborted!: Promise<void>;
    new RoundForwarding('r1', fleet.bus('r1'), (_, at) => {
      aborted = new Promise((resolve) => at.signal.addEventListener('abort', () => resolve()));
      return new Promise(() => {}); // a call that waits for ever
    });
    const r2 = new RoundForwarding('r2', fleet.bus('r2'), async () => ({}));
    const at = round();
    const forwarded = r2.forward('r1', retry, at);
    await vi.waitFor(() => expect(aborted).toBeDefined());
    at.controller.abort(new Error('client gone'));
    await expect(forwarded).rejects.toThrow('client gone');
    await aborted; // the holder heard of it
  });

  it('waits as long as the holder says it is alive, and gives up 20 s after it falls silent', async () => {
    vi.useFakeTimers();
    const fleet = new MemoryFleet();
    let finish!: () => void;
    new RoundForwarding(
      'r1',
      fleet.bus('r1'),
      () => new Promise((resolve) => (finish = () => resolve({ ok: 1 }))),
    );
    const r2 = new RoundForwarding('r2', fleet.bus('r2'), async () => ({}));
    const slow = r2.forward('r1', retry, round());
    await vi.advanceTimersByTimeAsync(60_000); // a long call, kept alive
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(await slow).toEqual({ ok: 1 });

    const silent = fleet.bus('r3');
    silent.receive(() => {}); // takes the retry and never answers: a replica that hangs
    let settled = false;
    const lost = r2
      .forward('r3', retry, round())
      .catch((e: unknown) => e)
      .finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(19_000);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(String(await lost)).toMatch(
      /Replica r3, which holds this call, stopped answering; send the request again without requestState\./,
    );
  });
});
