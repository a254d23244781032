/** Who is calling the gateway, once authenticated. */
export interface ClientIdentity {
  /** An API key's name, or an access token's `sub` (its `client_id` when it has no subject). */
  name: string;
  /** How the client proved it: an API key, or an OAuth access token. */
  via: 'api-key' | 'oauth';
  /** Roles from the API key's entry, or mapped from the token's scopes. */
  roles: readonly string[];
  /** The token's scopes (empty for API keys). */
  scopes: readonly string[];
}

/**
 * What one caller may see and use, answered the same way on every path (meta-tools, aggregate lists and calls,
 * `/mcp/{backend}`, SSE, both eras). What it may not see must look exactly like what does not exist.
 */
export interface ClientScope {
  /** `null`: a trusted local front door (stdio), or a gateway without authentication. */
  readonly identity: ClientIdentity | null;
  /** Whether access rules apply to this caller at all (with none, everything is visible). */
  readonly restricted: boolean;
  /** Whether the caller may see the backend at all (some tool, prompt or resource of it is allowed). */
  seesBackend(backend: string): boolean;
  /** Whether it may see and use one item of the backend: a tool or prompt by name, a resource by URI. */
  allows(backend: string, item: string): boolean;
}

/** The scope of a gateway that controls no access: everything is visible. */
export const OPEN_SCOPE: ClientScope = {
  identity: null,
  restricted: false,
  seesBackend: () => true,
  allows: () => true,
};

/**
 * A stable key for an identity, to bind sessions and input-required rounds to the client that started them
 * (an API key named "alice" and a token whose subject is "alice" are different clients).
 *
 * @example identityKey({ name: 'alice', via: 'api-key', roles: [], scopes: [] }) // 'api-key:alice'
 */
export function identityKey(identity: ClientIdentity | null): string {
  return identity ? `${identity.via}:${identity.name}` : 'local';
}
