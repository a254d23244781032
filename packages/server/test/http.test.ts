import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readMessages } from '../src/internal/http';

const HEADERS = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
const LIMIT = 1000;

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/**
 * A real server on 127.0.0.1 that reads each POST with `readMessages` from the raw request, as the gateway does,
 * and answers with what it read (or the refusal); `failures` gets what readMessages threw.
 */
async function serve(failures: unknown[] = []): Promise<string> {
  server = createServer(async (req, res) => {
    const web = new Request('http://127.0.0.1/mcp', { method: 'POST', headers: HEADERS });
    try {
      const posted = await readMessages(web, LIMIT, req);
      if (!(posted instanceof Response)) return void res.writeHead(200).end(JSON.stringify(posted));
      res.writeHead(posted.status, Object.fromEntries(posted.headers)).end(await posted.text());
    } catch (error) {
      failures.push(error);
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

/** A POST whose body (chunked, no Content-Length) is written in `parts`, 10 ms apart; `end` false leaves it open. */
function post(url: string, parts: string[], end = true) {
  const req = request(url, { method: 'POST', headers: { ...HEADERS, 'transfer-encoding': 'chunked' } });
  const answer = new Promise<{ status: number; body: string; closed: Promise<void> }>((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      const closed = new Promise<void>((done) => req.socket!.once('close', () => done()));
      res.on('end', () => resolve({ status: res.statusCode!, body, closed }));
    });
    req.on('error', reject);
  });
  void (async () => {
    for (const part of parts) {
      req.write(part);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (end) req.end();
  })();
  return { req, answer };
}

describe('readMessages from the raw Node request, over a real socket', () => {
  it('reads a body that arrives in pieces', async () => {
    const url = await serve();
    const { answer } = post(url, [ping.slice(0, 10), ping.slice(10)]);
    const { status, body } = await answer;
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({ messages: [JSON.parse(ping)], batch: false });
  });

  it('answers 413 as soon as a body of unknown length grows past the limit, and closes the connection', async () => {
    const url = await serve();
    // The client never ends its body: only the server can end the exchange.
    const { req, answer } = post(url, ['x'.repeat(600), 'x'.repeat(600), 'x'.repeat(600)], false);
    const { status, body, closed } = await answer;
    expect(status).toBe(413);
    expect(JSON.parse(body).error.message).toMatch(/Payload Too Large/);
    await closed;
    req.destroy();
  });

  it('fails when the client closes the request before its body ended', async () => {
    const failures: unknown[] = [];
    const url = await serve(failures);
    const { req, answer } = post(url, [ping.slice(0, 10)], false);
    answer.catch(() => {}); // no answer comes: the client left
    await new Promise((resolve) => setTimeout(resolve, 50));
    req.destroy();
    await expect.poll(() => failures.length).toBe(1);
    expect(String(failures[0])).toMatch(/aborted|closed the request/);
  });
});
