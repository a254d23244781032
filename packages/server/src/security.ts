import type { Context } from 'hono';
import {
  errorMessage,
  identityKey,
  type ClientIdentity,
  type ClientScope,
  type Logger,
  type OAuthSettings,
  type RateBuckets,
} from '@mcp-gateway/core';
import {
  AccessPolicy,
  protectedResourceMetadata,
  type Authenticator,
  type ProtectedEndpoint,
  type RateLimiter,
} from '@mcp-gateway/auth';
import { LOCAL_CALLER, callerOf, type Caller } from './internal/caller';
import { refuse } from './internal/http';
import type { Metrics } from './metrics';

/** Who may use the gateway over HTTP. Without an authenticator every request is the trusted local caller. */
export interface GatewaySecurity {
  authenticator?: Authenticator;
  /** The access rules; none: every authenticated client sees everything. */
  access?: AccessPolicy;
  rateLimiter?: RateLimiter;
  /**
   * Buckets shared by every replica (Redis), taken from under `rateLimiter`'s settings; `rateLimiter`'s own
   * buckets count while they cannot be reached.
   */
  sharedBuckets?: RateBuckets;
  /** For the protected resource metadata, served only with OAuth. */
  oauth?: OAuthSettings;
  /** How clients reach the gateway (`https://gateway.example.com`); else the URL each request was sent to. */
  publicUrl?: string;
  /** `/metrics` without credentials. */
  publicMetrics?: boolean;
}

const METADATA_PATH = '/.well-known/oauth-protected-resource';
/** Clients whose scopes are kept computed; past this the cache starts over. */
const MAX_SCOPES = 10_000;

/**
 * Authenticates requests, applies the rate limit, and serves the protected resource metadata: the HTTP side of
 * `@mcp-gateway/auth`, used by every route alike.
 */
export class HttpSecurity {
  private security!: GatewaySecurity;
  private access!: AccessPolicy;
  /** Each client's scope under the current rules (cleared when they change, bounded). */
  private readonly scopes = new Map<string, ClientScope>();
  /** Whether the shared buckets failed last time (to say so once per outage). */
  private sharedAway = false;

  constructor(
    security: GatewaySecurity,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.update(security);
  }

  /**
   * Takes new settings (a config reload: rotated keys, changed rules). Every caller's scope follows at once, also
   * in sessions opened before, since a session asks for its client's scope on each use.
   */
  update(security: GatewaySecurity): void {
    this.security = security;
    this.access = security.access ?? new AccessPolicy([]);
    this.scopes.clear();
  }

  /** The limiter in use, for the stdio front door. */
  get rateLimiter(): RateLimiter | undefined {
    return this.security.rateLimiter;
  }

  get enabled(): boolean {
    return this.security.authenticator !== undefined;
  }

  get metricsArePublic(): boolean {
    return !this.enabled || this.security.publicMetrics === true;
  }

  /**
   * The caller of a request to `path` (`/mcp` or `/mcp/<backend>`; other endpoints use `/mcp`'s resource), or the
   * refusal to send: 401/403 with the challenge, or 429 with `Retry-After` past the client's rate limit.
   */
  async caller(c: Context, path: string): Promise<Caller | Response> {
    const { authenticator, rateLimiter } = this.security;
    let caller = LOCAL_CALLER;
    if (authenticator) {
      const outcome = await authenticator.authenticate(c.req.header('authorization'), this.endpoint(c, path));
      if ('status' in outcome) {
        this.metrics.authRefused(outcome.reason);
        if (outcome.detail) this.logger.warn('could not verify an access token', { error: outcome.detail });
        else this.logger.debug('authentication refused', { reason: outcome.reason, path: c.req.path });
        return refuse(outcome.status, outcome.message, undefined, { 'www-authenticate': outcome.challenge });
      }
      caller = callerOf(this.liveScope(outcome));
    }
    const wait = rateLimiter && (await this.take(rateLimiter, caller.owner));
    if (wait === undefined) return caller;
    this.metrics.rateLimited();
    return refuse(
      429,
      `Too Many Requests: this client's rate limit is spent; retry in ${wait} s.`,
      undefined,
      {
        'retry-after': String(wait),
      },
    );
  }

  /** A token from the shared bucket of `client`, or from this process's while the shared ones are away. */
  private async take(limiter: RateLimiter, client: string): Promise<number | undefined> {
    const { sharedBuckets } = this.security;
    if (!sharedBuckets) return limiter.take(client);
    try {
      const wait = await sharedBuckets.take(client, limiter.settings);
      if (this.sharedAway) this.logger.info('shared rate-limit buckets are back');
      this.sharedAway = false;
      return wait;
    } catch (error) {
      if (!this.sharedAway)
        this.logger.warn(
          "shared rate-limit buckets cannot be reached; counting in this replica's own meanwhile",
          {
            error: errorMessage(error),
          },
        );
      this.sharedAway = true;
      return limiter.take(client);
    }
  }

  /** The caller when the request carries valid credentials; undefined otherwise (for `/health`). */
  async optionalCaller(c: Context): Promise<Caller | undefined> {
    if (!this.enabled) return LOCAL_CALLER;
    if (!c.req.header('authorization')) return undefined;
    const caller = await this.caller(c, '/mcp');
    return caller instanceof Response ? undefined : caller;
  }

  /** The RFC 9728 document for `/mcp`, `/mcp/<name>` or the root; undefined when OAuth is not configured. */
  metadata(c: Context): Record<string, unknown> | undefined {
    const { oauth } = this.security;
    if (!oauth || !this.security.authenticator?.oauth) return undefined;
    const path = c.req.path.slice(METADATA_PATH.length) || '/mcp';
    // Any backend name gets a document, so that the metadata tells nobody which backends exist.
    if (!/^\/mcp(\/[A-Za-z0-9][A-Za-z0-9_.-]*)?$/.test(path)) return undefined;
    return protectedResourceMetadata(this.endpoint(c, path).resource, oauth);
  }

  /** A scope that answers with the client's current rules, whenever it is asked. */
  private liveScope(identity: ClientIdentity): ClientScope {
    const key = identityKey(identity);
    const current = () => {
      let scope = this.scopes.get(key);
      if (!scope) {
        if (this.scopes.size >= MAX_SCOPES) this.scopes.clear();
        this.scopes.set(key, (scope = this.access.scope(identity)));
      }
      return scope;
    };
    return {
      identity,
      get restricted() {
        return current().restricted;
      },
      seesBackend: (backend) => current().seesBackend(backend),
      allows: (backend, item) => current().allows(backend, item),
    };
  }

  /**
   * The identity an `Authorization` value proves for `/mcp`'s resource, or undefined (for the console, which asks
   * for a role on top). Refusals are counted as on every path.
   */
  async identify(url: string, authorization: string): Promise<ClientIdentity | undefined> {
    const { authenticator } = this.security;
    if (!authenticator) return undefined;
    const outcome = await authenticator.authenticate(authorization, this.endpointAt(url, '/mcp'));
    if (!('status' in outcome)) return outcome;
    this.metrics.authRefused(outcome.reason);
    return undefined;
  }

  private endpoint(c: Context, path: string): ProtectedEndpoint {
    return this.endpointAt(c.req.url, path);
  }

  private endpointAt(url: string, path: string): ProtectedEndpoint {
    const base = this.security.publicUrl ?? new URL(url).origin;
    const resourcePath = path.startsWith('/mcp/') ? path : '/mcp';
    return {
      canonical: this.security.oauth?.audience ?? `${base}/mcp`,
      resource: `${base}${resourcePath}`,
      metadataUrl: `${base}${METADATA_PATH}${resourcePath}`,
    };
  }
}
