import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT, generateKeyPair, importJWK } from 'jose';
import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type OAuthClientProvider,
} from '@modelcontextprotocol/client';
import { silentLogger } from '@mcp-gateway/core';
import { everythingServer, memoryServer } from '@mcp-gateway/examples';
import { Gateway, GatewayConfig } from '../src/index';
import { authorizeInBrowser, startAuthorizationServer, type AuthorizationServer } from './oidc';

// The gateway as an OAuth 2.1 resource server in front of a real authorization server (oidc-provider), with the
// MCP SDK client's own OAuth support on the other side.

let as: AuthorizationServer;
let gateway: Gateway;
let base: string;

beforeAll(async () => {
  as = await startAuthorizationServer([
    {
      client_id: 'ci-bot',
      client_secret: 'ci-bot-secret',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    },
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-oauth-'));
  const config = GatewayConfig.parse(
    `state_dir: ${join(dir, 'state')}
port: 0
auth:
  oauth: { issuer: "${as.issuer}", scopes: [mcp], roles: { "mcp:admin": admin } }
access:
  - { role: admin, allow: ["*"] }
  - { client: ci-bot, allow: ["everything/*"] }
  - { client: alice, allow: ["memory/*"] }
backends:
  everything: { command: "node ${everythingServer} stdio" }
  memory: { command: "node ${memoryServer}", env: { MEMORY_FILE_PATH: "${join(dir, 'memory.jsonl')}" } }
`,
    { baseDir: dir },
  );
  gateway = new Gateway(config, { logger: silentLogger });
  base = new URL(await gateway.start()).origin;
});
afterAll(async () => {
  await gateway?.close();
  await as?.close();
});

/** A token from the authorization server's token endpoint by client credentials. */
async function clientCredentials(resource: string, scope = 'mcp'): Promise<string> {
  const response = await fetch(`${as.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from('ci-bot:ci-bot-secret').toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource }).toString(),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

async function clientWith(path: string, token: string) {
  const client = new Client({ name: 'oauth-test', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(path, base), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

/** What the gateway answers a POST initialize with `token`: the status and the challenge, if any. */
async function answer(path: string, token: string | undefined) {
  const response = await fetch(new URL(path, base), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    }),
  });
  await response.body?.cancel();
  return { status: response.status, challenge: response.headers.get('www-authenticate') };
}

describe('OAuth 2.1 resource server (MCP authorization, 2025-11-25)', () => {
  it('challenges an anonymous client toward the protected resource metadata, for /mcp and every /mcp/{name}', async () => {
    expect(await answer('/mcp', undefined)).toEqual({
      status: 401,
      challenge: `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`,
    });
    const metadata = async (path: string) =>
      (await fetch(`${base}/.well-known/oauth-protected-resource${path}`)).json();
    const expected = (resource: string) => ({
      resource,
      authorization_servers: [as.issuer],
      scopes_supported: ['mcp'],
      bearer_methods_supported: ['header'],
      resource_name: 'MCP Gateway',
    });
    expect(await metadata('')).toEqual(expected(`${base}/mcp`));
    expect(await metadata('/mcp')).toEqual(expected(`${base}/mcp`));
    // Hidden or missing: the metadata tells nobody which backends exist.
    expect(await metadata('/mcp/memory')).toEqual(expected(`${base}/mcp/memory`));
    expect(await metadata('/mcp/no-such-backend')).toEqual(expected(`${base}/mcp/no-such-backend`));
  });

  it('accepts a client-credentials token for the gateway, with the access its client is given', async () => {
    const client = await clientWith('/mcp', await clientCredentials(`${base}/mcp`));
    const listed = await client.callTool({ name: 'gateway_list_servers', arguments: {} });
    expect((listed.structuredContent as { servers: { name: string }[] }).servers.map((s) => s.name)).toEqual([
      'everything',
    ]);
    await client.close();
    // A token for one endpoint works there, and only there.
    const everything = await clientCredentials(`${base}/mcp/everything`);
    const direct = await clientWith('/mcp/everything', everything);
    expect(await direct.callTool({ name: 'echo', arguments: { message: 'oauth' } })).toEqual({
      content: [{ type: 'text', text: 'Echo: oauth' }],
    });
    await direct.close();
    expect((await answer('/mcp/memory', everything)).status).toBe(401);
  });

  it('refuses tokens for another resource, from another issuer, expired, of an unknown key, tampered, unsigned, or short of scope', async () => {
    const key = await importJWK(as.signingKey, 'RS256');
    const now = Math.floor(Date.now() / 1000);
    const craft = (claims: Record<string, unknown>, kid = as.signingKey.kid) =>
      new SignJWT({ scope: 'mcp', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(String(claims.iss ?? as.issuer))
        .setAudience(`${base}/mcp`)
        .setSubject('mallory')
        .setIssuedAt()
        .setExpirationTime(Number(claims.exp ?? now + 300))
        .sign(key);
    const real = await clientCredentials(`${base}/mcp`);
    const [head, , signature] = real.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        sub: 'root',
        iss: as.issuer,
        aud: `${base}/mcp`,
        scope: 'mcp mcp:admin',
        exp: now + 300,
      }),
    ).toString('base64url');
    const stranger = (await generateKeyPair('RS256')).privateKey;
    const refused: [string, string, number][] = [
      ['another resource', await clientCredentials('https://other.example/mcp'), 401],
      ['another issuer', await craft({ iss: 'https://evil.example' }), 401],
      ['expired', await craft({ exp: now - 3600 }), 401],
      [
        'an unknown key',
        await new SignJWT({ scope: 'mcp' })
          .setProtectedHeader({ alg: 'RS256', kid: 'unknown' })
          .setIssuer(as.issuer)
          .setAudience(`${base}/mcp`)
          .setSubject('x')
          .setExpirationTime('5m')
          .sign(stranger),
        401,
      ],
      ['tampered', `${head}.${forged}.${signature}`, 401],
      [
        'alg none',
        new UnsecuredJWT({ scope: 'mcp', sub: 'x' })
          .setIssuer(as.issuer)
          .setAudience(`${base}/mcp`)
          .setExpirationTime('5m')
          .encode(),
        401,
      ],
      ['short of scope', await clientCredentials(`${base}/mcp`, 'openid'), 403],
    ];
    const seen = [];
    for (const [what, token, status] of refused) {
      const { status: got, challenge } = await answer('/mcp', token);
      seen.push([what, got, challenge?.match(/error="(\w+)"/)?.[1]]);
      expect([what, got]).toEqual([what, status]);
    }
    expect(seen.map(([, , error]) => error)).toEqual([
      'invalid_token',
      'invalid_token',
      'invalid_token',
      'invalid_token',
      'invalid_token',
      'invalid_token',
      'insufficient_scope',
    ]);
    expect((await answer('/mcp', real)).status).toBe(200); // and the real one still works
  });

  it('lets the SDK client authorize itself (discovery, registration, code with PKCE) and connect', async () => {
    const store: { tokens?: unknown; client?: unknown; verifier?: string; redirect?: URL } = {};
    const provider: OAuthClientProvider = {
      redirectUrl: 'http://127.0.0.1:1/callback',
      clientMetadata: {
        client_name: 'gateway oauth test',
        redirect_uris: ['http://127.0.0.1:1/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      },
      clientInformation: () => store.client as never,
      saveClientInformation: (info) => void (store.client = info),
      tokens: () => store.tokens as never,
      saveTokens: (tokens) => void (store.tokens = tokens),
      redirectToAuthorization: (url) => void (store.redirect = url),
      saveCodeVerifier: (verifier) => void (store.verifier = verifier),
      codeVerifier: () => store.verifier!,
    };
    const url = new URL('/mcp', base);
    const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
    const refused = await new Client({ name: 'oauth-user', version: '1' })
      .connect(first)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnauthorizedError);
    expect(store.redirect?.origin).toBe(as.issuer);
    expect(store.redirect?.searchParams.get('resource')).toBe(`${base}/mcp`);
    expect(store.redirect?.searchParams.get('code_challenge_method')).toBe('S256');
    await first.finishAuth(await authorizeInBrowser(store.redirect!, 'alice'));

    const client = new Client({ name: 'oauth-user', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    const listed = await client.callTool({ name: 'gateway_list_servers', arguments: {} });
    expect((listed.structuredContent as { servers: { name: string }[] }).servers.map((s) => s.name)).toEqual([
      'memory',
    ]);
    await client.close();
  });
});
