import type { MiddlewareHandler } from 'hono';
import { GatewayError } from '@mcp-gateway/core';
import { errorBody } from './errors';

const LOCALHOST = ['localhost', '127.0.0.1', '[::1]', '::1'];

/**
 * DNS-rebinding protection, before anything else runs: the Host header must name an allowed host, and an
 * Origin, when present, must point at one too (a foreign Origin is refused even with a valid Host).
 */
export function hostGuard(allowedHosts: string[] = LOCALHOST): MiddlewareHandler {
  const allowed = new Set(allowedHosts.map((h) => h.toLowerCase()));
  return async (c, next) => {
    // @hono/node-server builds the request URL from the Host header, so this is the Host the client sent.
    const host = new URL(c.req.url).hostname.toLowerCase();
    if (!allowed.has(host)) {
      const message = `Host "${host}" is not allowed. Allowed hosts: ${[...allowed].join(', ')}.`;
      return c.json(errorBody(null, new GatewayError('USAGE', message)), 403);
    }
    const origin = c.req.header('origin');
    if (origin !== undefined) {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).hostname.toLowerCase();
      } catch {
        originHost = undefined;
      }
      if (!originHost || !allowed.has(originHost)) {
        return c.json(errorBody(null, new GatewayError('USAGE', `Origin "${origin}" is not allowed.`)), 403);
      }
    }
    await next();
  };
}
