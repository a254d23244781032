import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { OAuthSettings } from '@mcp-gateway/core';
import { Authenticator, TokenVerifier } from '../src/index';

/** A tiny authorization server on 127.0.0.1: RFC 8414 metadata and a JWKS that tests can change. */
async function issuerServer() {
  const jwks: { keys: JWK[] } = { keys: [] };
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/oauth-authorization-server')
      return res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    if (req.url === '/jwks') {
      fetches++;
      return res.end(JSON.stringify(jwks));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, jwks, fetches: () => fetches, close: () => new Promise((r) => server.close(r)) };
}

const AUDIENCE = 'http://127.0.0.1:39400/mcp';
type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

describe('TokenVerifier against a real issuer on 127.0.0.1', () => {
  let as: Awaited<ReturnType<typeof issuerServer>>;
  let signing: KeyPair;
  let settings: OAuthSettings;
  const sign = (
    claims: Record<string, unknown>,
    options: { kid?: string; key?: KeyPair['privateKey']; exp?: string } = {},
  ) =>
    new SignJWT({ scope: 'mcp mcp:admin', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'k1' })
      .setIssuer(String(claims.iss ?? as.issuer))
      .setAudience(String(claims.aud ?? AUDIENCE))
      .setSubject('alice')
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(options.key ?? signing.privateKey);

  beforeAll(async () => {
    as = await issuerServer();
    signing = await generateKeyPair('RS256');
    as.jwks.keys.push({ ...(await exportJWK(signing.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' });
    settings = { issuer: as.issuer, scopes: ['mcp'], roles: { 'mcp:admin': 'admin' } };
  });
  afterAll(() => as.close());

  it('accepts a valid token, found by discovery, with its subject, scopes and mapped roles', async () => {
    const verifier = new TokenVerifier(settings);
    expect(await verifier.verify(await sign({}), [AUDIENCE])).toEqual({
      name: 'alice',
      via: 'oauth',
      roles: ['admin'],
      scopes: ['mcp', 'mcp:admin'],
    });
  });

  it('refuses every kind of bad token, saying why in words a client can act on', async () => {
    const verifier = new TokenVerifier(settings);
    const other = await generateKeyPair('RS256');
    const valid = await sign({});
    const [head, body, signature] = valid.split('.');
    const tampered = `${head}.${Buffer.from(JSON.stringify({ sub: 'mallory', iss: as.issuer, aud: AUDIENCE, scope: 'mcp', exp: 9e9 })).toString('base64url')}.${signature}`;
    const cases: [string, string][] = [
      [await sign({ aud: 'https://elsewhere.example/mcp' }), 'the token is for another resource (aud)'],
      [await sign({ iss: 'https://evil.example' }), 'the token is from another issuer (iss)'],
      [await sign({}, { exp: '-10m' }), 'the token has expired'],
      [await sign({ nbf: Math.floor(Date.now() / 1000) + 3600 }), 'the token is not valid yet (nbf)'],
      [
        await sign({}, { kid: 'unknown', key: other.privateKey }),
        'the token is signed with a key the issuer does not publish',
      ],
      [await sign({}, { kid: 'k1', key: other.privateKey }), 'the token signature is invalid'],
      [tampered, 'the token signature is invalid'],
      [
        new UnsecuredJWT({ sub: 'alice', scope: 'mcp' })
          .setIssuer(as.issuer)
          .setAudience(AUDIENCE)
          .setExpirationTime('5m')
          .encode(),
        'the token is not signed with an accepted algorithm',
      ],
      [
        await new SignJWT({ scope: 'mcp' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(as.issuer)
          .setAudience(AUDIENCE)
          .setSubject('alice')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode('a shared secret of 32 characters!')),
        'the token is not signed with an accepted algorithm',
      ],
      [`${head}.${body}`, 'the token is malformed'],
    ];
    for (const [token, description] of cases)
      expect([description, await verifier.verify(token, [AUDIENCE])]).toEqual([
        description,
        { error: 'invalid_token', description, detail: expect.any(String) },
      ]);
    expect(await verifier.verify(await sign({ scope: 'other' }), [AUDIENCE])).toEqual({
      error: 'insufficient_scope',
      description: 'the token lacks the scope mcp',
      scope: 'mcp',
    });
  });

  it('accepts a token for the endpoint it is used on, and picks up a rotated key without a restart', async () => {
    const verifier = new TokenVerifier(settings);
    const memory = 'http://127.0.0.1:39400/mcp/memory';
    expect(await verifier.verify(await sign({ aud: memory }), [AUDIENCE, memory])).toMatchObject({
      name: 'alice',
    });
    const rotated = await generateKeyPair('ES256');
    as.jwks.keys.push({ ...(await exportJWK(rotated.publicKey)), kid: 'k2', alg: 'ES256', use: 'sig' });
    const token = await new SignJWT({ scope: 'mcp' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k2' })
      .setIssuer(as.issuer)
      .setAudience(AUDIENCE)
      .setSubject('bob')
      .setExpirationTime('5m')
      .sign(rotated.privateKey);
    const before = as.fetches();
    expect(await verifier.verify(token, [AUDIENCE])).toMatchObject({ name: 'bob' });
    expect(as.fetches()).toBe(before + 1);
  });

  it('challenges with resource metadata when OAuth is configured, and with a realm when only keys are', async () => {
    const endpoint = {
      canonical: AUDIENCE,
      resource: 'http://127.0.0.1:39400/mcp',
      metadataUrl: 'http://127.0.0.1:39400/.well-known/oauth-protected-resource/mcp',
    };
    const withOAuth = new Authenticator({ apiKeys: [], oauth: settings, publicMetrics: false });
    expect(await withOAuth.authenticate(undefined, endpoint)).toEqual({
      status: 401,
      challenge: 'Bearer resource_metadata="http://127.0.0.1:39400/.well-known/oauth-protected-resource/mcp"',
      message: 'Authentication required: send Authorization: Bearer <key or token>.',
      reason: 'missing',
    });
    expect(await withOAuth.authenticate(`Bearer ${await sign({ scope: 'other' })}`, endpoint)).toMatchObject({
      status: 403,
      challenge:
        'Bearer resource_metadata="http://127.0.0.1:39400/.well-known/oauth-protected-resource/mcp", error="insufficient_scope", error_description="The access token is not accepted: the token lacks the scope mcp.", scope="mcp"',
      reason: 'insufficient_scope',
    });
    const keysOnly = new Authenticator({
      apiKeys: [{ name: 'ci', sha256: 'ab'.repeat(32), roles: [] }],
      publicMetrics: false,
    });
    expect(await keysOnly.authenticate(`Bearer ${await sign({})}`, endpoint)).toEqual({
      status: 401,
      challenge:
        'Bearer realm="mcp-gateway", error="invalid_token", error_description="The key or token is not valid."',
      message: 'The key or token is not valid.',
      reason: 'unknown_key',
    });
    expect(await keysOnly.authenticate('Basic dXNlcjpwYXNz', endpoint)).toMatchObject({
      status: 401,
      reason: 'malformed',
    });
  });
});
