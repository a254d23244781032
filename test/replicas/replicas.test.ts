import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import {
  conformanceBackend,
  debianProgram,
  fixtureBackend,
  freePort,
  modernRequest,
  nginxSite,
  rawLegacySession,
  startNginx,
  startRedis as startRedisAt,
  stopGroup as stop,
  waitFor,
} from '@mcp-gateway/examples';
import { startReplica, within } from './replica';

/**
 * Three replicas of the gateway (real CLI processes, one config file) behind real nginx with deploy/nginx, sharing
 * their stream events through a real redis-server.
 */
const dir = mkdtempSync(join(tmpdir(), 'mcpgw-replicas-'));
const replicas = new Map<string, { port: number; child: ChildProcess }>();
let nginx: ChildProcess;
let redis: ChildProcess;
let redisBin: string;
let redisPort: number;
let base: string;

const startRedis = () => startRedisAt(redisBin, redisPort);

/** The fleet's one config file (fixture and conformance backends, Redis), with its state under `state`. */
const fleetConfig = (state: string) =>
  `state_dir: ${JSON.stringify(join(dir, state))}\nredis: { url: "redis://127.0.0.1:${redisPort}" }\nbackends:\n` +
  `  fixture:\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(fixtureBackend)}]\n` +
  `  conformance:\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(conformanceBackend)}, "--stdio"]\n`;

beforeAll(async () => {
  const nginxBin = await debianProgram('nginx', 'nginx');
  redisBin = await debianProgram('redis-server', 'redis-server');
  redisPort = await freePort();
  redis = startRedis();
  const config = join(dir, 'servers.yaml');
  writeFileSync(config, fleetConfig('state'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const front = await freePort();
  ['r1', 'r2', 'r3'].forEach((name, i) =>
    replicas.set(name, { port: ports[i]!, child: startReplica(name, ports[i]!, config) }),
  );
  // deploy/nginx as shipped, with this run's ports.
  nginx = startNginx(nginxBin, dir, nginxSite(front, ports as [number, number, number]));
  base = `http://127.0.0.1:${front}`;
  for (const { port } of replicas.values())
    await waitFor(
      'a replica',
      async () => ((await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined),
      60_000,
    );
  await waitFor('nginx', async () => ((await fetch(`${base}/health`)).ok ? true : undefined));
}, 120_000);

afterAll(async () => {
  for (const child of [nginx, redis, ...[...replicas.values()].map((r) => r.child)])
    if (child) await stop(child);
});

/** One stateless modern-era (2026-07-28) `tools/call echo` through nginx: the echo and the replica that served it. */
async function modernEcho(message: string): Promise<{ text: string; replica: string | null }> {
  const response = await fetch(`${base}/mcp/fixture`, {
    method: 'POST',
    ...modernRequest('tools/call', { name: 'echo', arguments: { message } }),
  });
  const body = (await response.json()) as { result?: { content: { text: string }[] } };
  return {
    text: body.result?.content[0]?.text ?? JSON.stringify(body),
    replica: response.headers.get('mcp-gateway-replica'),
  };
}

/** A 2025-era SDK client with a session through nginx; its session id names its replica. */
async function legacyClient(): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'replica-test', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp/fixture`));
  await client.connect(transport);
  return { client, transport };
}

/** A 2025-era session over raw HTTP through nginx, to see every SSE event and its id. */
async function rawSession() {
  const { session, post } = await rawLegacySession(`${base}/mcp/fixture`);
  return {
    session,
    /** A `progress` call: its answer is an SSE stream of 3 progress notifications, then the result. */
    progress: async () => events(await (await post(progressCall)).text()),
    resume: (lastEventId: string) =>
      fetch(`${base}/mcp/fixture`, {
        headers: {
          accept: 'text/event-stream',
          'mcp-session-id': session,
          'mcp-protocol-version': '2025-11-25',
          'last-event-id': lastEventId,
        },
      }),
  };
}

const progressCall = {
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'progress', arguments: { steps: 3, ms: 5 }, _meta: { progressToken: 'p' } },
};

/** The events of an SSE body: id (if any) and parsed data. */
function events(body: string): { id: string | undefined; data: Record<string, unknown> }[] {
  return body
    .split('\n\n')
    .map((frame) => {
      const id = /^id: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      return data ? { id, data: JSON.parse(data) as Record<string, unknown> } : undefined;
    })
    .filter((event) => event !== undefined);
}

/**
 * One modern-era round of the conformance backend's `test_input_required_result_multi_round` (it asks a name, then
 * a confirmation), posted straight to one replica: what it answered and which replica did.
 */
async function multiRound(replica: string, id: number, retry: Record<string, unknown> = {}) {
  const response = await fetch(`http://127.0.0.1:${replicas.get(replica)!.port}/mcp/conformance`, {
    method: 'POST',
    ...modernRequest(
      'tools/call',
      { name: 'test_input_required_result_multi_round', arguments: {}, ...retry },
      { id, meta: { 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } } },
    ),
  });
  const body = (await response.json()) as {
    result?: { resultType?: string; requestState?: string; inputRequests?: object; content?: object };
    error?: { code: number; message: string };
  };
  return { replica: response.headers.get('mcp-gateway-replica'), ...body };
}

const NAME = { 'input-1': { action: 'accept', content: { name: 'Ada' } } };
const CONFIRM = { 'input-2': { action: 'accept', content: { ok: true } } };

/** A client of either era through nginx that answers elicitation (a name, a confirmation) and sampling. */
async function answeringClient(pin?: '2026-07-28'): Promise<Client> {
  const client = new Client(
    { name: 'answering', version: '1' },
    {
      capabilities: { sampling: {}, elicitation: {} },
      ...(pin ? { versionNegotiation: { mode: { pin } } } : {}),
    },
  );
  client.setRequestHandler('sampling/createMessage', async () => ({
    model: 'm',
    role: 'assistant',
    content: { type: 'text', text: 'Paris' },
  }));
  client.setRequestHandler('elicitation/create', async (request) => ({
    action: 'accept',
    content: (String(request.params.message).includes('name') ? { name: 'Ada' } : { ok: true }) as Record<
      string,
      string | boolean
    >,
  }));
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp/conformance`)));
  return client;
}

const text = (result: { content?: unknown }) => (result.content as { text: string }[])[0]!.text;

const echo = async (client: Client, message: string) =>
  ((await client.callTool({ name: 'echo', arguments: { message } })).content as { text: string }[])[0]!.text;

describe('three replicas behind nginx (deploy/nginx)', () => {
  it('serves modern-era requests on any replica, each with its own answer', async () => {
    const served = await Promise.all(Array.from({ length: 30 }, (_, i) => modernEcho(`modern ${i}`)));
    expect(served.map((s) => s.text)).toEqual(Array.from({ length: 30 }, (_, i) => `modern ${i}`));
    expect(new Set(served.map((s) => s.replica))).toEqual(new Set(['r1', 'r2', 'r3']));
  });

  it('keeps each legacy session on its replica: calls with progress, and /health says who answered', async () => {
    const clients = await Promise.all(Array.from({ length: 6 }, legacyClient));
    try {
      const owners = clients.map(({ transport }) => transport.sessionId!.split('.')[0]);
      expect(owners.every((owner) => ['r1', 'r2', 'r3'].includes(owner!))).toBe(true);
      for (const [i, { client }] of clients.entries()) {
        for (let call = 0; call < 10; call++)
          expect(await echo(client, `c${i} #${call}`)).toBe(`c${i} #${call}`);
        const progress: number[] = [];
        await client.callTool(
          { name: 'progress', arguments: { steps: 3, ms: 5 } },
          { onprogress: (p) => progress.push(p.progress) },
        );
        expect(progress).toEqual([1, 2, 3]);
      }
      const health = await fetch(`${base}/health`);
      expect(['r1', 'r2', 'r3']).toContain(((await health.json()) as { replica: string }).replica);
    } finally {
      await Promise.all(clients.map(({ client }) => client.close()));
    }
  });

  it('resumes a modern-era input-required call on whichever replica the retry lands, and only a state it minted', async () => {
    const first = await multiRound('r1', 1);
    expect(first.replica).toBe('r1');
    expect(first.result).toMatchObject({
      resultType: 'input_required',
      inputRequests: {
        'input-1': { method: 'elicitation/create', params: { message: 'What is your name?' } },
      },
    });
    const state = first.result!.requestState!;
    expect(state.split('.')[0]).toBe('r1'); // the replica that holds the call
    // Altered (its signature, its call, its replica) or spent: refused alike, wherever it lands.
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    const [holder, call, signature] = state.split('.') as [string, string, string];
    for (const forged of [
      `${holder}.${call}.${signature.slice(0, -1)}${flip(signature.at(-1)!)}`,
      `${holder}.${call.slice(0, -1)}${flip(call.at(-1)!)}.${signature}`,
      `r9.${call}.${signature}`,
    ])
      expect((await multiRound('r2', 2, { requestState: forged, inputResponses: NAME })).error).toEqual({
        code: -32602,
        message:
          'Unknown or expired requestState: the call it named has finished or timed out; send the request again without it.',
      });
    // Round two on r2 and round three on r3: each hands the retry to r1, which still holds the call.
    const second = await multiRound('r2', 3, { requestState: state, inputResponses: NAME });
    expect(second.replica).toBe('r2');
    expect(second.result).toMatchObject({
      resultType: 'input_required',
      inputRequests: { 'input-2': { method: 'elicitation/create', params: { message: 'Please confirm' } } },
    });
    expect(second.result!.requestState!.split('.')[0]).toBe('r1');
    const third = await multiRound('r3', 4, {
      requestState: second.result!.requestState,
      inputResponses: CONFIRM,
    });
    expect(third.replica).toBe('r3');
    expect(third.result?.content).toEqual([{ type: 'text', text: 'Rounds: Ada, true' }]);
    const spent = await multiRound('r1', 5, {
      requestState: second.result!.requestState,
      inputResponses: CONFIRM,
    });
    expect(spent.error?.message).toMatch(/^Unknown or expired requestState/);
  });

  it('gives SDK clients of both eras their sampling and elicitation round trips through nginx', async () => {
    const modern = await answeringClient('2026-07-28');
    const legacy = await answeringClient();
    try {
      expect(modern.getProtocolEra()).toBe('modern');
      expect(legacy.getProtocolEra()).toBe('legacy');
      for (const client of [modern, legacy])
        for (let i = 0; i < 3; i++) {
          // Each modern round is a request of its own: nginx spreads them, the rounds follow their call.
          expect(
            text(await client.callTool({ name: 'test_input_required_result_sampling', arguments: {} })),
          ).toBe('Sampled: Paris');
          expect(
            text(await client.callTool({ name: 'test_input_required_result_multi_round', arguments: {} })),
          ).toBe('Rounds: Ada, true');
        }
    } finally {
      await Promise.all([modern.close(), legacy.close()]);
    }
  });

  it('starts a new replica with the tools the others learned (Redis), without starting its backends', async () => {
    type Health = {
      backends: Record<string, { running: boolean; restart_count: number; tools_cached: number }>;
    };
    const health = async (port: number) =>
      (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Health;
    const learned = (await health(replicas.get('r1')!.port)).backends;
    expect(learned.fixture!.tools_cached).toBeGreaterThan(0);
    expect(learned.conformance!.tools_cached).toBeGreaterThan(0);
    const config = join(dir, 'fresh.yaml');
    writeFileSync(config, fleetConfig('fresh-state')); // a state directory of its own, empty
    const port = await freePort();
    const fresh = startReplica('r4', port, config);
    try {
      const known = await waitFor(
        'the shared catalog on r4',
        async () => {
          const { backends } = await health(port);
          return Object.values(backends).every((b) => b.tools_cached > 0) ? backends : undefined;
        },
        60_000,
      );
      expect(known).toMatchObject({
        fixture: { running: false, restart_count: 0, tools_cached: learned.fixture!.tools_cached },
        conformance: { running: false, restart_count: 0, tools_cached: learned.conformance!.tools_cached },
      });
      const search = await fetch(`http://127.0.0.1:${port}/mcp`, {
        method: 'POST',
        ...modernRequest('tools/call', {
          name: 'gateway_search_tools',
          arguments: { query: 'echo the message' },
        }),
      });
      expect(JSON.stringify(await search.json())).toContain('fixture');
      expect((await health(port)).backends.fixture!.running).toBe(false); // searching needs no backend
    } finally {
      await stop(fresh);
    }
  });

  it('keeps serving while Redis is away, refuses only resumption (503), and recovers when it is back', async () => {
    const session = await rawSession();
    const before = await session.progress();
    expect(before.every((e) => e.id !== undefined)).toBe(true); // stored in Redis: resumable
    await stop(redis);
    const modern = await modernEcho('no redis');
    expect(modern.text).toBe('no redis');
    // An input-required retry needs Redis only to reach another replica: refused clearly, and fine on the holder.
    const round = await multiRound('r1', 1);
    const retry = { requestState: round.result!.requestState, inputResponses: NAME };
    expect((await multiRound('r2', 2, retry)).error).toEqual({
      code: -32603,
      message: expect.stringMatching(
        /^Replica r1, which holds this call, cannot be reached now \(.+\); send the request again without requestState\.$/,
      ) as string,
    });
    expect((await multiRound('r1', 3, retry)).result?.resultType).toBe('input_required');
    const during = await session.progress();
    expect(during.map((e) => e.data.method ?? 'result')).toEqual([
      'notifications/progress',
      'notifications/progress',
      'notifications/progress',
      'result',
    ]);
    expect(during.every((e) => e.id === undefined)).toBe(true); // delivered, but not resumable
    const refused = await session.resume(before[0]!.id!);
    expect(refused.status).toBe(503);
    expect(await refused.text()).toMatch(/event store cannot be read now/);
    redis = startRedis();
    await waitFor('resumable streams again', async () =>
      (await session.progress()).every((e) => e.id !== undefined) ? true : undefined,
    );
  });

  it('keeps serving while Redis hangs (paused, its connections open), and recovers when it answers again', async () => {
    const session = await rawSession();
    process.kill(redis.pid!, 'SIGSTOP');
    try {
      // Nothing waits on Redis for longer than its command timeout: a hang here fails the test, not a timing.
      expect((await within(10_000, modernEcho('redis hangs'))).text).toBe('redis hangs');
      const during = await within(10_000, session.progress());
      expect(during.map((e) => [e.data.method ?? 'result', e.id])).toEqual([
        ['notifications/progress', undefined],
        ['notifications/progress', undefined],
        ['notifications/progress', undefined],
        ['result', undefined],
      ]);
      expect((await within(10_000, modernEcho('still'))).text).toBe('still');
    } finally {
      process.kill(redis.pid!, 'SIGCONT');
    }
    await waitFor('resumable streams again', async () =>
      (await session.progress()).every((e) => e.id !== undefined) ? true : undefined,
    );
  });

  it('loses one replica: modern clients see no failure, its legacy clients re-initialize once, the others go on', async () => {
    // Sessions until every replica holds at least one.
    const sessions: Awaited<ReturnType<typeof legacyClient>>[] = [];
    while (
      new Set(sessions.map((s) => s.transport.sessionId!.split('.')[0])).size < 3 &&
      sessions.length < 30
    )
      sessions.push(await legacyClient());
    const ownerOf = (s: (typeof sessions)[number]) => s.transport.sessionId!.split('.')[0];
    const held = await multiRound('r1', 1);
    const dead = replicas.get('r1')!.child;
    const exited = new Promise((resolve) => dead.once('exit', resolve));
    process.kill(-dead.pid!, 'SIGKILL');
    await exited;

    const modern = await Promise.all(Array.from({ length: 20 }, (_, i) => modernEcho(`after ${i}`)));
    expect(modern.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `after ${i}`));
    expect(modern.some((m) => m.replica === 'r1')).toBe(false);
    // A modern call that was waiting on r1 for its client's answer is gone with it: refused at once, not a hang.
    const orphan = await multiRound('r3', 2, {
      requestState: held.result!.requestState,
      inputResponses: NAME,
    });
    expect(orphan.error?.message).toMatch(/^Unknown or expired requestState/);

    for (const session of sessions) {
      if (ownerOf(session) !== 'r1') {
        expect(await echo(session.client, `still ${session.transport.sessionId}`)).toBe(
          `still ${session.transport.sessionId}`,
        );
        continue;
      }
      // Its replica is gone: the backup answers that the session is unknown (404), never with another's data.
      await expect(echo(session.client, 'lost')).rejects.toThrow(/404|not found/i);
      const again = await legacyClient();
      expect(ownerOf(again)).not.toBe('r1');
      expect(await echo(again.client, 'recovered')).toBe('recovered');
      await again.client.close();
    }
    await Promise.all(sessions.map(({ client }) => client.close().catch(() => {})));
  });

  it('resumes, on another replica, the stream of a session whose replica died (Last-Event-ID), nothing twice', async () => {
    let session = await rawSession();
    while (!session.session.startsWith('r2.')) session = await rawSession(); // r1 is gone; nginx spreads the rest
    const sent = await session.progress();
    expect(sent).toHaveLength(4);
    await stop(replicas.get('r2')!.child, 'SIGKILL');
    const resumed = await session.resume(sent[0]!.id!);
    expect(resumed.status).toBe(200);
    expect(resumed.headers.get('mcp-gateway-replica')).toBe('r3');
    const replayed = events(await resumed.text());
    expect(replayed).toEqual(sent.slice(1)); // every event after the one named, once, in order
  });
});
