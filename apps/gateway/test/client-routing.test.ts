import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Gateway } from '../src/index';
import { startExampleGateway } from './helpers';

// Backend→client requests on a shared stdio backend (server-everything, one process for every client) must reach
// the client whose call caused them, and no other, also when the calls overlap.

describe('server→client requests on a shared stdio backend', () => {
  let gateway: Gateway;
  let url: URL;
  beforeAll(async () => ({ gateway, url } = await startExampleGateway('meta')));
  afterAll(() => gateway.close());

  // Each client answers only once both have been asked, so the two calls are surely in flight together. The
  // overlaps that depend on timing (an answer going back as the other call goes out, a long call beside an asking
  // one, a roots/list the backend asks on its own) are tested on `Upstream` in packages/transports.
  const bothAsked = (seen: string[]) => vi.waitFor(() => expect(seen).toHaveLength(2), { timeout: 5_000 });

  async function client(name: string, seen: string[]) {
    const c = new Client({ name, version: '1' }, { capabilities: { sampling: {}, elicitation: {} } });
    c.setRequestHandler('sampling/createMessage', async (request) => {
      const message = request.params.messages[0]!.content as { text: string };
      seen.push(`${name} sampled "${message.text}"`);
      await bothAsked(seen);
      return { model: name, role: 'assistant', content: { type: 'text', text: `answer from ${name}` } };
    });
    c.setRequestHandler('elicitation/create', async () => {
      seen.push(`${name} elicited`);
      await bothAsked(seen);
      return { action: 'accept', content: { name: `${name}-user` } };
    });
    await c.connect(new StreamableHTTPClientTransport(new URL('/mcp/everything', url)));
    return c;
  }

  it('sends each concurrent sampling request to its own client only', async () => {
    const seen: string[] = [];
    const [alice, bob] = await Promise.all([client('alice', seen), client('bob', seen)]);
    for (let round = 0; round < 5; round++) {
      seen.length = 0;
      const [a, b] = await Promise.all([
        alice.callTool({ name: 'trigger-sampling-request', arguments: { prompt: `alice-${round}` } }),
        bob.callTool({ name: 'trigger-sampling-request', arguments: { prompt: `bob-${round}` } }),
      ]);
      expect(JSON.stringify(a.content)).toContain('answer from alice');
      expect(JSON.stringify(b.content)).toContain('answer from bob');
      expect(seen.sort()).toEqual([
        `alice sampled "Resource trigger-sampling-request context: alice-${round}"`,
        `bob sampled "Resource trigger-sampling-request context: bob-${round}"`,
      ]);
    }
    await Promise.all([alice.close(), bob.close()]);
  });

  it('sends each concurrent elicitation to its own client only', async () => {
    const seen: string[] = [];
    const [alice, bob] = await Promise.all([client('alice', seen), client('bob', seen)]);
    const [a, b] = await Promise.all([
      alice.callTool({ name: 'trigger-elicitation-request', arguments: {} }),
      bob.callTool({ name: 'trigger-elicitation-request', arguments: {} }),
    ]);
    expect(JSON.stringify(a.content)).toContain('alice-user');
    expect(JSON.stringify(b.content)).toContain('bob-user');
    expect(seen.sort()).toEqual(['alice elicited', 'bob elicited']);
    await Promise.all([alice.close(), bob.close()]);
  });
});
