import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ClientIdentity } from '@mcp-gateway/core';
import { AccessPolicy, ApiKeys, RateLimiter, auditFields, checkRequest, visibleResult } from '../src/index';

const client = (name: string, roles: string[] = []): ClientIdentity => ({
  name,
  via: 'api-key',
  roles,
  scopes: [],
});

describe('AccessPolicy', () => {
  const policy = new AccessPolicy([
    { client: 'alice', allow: ['memory/*', 'everything/echo'], deny: ['memory/delete_*'] },
    { role: 'ops', allow: ['filesystem'], deny: [] },
    { client: 'mallory', allow: ['memory/*'], deny: ['memory/*'] },
  ]);

  it('answers per client and role; deny wins; a client no rule names sees nothing', () => {
    const cases: [ClientIdentity | null, string, string, boolean][] = [
      [client('alice'), 'memory', 'create_entities', true],
      [client('alice'), 'memory', 'delete_entities', false],
      [client('alice'), 'everything', 'echo', true],
      [client('alice'), 'everything', 'get-sum', false],
      [client('alice'), 'filesystem', 'read_text_file', false],
      [client('bob', ['ops']), 'filesystem', 'read_text_file', true],
      [client('bob', ['ops']), 'filesystem', 'file:///etc/passwd', true],
      [client('bob', ['ops']), 'memory', 'read_graph', false],
      [client('mallory'), 'memory', 'read_graph', false],
      [client('nobody'), 'memory', 'read_graph', false],
      [null, 'memory', 'delete_entities', true], // the trusted local front door
    ];
    for (const [identity, backend, item, allowed] of cases)
      expect([identity?.name, backend, item, policy.scope(identity).allows(backend, item)]).toEqual([
        identity?.name,
        backend,
        item,
        allowed,
      ]);
    const sees = (identity: ClientIdentity) =>
      ['memory', 'everything', 'filesystem'].filter((b) => policy.scope(identity).seesBackend(b));
    expect([
      sees(client('alice')),
      sees(client('bob', ['ops'])),
      sees(client('mallory')),
      sees(client('nobody')),
    ]).toEqual([['memory', 'everything'], ['filesystem'], [], []]);
  });

  it('lets everyone see everything while there are no rules', () => {
    const open = new AccessPolicy([]).scope(client('anyone'));
    expect([open.seesBackend('memory'), open.allows('memory', 'delete_entities')]).toEqual([true, true]);
  });

  it('takes hidden items out of list results and refuses them as a backend refuses missing ones', () => {
    const alice = policy.scope(client('alice'));
    const tools = { tools: [{ name: 'create_entities' }, { name: 'delete_entities' }], nextCursor: 'x' };
    expect(visibleResult(alice, 'memory', 'tools/list', tools)).toEqual({
      tools: [{ name: 'create_entities' }],
      nextCursor: 'x',
    });
    expect(() => checkRequest(alice, 'memory', 'tools/call', { name: 'delete_entities' })).toThrow(
      'Unknown tool: delete_entities',
    );
    expect(() => checkRequest(alice, 'everything', 'resources/read', { uri: 'demo://resource/1' })).toThrow(
      'Resource demo://resource/1 not found',
    );
    expect(() => checkRequest(alice, 'memory', 'tools/call', { name: 'read_graph' })).not.toThrow();
  });
});

describe('ApiKeys', () => {
  it('identifies a key by its SHA-256 and nothing else', () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const keys = new ApiKeys([
      { name: 'alice', sha256: sha('alice-key'), roles: ['ops'] },
      { name: 'bob', sha256: sha('bob-key'), roles: [] },
    ]);
    expect(keys.identify('alice-key')).toEqual({ name: 'alice', via: 'api-key', roles: ['ops'], scopes: [] });
    expect([keys.identify('alice-key '), keys.identify(''), keys.identify(sha('alice-key'))]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('RateLimiter', () => {
  it('grants a burst, then one per 1/rate seconds, and says how long to wait', () => {
    let now = 0;
    const limiter = new RateLimiter({ rate: 2, burst: 3 }, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('alice'))).toEqual([undefined, undefined, undefined, 1]);
    expect(limiter.take('bob')).toBeUndefined(); // a bucket each
    now = 500;
    expect([limiter.take('alice'), limiter.take('alice')]).toEqual([undefined, 1]);
    expect(limiter.refused).toBe(2);
  });

  it('forgets clients at rest rather than grow without bound', () => {
    let now = 0;
    const limiter = new RateLimiter({ rate: 1, burst: 1 }, () => now);
    for (let i = 0; i < 10_001; i++) limiter.take(`client-${i}`);
    now = 10_000;
    limiter.take('one-more');
    expect(limiter.clients).toBeLessThanOrEqual(10_000);
  });
});

describe('auditFields', () => {
  it('records tool calls, reads and prompts, with arguments only when asked', () => {
    const call = {
      backend: 'memory',
      method: 'tools/call',
      params: { name: 'create_entities', arguments: { entities: [] } },
      client: client('alice'),
      durationMs: 12.345,
      result: { content: [], isError: true },
    };
    expect(auditFields(call, false)).toEqual({
      method: 'tools/call',
      client: 'api-key:alice',
      backend: 'memory',
      name: 'create_entities',
      duration_ms: 12.3,
      outcome: 'tool_error',
    });
    expect(
      auditFields({ ...call, result: undefined, error: { code: 'REQUEST_TIMEOUT' } }, true),
    ).toMatchObject({
      outcome: 'error',
      error_code: 'REQUEST_TIMEOUT',
      arguments: { entities: [] },
    });
    expect(auditFields({ ...call, method: 'tools/list' }, true)).toBeUndefined();
  });
});
