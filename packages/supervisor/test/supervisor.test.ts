import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isGatewayError } from '@mcp-gateway/core';
import { Supervisor, backoffDelay, defaultBackoff } from '../src/index';
import { FakeConnection, settings } from './fake-connection';

const backoff = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0, maxRestarts: 3, stableMs: 10_000 };

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and jitters within its bound', () => {
    const policy = { ...defaultBackoff, jitter: 0 };
    expect([1, 2, 3, 6, 7, 20].map((n) => backoffDelay(policy, n))).toEqual([
      500, 1000, 2000, 16000, 30000, 30000,
    ]);
    const jittered = { ...defaultBackoff, jitter: 0.2 };
    expect([backoffDelay(jittered, 1, () => 0), backoffDelay(jittered, 1, () => 1)]).toEqual([400, 600]);
  });
});

describe('Supervisor lifecycle (fake connections, fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts lazily, once, however many callers arrive together', async () => {
    const connect = vi.fn(async () => new FakeConnection('a'));
    await using supervisor = new Supervisor({ backends: { a: settings('a') }, connect, backoff });
    expect(supervisor.health().a!.state).toBe('configured');
    await Promise.all([supervisor.acquire('a'), supervisor.acquire('a'), supervisor.acquire('a')]);
    expect(connect).toHaveBeenCalledTimes(1);
    await vi.runAllTimersAsync();
    expect(supervisor.health().a).toEqual({
      running: true,
      restart_count: 0,
      tools_cached: 2,
      state: 'ready',
      last_error: null,
      uptime_s: 0,
      pid: null,
      sessions: 0,
      in_flight: 0,
      queued: 0,
      rejected: 0,
      transport: 'stdio',
      protocol_version: '2025-11-25',
    });
  });

  it('tells state listeners when a backend starts, crashes and comes back', async () => {
    const connections: FakeConnection[] = [];
    const connect = vi.fn(async () => {
      connections.push(new FakeConnection('a'));
      return connections.at(-1)!;
    });
    await using supervisor = new Supervisor({ backends: { a: settings('a') }, connect, backoff });
    const states: string[] = [];
    supervisor.onStateChange((backend, state) => states.push(`${backend}:${state}`));
    await supervisor.acquire('a');
    connections[0]!.crash('gone');
    await vi.runAllTimersAsync();
    expect(states).toEqual(['a:starting', 'a:ready', 'a:degraded', 'a:starting', 'a:ready']);
  });

  it('names the configured backends when asked for an unknown one', async () => {
    await using supervisor = new Supervisor({
      backends: { a: settings('a'), b: settings('b') },
      connect: async () => new FakeConnection('a'),
    });
    const error = await supervisor.acquire('zzz').catch((e: unknown) => e);
    expect(isGatewayError(error, 'BACKEND_NOT_FOUND') && error.message).toBe(
      'No backend named "zzz". Configured backends: a, b.',
    );
  });

  it('restarts a crashed backend after the backoff delay, and waiting callers get the new connection', async () => {
    const connections: FakeConnection[] = [];
    const connect = async () => connections[connections.push(new FakeConnection('a')) - 1]!;
    await using supervisor = new Supervisor({ backends: { a: settings('a') }, connect, backoff });
    await supervisor.acquire('a');
    connections[0]!.crash();
    expect(supervisor.health().a).toMatchObject({
      state: 'degraded',
      restart_count: 1,
      last_error: 'process exited with code 1',
      running: false,
    });
    const waiting = supervisor.acquire('a');
    await vi.advanceTimersByTimeAsync(99);
    expect(connections).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(connections).toHaveLength(2);
    expect(supervisor.health().a).toMatchObject({ state: 'ready', restart_count: 1 });
  });

  it('backs off exponentially on repeated start failures, then pauses and fails fast, never in a tight loop', async () => {
    const attempts: number[] = [];
    const connect = async () => {
      attempts.push(Date.now());
      throw new Error('spawn ENOENT');
    };
    await using supervisor = new Supervisor({ backends: { a: settings('a') }, connect, backoff });
    const start = Date.now();
    await expect(supervisor.acquire('a')).rejects.toThrow('Backend "a" failed to start: spawn ENOENT');
    await vi.advanceTimersByTimeAsync(900); // inside the 1 s pause that follows the 3rd failure
    expect(attempts.map((t) => t - start)).toEqual([0, 100, 300]); // delays 100, 200; the 3rd failure pauses
    const error = await supervisor.acquire('a').catch((e: unknown) => e);
    expect(isGatewayError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect(attempts).toHaveLength(3);
    expect(supervisor.health().a).toMatchObject({ state: 'degraded', last_error: 'spawn ENOENT' });
  });

  it('tries a paused backend again once the cap has passed and the backend is used', async () => {
    let fail = true;
    const connect = async () => {
      if (fail) throw new Error('down');
      return new FakeConnection('a');
    };
    await using supervisor = new Supervisor({ backends: { a: settings('a') }, connect, backoff });
    await supervisor.acquire('a').catch(() => {});
    await vi.advanceTimersByTimeAsync(300);
    fail = false;
    await expect(supervisor.acquire('a')).rejects.toThrow(
      /degraded after 3 failed attempts \(last error: down\); it will be tried again in 1 s/,
    );
    await vi.advanceTimersByTimeAsync(1000);
    await supervisor.acquire('a');
    expect(supervisor.health().a!.state).toBe('ready');
  });

  it('hibernates after the idle timeout, counted from the last request, and wakes on the next use', async () => {
    const connections: FakeConnection[] = [];
    const connect = async () => connections[connections.push(new FakeConnection('a')) - 1]!;
    await using supervisor = new Supervisor({ backends: { a: settings('a', 1000) }, connect, backoff });
    const connection = await supervisor.acquire('a');
    await vi.advanceTimersByTimeAsync(600);
    await connection.request('tools/call', {});
    await vi.advanceTimersByTimeAsync(600);
    expect(supervisor.health().a!.state).toBe('ready');
    await vi.advanceTimersByTimeAsync(400);
    expect([supervisor.health().a!.state, connections[0]!.isClosed]).toEqual(['hibernated', true]);
    await supervisor.acquire('a');
    expect([supervisor.health().a!.state, connections.length]).toEqual(['ready', 2]);
  });

  it('close() stops every backend and refuses new work; it is idempotent', async () => {
    const connection = new FakeConnection('a');
    const supervisor = new Supervisor({
      backends: { a: settings('a') },
      connect: async () => connection,
      backoff,
    });
    await supervisor.acquire('a');
    await Promise.all([supervisor.close(), supervisor.close()]);
    expect([connection.isClosed, supervisor.health().a!.state]).toEqual([true, 'stopped']);
    await expect(supervisor.acquire('a')).rejects.toThrow('The gateway is shutting down.');
  });
});
