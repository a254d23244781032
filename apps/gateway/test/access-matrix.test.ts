import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Client,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type ClientOptions,
  type Transport,
} from '@modelcontextprotocol/client';
import { everythingServer, filesystemServer, memoryServer } from '@mcp-gateway/examples';
import type { Logger } from '@mcp-gateway/core';
import { Gateway, GatewayConfig } from '../src/index';

// Access rules on every path: the matrix of endpoint × method × {allowed, hidden}, with real backends and the SDK
// client. Nothing hidden is ever listed, found, read or called, and what is hidden is refused exactly as what does
// not exist.

const KEYS = {
  alice: 'alice-key-7f3a9c',
  bob: 'bob-key-2e8d41',
  carol: 'carol-key-99b0c2',
  root: 'root-key-5a1d7e',
};
type Who = keyof typeof KEYS;

/** What each client may see, written out by hand (not computed by the code under test). */
const VISIBLE: Record<Who, (backend: string, item: string) => boolean> = {
  alice: (backend, item) =>
    backend === 'memory'
      ? !item.startsWith('delete_')
      : backend === 'everything' &&
        (['echo', 'simple-prompt', 'demo://resource/static/document/features.md'].includes(item) ||
          item.startsWith('demo://resource/dynamic/text/')),
  bob: (backend) => backend === 'filesystem',
  carol: () => false,
  root: () => true,
};
const BACKENDS = ['everything', 'memory', 'filesystem'];

const audit: Record<string, unknown>[] = [];
const recording: Logger = {
  debug() {},
  info(message, fields) {
    if (message === 'audit') audit.push(fields ?? {});
  },
  warn() {},
  error() {},
  child() {
    return recording;
  },
};

function config(mode: 'meta' | 'aggregate', dir: string) {
  return GatewayConfig.parse(
    `state_dir: ${join(dir, 'state')}
port: 0
mode: ${mode}
auth:
  api_keys:
${Object.entries(KEYS)
  .map(([name, key]) => `    - { name: ${name}, key: "${key}"${name === 'bob' ? ', roles: [ops]' : ''} }`)
  .join('\n')}
access:
  - client: alice
    allow: ["memory/*", "everything/echo", "everything/simple-prompt", "everything/demo://resource/static/document/features.md", "everything/demo://resource/dynamic/text/*"]
    deny: ["memory/delete_*"]
  - { role: ops, allow: ["filesystem"] }
  - { client: root, allow: ["*"] }
backends:
  everything: { command: "node ${everythingServer} stdio" }
  memory: { command: "node ${memoryServer}", env: { MEMORY_FILE_PATH: "${join(dir, 'memory.jsonl')}" } }
  filesystem: { command: "node ${filesystemServer} ${dir}" }
`,
    { baseDir: dir },
  );
}

const gateways = {} as Record<'meta' | 'aggregate', { gateway: Gateway; base: URL }>;
/** Every tool, prompt, resource and template of each backend, as root sees them (the whole universe). */
const universe: Record<
  string,
  { tools: string[]; prompts: string[]; resources: string[]; templates: string[] }
> = {};

const headers = (who: Who) => ({ authorization: `Bearer ${KEYS[who]}` });
const http = (url: URL, who: Who) =>
  new StreamableHTTPClientTransport(url, { requestInit: { headers: headers(who) } });
const sse = (url: URL, who: Who) => new SSEClientTransport(url, { requestInit: { headers: headers(who) } });
const modern: ClientOptions = { versionNegotiation: { mode: { pin: '2026-07-28' } } };

async function connect(transport: Transport, options: ClientOptions = {}) {
  const client = new Client({ name: 'matrix', version: '1' }, options);
  await client.connect(transport);
  return client;
}

/** The error a call fails with, as the client sees it (message), or the tool error text of a failed result. */
async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    const result = (await run()) as { isError?: boolean; content?: { text?: string }[] };
    if (result?.isError) return `tool error: ${result.content?.[0]?.text}`;
    return 'no refusal';
  } catch (error) {
    return (error as Error).message;
  }
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-matrix-'));
  for (const mode of ['meta', 'aggregate'] as const) {
    const gateway = new Gateway(config(mode, dir), { logger: recording });
    gateways[mode] = { gateway, base: await gateway.start() };
  }
  for (const backend of BACKENDS) {
    const client = await connect(http(new URL(`/mcp/${backend}`, gateways.meta.base), 'root'));
    const capabilities = client.getServerCapabilities() ?? {};
    universe[backend] = {
      tools: (await client.listTools()).tools.map((t) => t.name),
      prompts: capabilities.prompts ? (await client.listPrompts()).prompts.map((p) => p.name) : [],
      resources: capabilities.resources ? (await client.listResources()).resources.map((r) => r.uri) : [],
      templates: capabilities.resources
        ? (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)
        : [],
    };
    await client.close();
  }
  // Let the catalog of every backend be learned (the aggregate lists come from it).
  const deadline = Date.now() + 20_000;
  while (
    Date.now() < deadline &&
    !Object.values(gateways.aggregate.gateway.health()).every((b) => b.tools_cached > 0)
  )
    await new Promise((resolve) => setTimeout(resolve, 100));
}, 60_000);
afterAll(async () => {
  await Promise.all(Object.values(gateways).map(({ gateway }) => gateway.close()));
});

const WHO: Who[] = ['alice', 'bob', 'carol'];

describe.each(WHO)(
  '%s, on /mcp/{backend} (2025 sessions and 2026-07-28 requests) and /sse/{backend}',
  (who) => {
    it.each(BACKENDS)(
      '%s: lists only what it may see, and is refused the rest as if it did not exist',
      async (backend) => {
        const sees = (item: string) => VISIBLE[who](backend, item);
        const all = universe[backend]!;
        const visible =
          BACKENDS.includes(backend) &&
          [...all.tools, ...all.prompts, ...all.resources, ...all.templates].some(sees);
        const paths = [
          ['2025 session', () => http(new URL(`/mcp/${backend}`, gateways.meta.base), who), {}],
          ['2026-07-28', () => http(new URL(`/mcp/${backend}`, gateways.meta.base), who), modern],
          ['SSE', () => sse(new URL(`/sse/${backend}`, gateways.meta.base), who), {}],
        ] as const;
        for (const [era, transport, options] of paths) {
          if (!visible) {
            // A hidden backend answers exactly as one that does not exist.
            const [hidden, missing] = await Promise.all([
              refusal(() => connect(transport(), options)),
              refusal(() =>
                connect(
                  era === 'SSE'
                    ? sse(new URL('/sse/no-such-backend', gateways.meta.base), who)
                    : http(new URL('/mcp/no-such-backend', gateways.meta.base), who),
                  options,
                ),
              ),
            ]);
            expect([era, hidden.replace(backend, 'NAME')]).toEqual([
              era,
              missing.replace('no-such-backend', 'NAME'),
            ]);
            continue;
          }
          const client = await connect(transport(), options);
          const listed = {
            tools: (await client.listTools()).tools.map((t) => t.name),
            prompts: all.prompts.length ? (await client.listPrompts()).prompts.map((p) => p.name) : [],
            resources: all.resources.length ? (await client.listResources()).resources.map((r) => r.uri) : [],
            templates: all.templates.length
              ? (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)
              : [],
          };
          expect([era, listed]).toEqual([
            era,
            {
              tools: all.tools.filter(sees),
              prompts: all.prompts.filter(sees),
              resources: all.resources.filter(sees),
              templates: all.templates.filter(sees),
            },
          ]);
          for (const tool of all.tools.filter((t) => !sees(t))) {
            const [hidden, missing] = await Promise.all([
              refusal(() => client.callTool({ name: tool, arguments: {} })),
              refusal(() => client.callTool({ name: `${tool}-missing`, arguments: {} })),
            ]);
            expect([era, tool, hidden]).toEqual([era, tool, missing.replace(`${tool}-missing`, tool)]);
          }
          for (const prompt of all.prompts.filter((p) => !sees(p)))
            expect([era, prompt, await refusal(() => client.getPrompt({ name: prompt }))]).toEqual([
              era,
              prompt,
              await refusal(() => client.getPrompt({ name: `${prompt}-missing` })).then((m) =>
                m.replace(`${prompt}-missing`, prompt),
              ),
            ]);
          for (const uri of all.resources.filter((r) => !sees(r)))
            expect([era, uri, await refusal(() => client.readResource({ uri }))]).toEqual([
              era,
              uri,
              expect.stringContaining(`Resource ${uri} not found`),
            ]);
          await client.close();
        }
      },
    );
  },
);

describe.each(WHO)('%s, on /mcp with the meta-tools (2025 session, 2026-07-28, SSE)', (who) => {
  it('lists, searches and invokes only what it may see; the rest is refused as missing', async () => {
    const paths = [
      ['2025 session', () => http(new URL('/mcp', gateways.meta.base), who), {}],
      ['2026-07-28', () => http(new URL('/mcp', gateways.meta.base), who), modern],
      ['SSE', () => sse(new URL('/sse', gateways.meta.base), who), {}],
    ] as const;
    for (const [era, transport, options] of paths) {
      const client = await connect(transport(), options);
      const call = (name: string, args: Record<string, unknown>) =>
        client.callTool({ name, arguments: args });
      const servers = (await call('gateway_list_servers', {})).structuredContent as {
        servers: { name: string }[];
      };
      const seen = BACKENDS.filter((b) =>
        Object.values(universe[b]!)
          .flat()
          .some((i) => VISIBLE[who](b, i)),
      );
      expect([era, servers.servers.map((s) => s.name)]).toEqual([era, seen]);
      for (const backend of BACKENDS) {
        const tools = universe[backend]!.tools;
        const listing = await call('gateway_list_tools', { server: backend });
        if (!seen.includes(backend)) {
          expect([era, backend, await refusal(async () => listing)]).toEqual([
            era,
            backend,
            await refusal(() => call('gateway_list_tools', { server: 'no-such-backend' })).then((m) =>
              m.replace('no-such-backend', backend),
            ),
          ]);
          continue;
        }
        const names = (listing.structuredContent as { tools: { name: string }[] }).tools.map((t) => t.name);
        expect([era, backend, names]).toEqual([era, backend, tools.filter((t) => VISIBLE[who](backend, t))]);
        for (const tool of tools.filter((t) => !VISIBLE[who](backend, t))) {
          // Search never finds it, even by its exact name, and invoking it is answered as a missing tool.
          const found = (await call('gateway_search_tools', { query: `${backend}/${tool}`, limit: 50 }))
            .structuredContent as { results: { server: string; name: string }[] };
          expect(found.results.filter((r) => r.server === backend && r.name === tool)).toEqual([]);
          const [hidden, missing] = await Promise.all([
            refusal(() => call('gateway_invoke', { server: backend, tool, arguments: {} })),
            refusal(() => call('gateway_invoke', { server: backend, tool: `${tool}-zzz`, arguments: {} })),
          ]);
          expect([era, tool, hidden.split(' Closest:')[0]]).toEqual([
            era,
            tool,
            missing.replace(`${tool}-zzz`, tool).split(' Closest:')[0],
          ]);
        }
      }
      await client.close();
    }
  });
});

describe.each(WHO)('%s, on /mcp in aggregate mode', (who) => {
  it('lists and serves only what it may see: tools, resources, templates and prompts', async () => {
    const client = await connect(http(new URL('/mcp', gateways.aggregate.base), who));
    const expectedTools = BACKENDS.flatMap((b) =>
      universe[b]!.tools.filter((t) => VISIBLE[who](b, t)).map((t) => `${b}__${t}`),
    );
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(expectedTools);
    expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(
      BACKENDS.flatMap((b) =>
        universe[b]!.resources.filter((r) => VISIBLE[who](b, r)).map((r) => `gateway://${b}/${r}`),
      ),
    );
    expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual(
      BACKENDS.flatMap((b) =>
        universe[b]!.templates.filter((t) => VISIBLE[who](b, t)).map((t) => `gateway://${b}/${t}`),
      ),
    );
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(
      BACKENDS.flatMap((b) =>
        universe[b]!.prompts.filter((p) => VISIBLE[who](b, p)).map((p) => `${b}__${p}`),
      ),
    );
    for (const backend of BACKENDS) {
      for (const tool of universe[backend]!.tools.filter((t) => !VISIBLE[who](backend, t)))
        expect(await refusal(() => client.callTool({ name: `${backend}__${tool}`, arguments: {} }))).toBe(
          (await refusal(() => client.callTool({ name: `${backend}__${tool}zz`, arguments: {} }))).replace(
            `${tool}zz`,
            tool,
          ),
        );
      for (const prompt of universe[backend]!.prompts.filter((p) => !VISIBLE[who](backend, p)))
        expect(await refusal(() => client.getPrompt({ name: `${backend}__${prompt}` }))).toBe(
          (await refusal(() => client.getPrompt({ name: `${backend}__${prompt}zz` }))).replace(
            `${prompt}zz`,
            prompt,
          ),
        );
      for (const uri of universe[backend]!.resources.filter((r) => !VISIBLE[who](backend, r))) {
        // A hidden backend's resource is refused as one of no backend; a hidden resource as one not found.
        const read = (name: string) =>
          refusal(() => client.readResource({ uri: `gateway://${name}/${uri}` }));
        const seesBackend = Object.values(universe[backend]!)
          .flat()
          .some((i) => VISIBLE[who](backend, i));
        if (seesBackend)
          expect(await read(backend)).toContain(`Resource gateway://${backend}/${uri} not found`);
        else
          expect(await read(backend)).toBe(
            (await read('no-such-backend')).replace('no-such-backend', backend),
          );
      }
    }
    await client.close();
  });
});

describe('what reached the backends', () => {
  it('is only what the callers were allowed: every audited call is visible to its client', () => {
    const names = { 'api-key:alice': 'alice', 'api-key:bob': 'bob', 'api-key:carol': 'carol' } as Record<
      string,
      Who
    >;
    const byOthers = audit.filter((line) => line.client !== 'api-key:root');
    const forbidden = byOthers.filter(
      (line) => !VISIBLE[names[String(line.client)]!](String(line.backend), String(line.name)),
    );
    expect(forbidden).toEqual([]);
  });
});

describe('sessions belong to their client', () => {
  it("answers another client's session id exactly like an unknown one", async () => {
    const alice = await connect(http(new URL('/mcp/memory', gateways.meta.base), 'alice'));
    const session = (alice.transport as StreamableHTTPClientTransport).sessionId!;
    const post = (id: string) =>
      fetch(new URL('/mcp/memory', gateways.meta.base), {
        method: 'POST',
        headers: {
          ...headers('root'),
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': id,
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      }).then(async (r) => [r.status, await r.text()]);
    expect(await post(session)).toEqual(await post('00000000-0000-4000-8000-000000000000'));
    expect((await alice.listTools()).tools.length).toBeGreaterThan(0); // alice's own session still works
    await alice.close();
  });
});
