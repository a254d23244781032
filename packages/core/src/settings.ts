/**
 * The validated, normalized configuration the gateway runs on. `@mcp-gateway/config` produces it from YAML or
 * JSON; programmatic users can build it in code. Durations are milliseconds.
 */
export type TransportKind = 'stdio' | 'http' | 'sse';

/** How one backend is reached. `auto` (HTTP only) picks Streamable HTTP or legacy SSE by probing. */
export type BackendTarget =
  | { kind: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd: string | undefined }
  | { kind: 'http' | 'sse' | 'auto'; url: string; headers: Record<string, string> };

export interface BackendTimeouts {
  /** Spawn or connect plus `initialize`. */
  startMs: number;
  /** One request; reset by each progress notification. */
  requestMs: number;
  /** Stop the backend after this long without use; 0 keeps it running. */
  idleMs: number;
}

export interface BackendSettings {
  name: string;
  description: string;
  target: BackendTarget;
  timeouts: BackendTimeouts;
  /**
   * `shared`: one connection for every client. `per-session`: one per client session: a process each for a stdio
   * backend, an upstream session each for an HTTP one. Config defaults: `shared` for stdio, `per-session` for HTTP.
   */
  isolation: 'shared' | 'per-session';
  /** Calls in flight to this backend at once, and calls waiting for a place; more are refused at once. */
  limits?: BackendLimits;
}

export interface BackendLimits {
  concurrency: number;
  queue: number;
}

/** One access rule: what a client (by name) or the clients of a role may see and call. */
export interface AccessRule {
  client?: string;
  role?: string;
  /** `backend/item` globs: `*` is any run of characters, `?` one; `backend/*` is the whole backend. */
  allow: string[];
  /** The same globs; a deny wins over every allow. */
  deny: string[];
}

export interface ApiKeySettings {
  name: string;
  /** The key's SHA-256, in hex: the key itself is never kept. */
  sha256: string;
  roles: string[];
}

/** The gateway as an OAuth 2.1 resource server: it validates JWT access tokens that `issuer` signs. */
export interface OAuthSettings {
  issuer: string;
  /** The resource URL a token's `aud` must name; undefined: the gateway's own `/mcp` URL (from `public_url`). */
  audience?: string;
  /** Where the issuer's signing keys are; undefined: found through the issuer's metadata. */
  jwksUrl?: string;
  /** Scopes every token must carry. */
  scopes: string[];
  /** Token scope → role. */
  roles: Record<string, string>;
}

export interface AuthSettings {
  apiKeys: ApiKeySettings[];
  oauth?: OAuthSettings;
  /** Serve `/metrics` without credentials (for a scraper on a trusted network). */
  publicMetrics: boolean;
}

/** A token bucket per client: `rate` requests a second on average, up to `burst` at once. */
export interface RateLimitSettings {
  rate: number;
  burst: number;
}

export type GatewayMode = 'meta' | 'aggregate';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface GatewaySettings {
  host: string;
  port: number;
  mode: GatewayMode;
  logLevel: LogLevel;
  /** Where the catalog cache lives. */
  stateDir: string;
  backends: Record<string, BackendSettings>;
  /** Backend name → the free-text `mcpServers` key ("Brave Search") it was derived from, where they differ. */
  renamed?: Record<string, string>;
  /** How clients reach the gateway from outside (`https://gateway.example.com`): the base of OAuth resource URLs. */
  publicUrl?: string;
  /** Host names accepted in `Host` beyond the defaults (loopback names, the bound address, `publicUrl`'s host). */
  allowedHosts?: string[];
  /** Origins accepted beyond those of the allowed hosts. */
  allowedOrigins?: string[];
  /** Undefined: no authentication (then a non-loopback bind is refused unless explicitly allowed). */
  auth?: AuthSettings;
  /** No rules: every authenticated client sees everything. Once there is one, a client no rule names sees nothing. */
  access?: AccessRule[];
  rateLimit?: RateLimitSettings;
  /** One line per tool call, resource read and prompt get; `arguments` adds the (redacted) arguments. */
  audit?: { enabled: boolean; arguments: boolean };
  /** Legacy client sessions: idle expiry (0: never), and caps over all endpoints and per identified client. */
  sessions?: { idleMs: number; max: number; perClient: number };
  /**
   * Learning backends' tools: how long search and listing wait for backends not known yet (then they answer and
   * name them as pending), how many backends start at once to be learned, and whether search also ranks by
   * meaning (the static word table of `@mcp-gateway/embeddings`).
   */
  catalog?: { waitMs: number; warmConcurrency: number; semantic: boolean };
  /**
   * The web console at `/ui` (default on): with `auth`, for clients with the `admin` role; without, only on a
   * loopback bind.
   */
  console?: boolean;
  /**
   * Shared state for replicas: legacy sessions' stream events go to Redis at `url` (keys under `prefix`, kept
   * `eventTtlS` after the last write), so a stream can be resumed on any replica.
   */
  redis?: { url: string; prefix: string; eventTtlS: number };
}
