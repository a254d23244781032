import { describe, expect, it } from 'vitest';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { connectClient, exampleGatewayForFile } from './helpers';

// A client loses an SSE stream halfway through a long call and resumes it with Last-Event-ID (2025-11-25):
// nothing is lost and nothing comes twice, on /mcp/{backend} and on /mcp.

const example = exampleGatewayForFile('meta');

interface SseEvent {
  id?: string;
  data: string;
}

/** Reads SSE events from a response until `stop` says so (or the stream ends), then lets go of the connection. */
async function readEvents(response: Response, stop: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  let buffer = '';
  while (!stop(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const fields = Object.fromEntries(
        buffer
          .slice(0, end)
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
      );
      buffer = buffer.slice(end + 2);
      events.push({ id: fields.id, data: fields.data ?? '' });
    }
  }
  await reader.cancel();
  return events;
}

const messages = (events: SseEvent[]) => events.filter((e) => e.data).map((e) => JSON.parse(e.data));
const progressOf = (events: SseEvent[]) =>
  messages(events)
    .filter((m) => m.method === 'notifications/progress')
    .map((m) => m.params.progress);
const answered = (events: SseEvent[]) => messages(events).some((m) => m.id === 2);

async function openSession(url: URL): Promise<Record<string, string>> {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'resume', version: '1' },
      },
    }),
  });
  await init.text();
  const session = {
    ...headers,
    'mcp-session-id': init.headers.get('mcp-session-id')!,
    'mcp-protocol-version': '2025-11-25',
  };
  await fetch(url, {
    method: 'POST',
    headers: session,
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  return session;
}

/** A call that reports progress 1…5 over about 1.5 s, its stream cut after the first progress, then resumed. */
async function cutAndResume(url: URL, params: Record<string, unknown>) {
  const session = await openSession(url);
  const call = await fetch(url, {
    method: 'POST',
    headers: session,
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params }),
  });
  expect(call.headers.get('content-type')).toContain('text/event-stream');
  const before = await readEvents(call, (events) => progressOf(events).length >= 1);
  const last = before.findLast((e) => e.id !== undefined)!.id!;
  await new Promise((resolve) => setTimeout(resolve, 600)); // the call goes on while the client is away
  const resumed = await fetch(url, { headers: { ...session, 'last-event-id': last } });
  expect(resumed.status).toBe(200);
  const after = await readEvents(resumed, answered);
  return { session, before, after, last };
}

const longCall = { name: 'trigger-long-running-operation', arguments: { duration: 1.5, steps: 5 } };

describe('resuming a lost SSE stream with Last-Event-ID', () => {
  it('on /mcp/{backend}: the rest of the progress and the result, once each', async () => {
    const url = new URL('/mcp/everything', example.url);
    const { session, before, after, last } = await cutAndResume(url, {
      ...longCall,
      _meta: { progressToken: 'p' },
    });
    expect([...progressOf(before), ...progressOf(after)]).toEqual([1, 2, 3, 4, 5]);
    const result = messages(after).find((m) => m.id === 2);
    expect(JSON.stringify(result.result.content)).toContain('completed');

    // The stream has ended: resuming it again replays what came after that event, then closes.
    const again = await readEvents(
      await fetch(url, { headers: { ...session, 'last-event-id': last } }),
      () => false,
    );
    expect(progressOf(again)).toEqual(progressOf(after));
  });

  it('on /mcp (gateway_invoke): the same, through the gateway session transport', async () => {
    const { before, after } = await cutAndResume(example.url, {
      name: 'gateway_invoke',
      arguments: { server: 'everything', tool: longCall.name, arguments: longCall.arguments },
      _meta: { progressToken: 'p' },
    });
    expect([...progressOf(before), ...progressOf(after)]).toEqual([1, 2, 3, 4, 5]);
    expect(JSON.stringify(messages(after).find((m) => m.id === 2).result)).toContain('completed');
  });

  it("refuses another session's event id and an unknown one", async () => {
    const url = new URL('/mcp/everything', example.url);
    const { last } = await cutAndResume(url, { ...longCall, _meta: { progressToken: 'p' } });
    const other = await openSession(url);
    for (const id of [last, '999999999']) {
      const response = await fetch(url, { headers: { ...other, 'last-event-id': id } });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { message: /names no event this session kept/ } });
    }
  });

  it('lets the SDK client finish a call whose stream broke', async () => {
    // A fetch that breaks the first tools/call stream after its first event, as a dropped connection would.
    let broken = false;
    const breaking: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const isCall = init?.method === 'POST' && String(init.body).includes('"tools/call"');
      if (!isCall || broken || !response.body) return response;
      broken = true;
      const reader = response.body.getReader();
      const first = await reader.read();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(first.value!);
          setTimeout(() => {
            void reader.cancel();
            controller.error(new TypeError('terminated'));
          }, 100);
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
    await using client = await connectClient(new URL('/mcp/everything', example.url));
    await client.close();
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp/everything', example.url), {
        fetch: breaking,
        reconnectionOptions: {
          initialReconnectionDelay: 50,
          maxReconnectionDelay: 200,
          reconnectionDelayGrowFactor: 1,
          maxRetries: 3,
        },
      }),
    );
    const progress: number[] = [];
    const result = await client.callTool(longCall, { onprogress: (p) => progress.push(p.progress) });
    expect(broken).toBe(true);
    expect(JSON.stringify(result.content)).toContain('completed');
    expect(progress).toEqual([1, 2, 3, 4, 5]);
  });
});
