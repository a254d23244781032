import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/index';
import { connectClient, startExampleGateway } from './helpers';

// A few hundred generated malformed requests against the real gateway on a real socket. Each must get a precise
// refusal (the right HTTP status and a JSON-RPC error saying what was wrong), and a client session that stays
// open the whole time must never notice.

interface Case {
  kind: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
  /** The JSON-RPC error code the body must carry. */
  code: number;
}

/** A small deterministic PRNG (mulberry32), so a failure names a case that reproduces. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const VALID = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
const ODD_VALUES: unknown[] = [null, true, 0, -1.5, '', 'x', [], [1, 2], {}, { a: 1 }];

/** Whether a value is valid for a request field (a valid one would make the generated request well-formed). */
function fits(field: 'jsonrpc' | 'method' | 'id' | 'params', value: unknown): boolean {
  if (field === 'method') return typeof value === 'string';
  if (field === 'id') return typeof value === 'string' || typeof value === 'number';
  if (field === 'params') return typeof value === 'object' && value !== null && !Array.isArray(value);
  return value === '2.0';
}

function generate(sessions: Record<string, string>): Case[] {
  const random = prng(20261124);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const cases: Case[] = [];
  const text = JSON.stringify(VALID);
  for (const [path, session] of Object.entries(sessions)) {
    const sessionHeaders = {
      ...JSON_HEADERS,
      'mcp-session-id': session,
      'mcp-protocol-version': '2025-11-25',
    };
    // Broken JSON: every valid body cut short somewhere, plus stray bytes.
    for (let i = 0; i < 60; i++) {
      const cut = 1 + Math.floor(random() * (text.length - 2));
      cases.push({
        kind: 'broken JSON',
        path,
        headers: sessionHeaders,
        body: text.slice(0, cut),
        status: 400,
        code: -32700,
      });
    }
    for (const body of ['', '{', 'nul', '{"jsonrpc":"2.0",}', '\u0000\u0001', "{'a':1}"])
      cases.push({ kind: 'broken JSON', path, headers: sessionHeaders, body, status: 400, code: -32700 });
    // Wrong JSON-RPC shapes: one field of a valid request replaced by something of the wrong type.
    for (let i = 0; i < 60; i++) {
      const field = pick(['jsonrpc', 'method', 'id', 'params'] as const);
      const value = pick(ODD_VALUES.filter((v) => !fits(field, v)));
      cases.push({
        kind: `wrong ${field}`,
        path,
        headers: sessionHeaders,
        body: JSON.stringify({ ...VALID, [field]: value }),
        status: 400,
        code: -32600,
      });
    }
    for (const value of ODD_VALUES.filter((v) => !Array.isArray(v) && typeof v !== 'object'))
      cases.push({
        kind: 'not an object',
        path,
        headers: sessionHeaders,
        body: JSON.stringify(value),
        status: 400,
        code: -32600,
      });
    // Batches holding something invalid.
    for (let i = 0; i < 10; i++) {
      const bad = pick(ODD_VALUES.filter((v) => typeof v !== 'object' || v === null));
      cases.push({
        kind: 'batch',
        path,
        headers: sessionHeaders,
        body: JSON.stringify([VALID, bad]),
        status: 400,
        code: -32600,
      });
    }
    // Unknown sessions, wrong protocol versions, wrong headers, wrong methods.
    for (let i = 0; i < 15; i++) {
      cases.push({
        kind: 'unknown session',
        path,
        headers: { ...sessionHeaders, 'mcp-session-id': randomUUID() },
        body: text,
        status: 404,
        code: -32000,
      });
    }
    for (const version of ['1.0', '2099-01-01', 'latest', '2025-11-26', '"'])
      cases.push({
        kind: 'protocol version',
        path,
        headers: { ...sessionHeaders, 'mcp-protocol-version': version },
        body: text,
        status: 400,
        code: -32000,
      });
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data'])
      cases.push({
        kind: 'content type',
        path,
        headers: { ...sessionHeaders, 'content-type': type },
        body: text,
        status: 415,
        code: -32000,
      });
    for (const accept of ['application/json', 'text/event-stream', 'text/html'])
      cases.push({
        kind: 'accept',
        path,
        headers: { ...sessionHeaders, accept },
        body: text,
        status: 406,
        code: -32000,
      });
    for (const method of ['PUT', 'PATCH'])
      cases.push({
        kind: 'HTTP method',
        path,
        method,
        headers: sessionHeaders,
        body: text,
        status: 405,
        code: -32000,
      });
    // Bodies over the 4 MiB limit, with and without a truthful Content-Length.
    const huge = JSON.stringify({ ...VALID, params: { pad: 'x'.repeat(5 * 1024 * 1024) } });
    cases.push({ kind: 'huge body', path, headers: sessionHeaders, body: huge, status: 413, code: -32000 });
  }
  for (let i = 0; i < 10; i++) {
    const name = `nope-${Math.floor(random() * 1e6)}`;
    cases.push({
      kind: 'unknown backend',
      path: `/mcp/${name}`,
      headers: JSON_HEADERS,
      body: text,
      status: 404,
      code: -32602,
    });
  }
  return cases;
}

describe('malformed requests against the real gateway', () => {
  let gateway: Gateway;
  let url: URL;
  beforeAll(async () => ({ gateway, url } = await startExampleGateway('meta')));
  afterAll(() => gateway.close());

  it('refuses each precisely and never disturbs other sessions', async () => {
    await using bystander = await connectClient(new URL('/mcp/everything', url));
    await using metaBystander = await connectClient(url);
    // Real sessions on each endpoint, so that malformed requests reach the session's own checks too.
    await using direct = await connectClient(new URL('/mcp/everything', url));
    await using meta = await connectClient(url);
    const sessionOf = (client: typeof direct) => (client.transport as { sessionId?: string }).sessionId!;
    const cases = generate({ '/mcp/everything': sessionOf(direct), '/mcp': sessionOf(meta) });
    expect(cases.length).toBeGreaterThan(300);
    const wrong: string[] = [];
    for (const [index, c] of cases.entries()) {
      const response = await fetch(new URL(c.path, url), {
        method: c.method ?? 'POST',
        headers: c.headers,
        body: c.body,
      });
      const text = await response.text();
      let body: { jsonrpc?: string; error?: { code?: number; message?: string } } = {};
      try {
        body = JSON.parse(text);
      } catch {
        // reported below
      }
      const ok =
        response.status === c.status &&
        body.jsonrpc === '2.0' &&
        body.error?.code === c.code &&
        (body.error.message?.length ?? 0) > 10;
      if (!ok) wrong.push(`#${index} ${c.kind} on ${c.path}: ${response.status} ${text.slice(0, 200)}`);
      if (index % 25 === 0) {
        expect(
          (await bystander.callTool({ name: 'echo', arguments: { message: `${index}` } })).content,
        ).toEqual([{ type: 'text', text: `Echo: ${index}` }]);
        expect((await metaBystander.listTools()).tools).toHaveLength(4);
      }
    }
    expect(wrong).toEqual([]);
    expect((await direct.listTools()).tools).toHaveLength(17);
    expect((await meta.listTools()).tools).toHaveLength(4);
  });
});
