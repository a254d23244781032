// A real OAuth 2.1 / OpenID Connect authorization server for the tests: oidc-provider on 127.0.0.1, issuing JWT
// access tokens for the resource a client names (RFC 8707), by client credentials or by authorization code with
// PKCE through its development login and consent pages, which the tests fill in.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { Provider, type ClientMetadata } from 'oidc-provider';

export interface AuthorizationServer {
  issuer: string;
  /** The private signing key, for tokens no real server would issue (expired, tampered). */
  signingKey: JWK & { kid: string };
  close(): Promise<void>;
}

/** Starts oidc-provider on a free port; `clients` are registered up front (more may register dynamically). */
export async function startAuthorizationServer(clients: ClientMetadata[] = []): Promise<AuthorizationServer> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  // Listen first: the issuer URL needs the port.
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [signingKey] },
    cookies: { keys: ['cookie-signing-key-for-tests-only'] },
    scopes: ['openid', 'offline_access', 'mcp', 'mcp:admin'],
    findAccount: (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    features: {
      clientCredentials: { enabled: true },
      registration: { enabled: true },
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined as unknown as string,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => ({
          scope: 'mcp mcp:admin',
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 600,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    pkce: { required: () => true },
    // Quiet: the provider's warnings about development settings are expected here.
    renderError: (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  });
  http.on('request', provider.callback());
  return {
    issuer,
    signingKey,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** A browser's part in an authorization code flow: follows redirects, keeps cookies, submits the dev forms. */
export async function authorizeInBrowser(authorizationUrl: URL, login: string): Promise<URLSearchParams> {
  const cookies = new Map<string, string>();
  const send = async (url: URL, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return response;
  };
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  let url = authorizationUrl;
  let init: RequestInit = {};
  for (let step = 0; step < 20; step++) {
    const response = await send(url, init);
    init = {};
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.searchParams.has('code') || next.searchParams.has('error')) return next.searchParams;
      url = next;
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action)
      throw new Error(
        `no form and no redirect at ${url.href} (HTTP ${response.status}): ${html.slice(0, 300)}`,
      );
    url = new URL(action, url);
    // The login page asks for a login (any password works in development); the consent page just confirms.
    init = /name="login"/.test(html)
      ? form({ prompt: 'login', login, password: 'any' })
      : form({ prompt: 'consent' });
  }
  throw new Error('the authorization flow did not finish in 20 steps');
}
