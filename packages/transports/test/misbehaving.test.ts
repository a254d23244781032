import { describe, expect, it } from 'vitest';
import { fixtureBackend, groupMembers, processAlive } from '@mcp-gateway/examples';
import { isGatewayError, type JsonRpcNotification, type Logger } from '@mcp-gateway/core';
import { StdioTransport, Upstream } from '../src/index';

const alive = (pid: number, group = false) => (group ? groupMembers(pid).length > 0 : processAlive(pid));

/** A logger that keeps stderr lines, to read the fixture's grandchild pid. */
function recordingLogger(lines: string[]): Logger {
  const logger: Logger = {
    debug: () => {},
    info: (message) => void lines.push(message),
    warn: () => {},
    error: () => {},
    child: () => logger,
  };
  return logger;
}

function fixture(
  flags: string[] = [],
  options: {
    requestTimeoutMs?: number;
    startTimeoutMs?: number;
    graceMs?: number;
    logger?: Logger;
    maxMessageBytes?: number;
  } = {},
) {
  const transport = new StdioTransport({
    command: process.execPath,
    args: [fixtureBackend, ...flags],
    graceMs: options.graceMs ?? 300,
    logger: options.logger,
    maxMessageBytes: options.maxMessageBytes,
  });
  return {
    transport,
    connect: () =>
      Upstream.connect(transport, {
        backend: 'fixture',
        requestTimeoutMs: options.requestTimeoutMs ?? 5000,
        startTimeoutMs: options.startTimeoutMs ?? 5000,
      }),
  };
}

describe('misbehaving stdio backends', () => {
  it('a message over the limit: the process is killed, its whole group gone, and the reason said', async () => {
    const { transport, connect } = fixture([], { maxMessageBytes: 100_000 });
    const upstream = await connect();
    const pid = transport.pid!;
    const closed = new Promise<Error>((resolve) => upstream.onClose(resolve));
    expect(
      await upstream.request('tools/call', { name: 'huge-line', arguments: { bytes: 50_000 } }),
    ).toBeDefined();
    const call = upstream.request('tools/call', { name: 'hang', arguments: {} }).catch((e: unknown) => e);
    await upstream.notify('notifications/ping'); // nothing: the next call's answer never comes; the flood does
    void upstream.request('tools/call', { name: 'huge-line', arguments: { bytes: 200_000 } }).catch(() => {});
    expect((await closed).message).toBe(
      'Backend "fixture" closed the connection: process was killed: it sent a message over 100000 bytes (the limit per message).',
    );
    expect(isGatewayError(await call, 'BACKEND_CLOSED')).toBe(true);
    expect(alive(pid, true)).toBe(false);
  });

  it('crash on start: a clear error with the exit code and the last stderr lines', async () => {
    const error = await fixture(['--crash-on-start'])
      .connect()
      .catch((e: unknown) => e);
    expect(isGatewayError(error, 'BACKEND_CLOSED') && error.message).toBe(
      'Backend "fixture" closed the connection: process exited with code 1; last stderr: fixture: crashing on start as asked.',
    );
  });

  it('a command that does not exist fails to start with a readable error', async () => {
    const transport = new StdioTransport({ command: '/nonexistent/mcp-server' });
    const error = await Upstream.connect(transport, { backend: 'ghost' }).catch((e: unknown) => e);
    expect(isGatewayError(error, 'BACKEND_START_FAILED') && error.message).toBe(
      'Cannot start "/nonexistent/mcp-server": spawn /nonexistent/mcp-server ENOENT. Check the command and cwd.',
    );
  });

  it('never answers initialize: the start times out and the process is stopped', async () => {
    const { transport, connect } = fixture(['--never-initialize'], { startTimeoutMs: 300 });
    const error = await connect().catch((e: unknown) => e);
    expect(isGatewayError(error, 'BACKEND_START_TIMEOUT') && error.message).toBe(
      'Backend "fixture" did not answer start (initialize) within 300 ms.',
    );
    expect(alive(transport.pid!, true)).toBe(false);
  });

  it('hangs on a call: that call times out, the connection keeps serving', async () => {
    await using upstream = await fixture([], { requestTimeoutMs: 200 }).connect();
    const error = await upstream
      .request('tools/call', { name: 'hang', arguments: {} })
      .catch((e: unknown) => e);
    expect(isGatewayError(error, 'REQUEST_TIMEOUT') && error.message).toBe(
      'Backend "fixture" did not answer tools/call within 200 ms.',
    );
    expect(await upstream.request('tools/call', { name: 'echo', arguments: { message: 'ok' } })).toEqual({
      content: [{ type: 'text', text: 'ok' }],
    });
  });

  it('a long call that reports progress outlives the request timeout', async () => {
    await using upstream = await fixture([], { requestTimeoutMs: 300 }).connect();
    const progress: JsonRpcNotification[] = [];
    const result = await upstream.request(
      'tools/call',
      { name: 'progress', arguments: { steps: 6, ms: 150 }, _meta: { progressToken: 'p' } },
      { onNotification: (n) => progress.push(n) },
    );
    expect([result, progress.length]).toEqual([{ content: [{ type: 'text', text: 'done' }] }, 6]);
  });

  it('crashes mid-call: the caller gets BACKEND_CLOSED, not a hang', async () => {
    await using upstream = await fixture(['--crash-after', '1']).connect();
    await upstream.request('tools/call', { name: 'echo', arguments: { message: 'one' } });
    const error = await upstream
      .request('tools/call', { name: 'echo', arguments: { message: 'two' } })
      .catch((e: unknown) => e);
    expect(isGatewayError(error, 'BACKEND_CLOSED') && error.message).toMatch(
      /^Backend "fixture" closed the connection: process exited with code 1; last stderr: fixture: crashing at call 2 as asked\.$/,
    );
  });

  it('ignores SIGTERM: close() escalates to SIGKILL', async () => {
    const { transport, connect } = fixture(['--ignore-sigterm'], { graceMs: 200 });
    const upstream = await connect();
    const pid = transport.pid!;
    await upstream.close();
    expect(alive(pid, true)).toBe(false);
  });

  it('spawns a grandchild: close() stops the whole process group', async () => {
    const lines: string[] = [];
    const { transport, connect } = fixture(['--spawn-grandchild'], { logger: recordingLogger(lines) });
    const upstream = await connect();
    const grandchild = Number(/grandchild (\d+)/.exec(lines.join('\n'))?.[1]);
    expect(alive(grandchild)).toBe(true);
    await upstream.close();
    expect([alive(transport.pid!), alive(grandchild)]).toEqual([false, false]);
  });
});
