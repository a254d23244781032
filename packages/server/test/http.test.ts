import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readMessages } from '../src/internal/http';

const HEADERS = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
const request = new Request('http://127.0.0.1/mcp', { method: 'POST', headers: HEADERS });
const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });

/** A Node stream as the server hands over the raw request: the body in `parts`, written one turn apart. */
function nodeBody(parts: string[]): PassThrough {
  const stream = new PassThrough();
  void (async () => {
    for (const part of parts) {
      await new Promise((resolve) => setImmediate(resolve));
      stream.write(part);
    }
    stream.end();
  })();
  return stream;
}

describe('readMessages from a Node stream (the raw request)', () => {
  it('reads a body that arrives in pieces', async () => {
    const posted = await readMessages(request, 1000, nodeBody([ping.slice(0, 10), ping.slice(10)]));
    expect(posted).toEqual({ messages: [JSON.parse(ping)], batch: false });
  });

  it('answers 413 as soon as the body grows past the limit, and stops reading it', async () => {
    const body = nodeBody(['x'.repeat(600), 'x'.repeat(600), 'x'.repeat(600)]);
    const posted = await readMessages(request, 1000, body);
    expect(posted).toBeInstanceOf(Response);
    expect((posted as Response).status).toBe(413);
    expect(body.destroyed).toBe(true);
  });

  it('fails when the client closes the request before its body ended', async () => {
    const body = new PassThrough();
    body.write(ping.slice(0, 10));
    setImmediate(() => body.destroy());
    await expect(readMessages(request, 1000, body)).rejects.toThrow(/closed the request/);
  });
});
