import { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { StdioTransport } from '../src/index';

// A process that says when it is ready, then, once `expected` notes have come, which ones and in how many reads.
const COUNTER = `
let reads = 0;
const seen = [];
const expected = Number(process.argv[1]);
const say = (method, params) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', method, params }) + '\\n');
process.stdin.on('data', (chunk) => {
  reads++;
  for (const line of chunk.toString().split('\\n').filter(Boolean)) seen.push(JSON.parse(line).params.n);
  if (seen.length >= expected) say('count', { reads, seen });
});
say('ready', {});
`;

let transport: StdioTransport | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await transport?.close();
});

async function counter(expected: number) {
  transport = new StdioTransport({ command: process.execPath, args: ['-e', COUNTER, String(expected)] });
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const count = new Promise<{ reads: number; seen: number[] }>((resolve) => {
    transport!.onmessage = (message: JSONRPCMessage) => {
      const { method, params } = message as unknown as {
        method: string;
        params: { reads: number; seen: number[] };
      };
      if (method === 'ready') ready();
      else resolve(params);
    };
  });
  await transport.start();
  await started;
  const send = (n: number) => transport!.send({ jsonrpc: '2.0', method: 'note', params: { n } });
  return { count, send };
}

/** How many writes to a socket or pipe carried the notes (one system call each). */
function countWrites(): () => number {
  const writes: unknown[] = [];
  const write = Socket.prototype._write;
  const writev = Socket.prototype._writev!;
  vi.spyOn(Socket.prototype, '_write').mockImplementation(function (this: Socket, ...args) {
    writes.push(args[0]);
    return write.apply(this, args);
  });
  vi.spyOn(Socket.prototype, '_writev').mockImplementation(function (this: Socket, ...args) {
    writes.push(args[0]);
    return writev.apply(this, args);
  });
  return () => writes.filter((chunk) => JSON.stringify(chunk).includes('note')).length;
}

describe('StdioTransport', () => {
  it('writes the messages sent in one turn of the event loop to the pipe at once, in order', async () => {
    const { count, send } = await counter(20);
    const writes = countWrites();
    await Promise.all(Array.from({ length: 20 }, (_, n) => send(n)));
    expect(await count).toEqual({ reads: 1, seen: Array.from({ length: 20 }, (_, n) => n) });
    expect(writes()).toBe(1);
  });

  it('sends a message on its own when nothing else goes out in its turn', async () => {
    const { count, send } = await counter(3);
    const writes = countWrites();
    for (const n of [0, 1, 2]) {
      await send(n);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await count).seen).toEqual([0, 1, 2]);
    expect(writes()).toBe(3);
  });
});
