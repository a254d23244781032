import type { MiddlewareHandler } from 'hono';
import { GatewayError } from '@mcp-gateway/core';
import { errorBody } from './errors';

const LOCALHOST = ['localhost', '127.0.0.1', '[::1]', '::1'];

/** The hosts and origins the guard accepts; a config reload replaces them. */
export class HostPolicy {
  hosts!: Set<string>;
  origins!: Set<string>;

  constructor(hosts: string[] = LOCALHOST, origins: string[] = []) {
    this.update(hosts, origins);
  }

  update(hosts: string[] = LOCALHOST, origins: string[] = []): void {
    this.hosts = new Set(hosts.map((h) => h.toLowerCase()));
    this.origins = new Set(origins.map((o) => o.toLowerCase().replace(/\/+$/, '')));
  }
}

/**
 * DNS-rebinding protection, before anything else runs: the Host header must name an allowed host, and an
 * Origin, when present, must be an allowed origin or point at an allowed host (a foreign Origin is refused even
 * with a valid Host).
 */
export function hostGuard(policy: HostPolicy): MiddlewareHandler {
  return async (c, next) => {
    const { hosts, origins } = policy;
    // @hono/node-server builds the request URL from the Host header, so this is the Host the client sent.
    const host = new URL(c.req.url).hostname.toLowerCase();
    if (!hosts.has(host)) {
      const message = `Host "${host}" is not allowed. Allowed hosts: ${[...hosts].join(', ')}. Add it with allowed_hosts or public_url.`;
      return c.json(errorBody(null, new GatewayError('USAGE', message)), 403);
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && !origins.has(origin.toLowerCase())) {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).hostname.toLowerCase();
      } catch {
        originHost = undefined;
      }
      if (!originHost || !hosts.has(originHost)) {
        return c.json(errorBody(null, new GatewayError('USAGE', `Origin "${origin}" is not allowed.`)), 403);
      }
    }
    await next();
  };
}
