import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureBackend } from '@mcp-gateway/examples';
import type { LogFields, Logger } from '@mcp-gateway/core';
import { Gateway, GatewayConfig } from '../src/index';

const ADMIN = 'admin-key-0123456789abcdef';
const USER = 'user-key-0123456789abcdef';

function config(overrides: Record<string, unknown> = {}) {
  return new GatewayConfig(
    {
      port: 0,
      state_dir: mkdtempSync(join(tmpdir(), 'mcpgw-console-')),
      auth: {
        api_keys: [
          { name: 'root', key: ADMIN, roles: ['admin'] },
          { name: 'bob', key: USER },
        ],
      },
      backends: { fixture: { command: process.execPath, args: [fixtureBackend] } },
      ...overrides,
    },
    { env: {} },
  );
}

/** Every line written, for the audit checks. */
const lines: { message: string; fields: LogFields }[] = [];
const capture = (bindings: LogFields = {}): Logger => {
  const log = (message: string, fields: LogFields = {}) =>
    lines.push({ message, fields: { ...bindings, ...fields } });
  return { debug: log, info: log, warn: log, error: log, child: (more) => capture({ ...bindings, ...more }) };
};

let gateway: Gateway;
let base: URL;
beforeAll(async () => {
  gateway = new Gateway(config(), { logger: capture(), load: () => config() });
  base = await gateway.start();
});
afterAll(() => gateway?.close());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(new URL(path, base), { headers: { accept: 'text/html', ...headers }, redirect: 'manual' });
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(new URL(path, base), {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base.origin, ...headers },
    redirect: 'manual',
  });
const audits = () => lines.filter((line) => line.fields.log === 'audit' && line.fields.action);

describe('the console with authentication on', () => {
  it('sends a browser without credentials to the sign-in page, and a script gets 401', async () => {
    const page = await get('/ui');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/ui/login');
    expect((await get('/ui/events', { accept: 'text/event-stream' })).status).toBe(401);
    const login = await get('/ui/login');
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('API key or access token');
  });

  it('refuses a client without the admin role, and bad credentials, with the same page', async () => {
    expect((await get('/ui', { authorization: `Bearer ${USER}` })).status).toBe(403);
    for (const token of [USER, 'not-a-key']) {
      const refused = await post('/ui/login', `token=${token}`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('set-cookie')).toBeNull();
    }
    expect(audits().filter((a) => a.fields.action === 'console.sign_in_refused')).toHaveLength(2);
    expect(JSON.stringify(lines)).not.toContain(USER);
  });

  it('serves an admin by header, or by the cookie its sign-in set; every action is audited', async () => {
    const byHeader = await get('/ui', { authorization: `Bearer ${ADMIN}` });
    expect(byHeader.status).toBe(200);
    expect(await byHeader.text()).toContain('backend-fixture');

    const signIn = await post('/ui/login', `token=${ADMIN}`);
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toContain(ADMIN); // the browser keeps a random id, not the key
    const session = cookie.split(';')[0]!;
    expect((await get('/ui/catalog?q=echo', { cookie: session })).status).toBe(200);

    const reload = await post('/ui/reload', '', { cookie: session });
    expect(reload.status).toBe(303);
    expect(reload.headers.get('location')).toBe('/ui?notice=reloaded');
    const reloaded = await get('/ui?notice=reloaded', { cookie: session });
    expect(await reloaded.text()).toContain('generation 2');

    await post('/ui/logout', '', { cookie: session });
    expect((await get('/ui', { cookie: session })).status).toBe(303);
    expect(audits().map((a) => [a.fields.action, a.fields.client])).toEqual(
      expect.arrayContaining([
        ['console.sign_in', 'root'],
        ['console.reload', 'root'],
        ['console.sign_out', 'root'],
      ]),
    );
    expect(JSON.stringify(lines)).not.toContain(ADMIN);
  });

  it('refuses a console action posted from another site', async () => {
    const signIn = await post('/ui/login', `token=${ADMIN}`);
    const session = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const forged = await post('/ui/reload', '', { cookie: session, origin: 'http://evil.example' });
    expect(forged.status).toBe(403);
  });

  it('answers an unknown tool page with 404', async () => {
    const page = await get('/ui/tools/fixture/no-such-tool', { authorization: `Bearer ${ADMIN}` });
    expect(page.status).toBe(404);
  });
});

describe('the console without authentication', () => {
  it('is served on a loopback bind', async () => {
    const open = config({ auth: undefined });
    await using local = new Gateway(open, { logger: capture() });
    const url = await local.start();
    expect((await fetch(new URL('/ui', url))).status).toBe(200);
  });

  it('is not served on a public bind (the API behind --allow-unauthenticated is all there is)', async () => {
    const open = config({ auth: undefined, host: '0.0.0.0' });
    await using exposed = new Gateway(open, { logger: capture(), allowUnauthenticated: true });
    const url = await exposed.start();
    const page = await fetch(`http://127.0.0.1:${url.port}/ui`);
    expect(page.status).toBe(404);
  });

  it('is not served with console: false', async () => {
    await using off = new Gateway(config({ auth: undefined, console: false }), { logger: capture() });
    const url = await off.start();
    expect((await fetch(new URL('/ui', url))).status).toBe(404);
  });
});
