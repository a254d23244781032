import { errors, jwtVerify } from 'jose';
import { errorMessage, type ClientIdentity, type OAuthSettings } from '@mcp-gateway/core';
import { fetchJson } from './fetch-json';
import { Jwks } from './jwks';

/** Only asymmetric signatures: the gateway holds no secret shared with the issuer, and `none` is never taken. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** Clocks of the gateway and the issuer may disagree this much on `exp` and `nbf`. */
const CLOCK_TOLERANCE_S = 30;
/** Tokens verified lately, kept until they expire: a client sends the same token on every request. */
const MAX_CACHED = 1000;

/** Why a token was refused, in RFC 6750's terms: a bad token (401), or one without a scope it needs (403). */
export interface TokenProblem {
  error: 'invalid_token' | 'insufficient_scope';
  description: string;
  /** The scopes needed, for `insufficient_scope`. */
  scope?: string;
  /** For the operator's log, never for the client: what went wrong inside (an issuer that cannot be reached). */
  detail?: string;
}

/**
 * Validates JWT access tokens locally, per the MCP authorization spec: the signature against the issuer's keys
 * (found by discovery unless `jwks_url` names them), `iss`, `aud` (the gateway's resource URL, or the URL of the
 * endpoint the token is used on), `exp` and `nbf`, and the scopes every token must carry.
 */
export class TokenVerifier {
  private readonly jwks: Jwks;
  /** Accepted tokens (with the audiences they were checked for) → who they stand for, until `exp`. */
  private readonly accepted = new Map<string, { identity: ClientIdentity; expiresAt: number }>();

  constructor(
    private readonly settings: OAuthSettings,
    fetchImpl: typeof fetch = fetch,
  ) {
    this.jwks = new Jwks(
      async () => (settings.jwksUrl ? new URL(settings.jwksUrl) : discoverJwks(settings.issuer, fetchImpl)),
      fetchImpl,
    );
  }

  /**
   * The client the token stands for, or why it is refused. `audiences`: the `aud` values accepted here. A token
   * accepted before is not verified again until it expires.
   */
  async verify(token: string, audiences: string[]): Promise<ClientIdentity | TokenProblem> {
    const key = `${audiences.join(' ')}\n${token}`;
    const cached = this.accepted.get(key);
    if (cached && Date.now() < cached.expiresAt) return cached.identity;
    this.accepted.delete(key);
    const verified = await this.check(token, audiences);
    if ('name' in verified.outcome) {
      if (this.accepted.size >= MAX_CACHED) this.accepted.delete(this.accepted.keys().next().value!);
      this.accepted.set(key, { identity: verified.outcome, expiresAt: verified.expiresAt });
    }
    return verified.outcome;
  }

  private async check(
    token: string,
    audiences: string[],
  ): Promise<{ outcome: ClientIdentity | TokenProblem; expiresAt: number }> {
    const refused = (outcome: TokenProblem) => ({ outcome, expiresAt: 0 });
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, this.jwks.getKey, {
        issuer: this.settings.issuer,
        audience: audiences,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      return refused({ error: 'invalid_token', description: describe(error), detail: errorMessage(error) });
    }
    const scopes = scopesOf(claims);
    const missing = this.settings.scopes.filter((scope) => !scopes.includes(scope));
    if (missing.length > 0)
      return refused({
        error: 'insufficient_scope',
        description: `the token lacks the scope ${missing.join(' ')}`,
        scope: this.settings.scopes.join(' '),
      });
    const name = [claims.sub, claims.client_id, claims.azp].find((v) => typeof v === 'string' && v !== '');
    if (typeof name !== 'string')
      return refused({ error: 'invalid_token', description: 'the token names no subject' });
    const roles = [...new Set(scopes.flatMap((scope) => this.settings.roles[scope] ?? []))];
    return { outcome: { name, via: 'oauth', roles, scopes }, expiresAt: Number(claims.exp) * 1000 };
  }
}

/** Where the issuer keeps its keys: `jwks_uri` of its RFC 8414 metadata, or of its OpenID configuration. */
async function discoverJwks(issuer: string, fetchImpl: typeof fetch): Promise<URL> {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  const candidates = [
    new URL(`/.well-known/oauth-authorization-server${path}`, url),
    new URL(`${path}/.well-known/openid-configuration`, url),
  ];
  let last: unknown;
  for (const candidate of candidates) {
    try {
      const metadata = (await fetchJson(candidate, fetchImpl)) as { issuer?: unknown; jwks_uri?: unknown };
      if (metadata.issuer !== issuer)
        throw new Error(`${candidate.href} names the issuer ${String(metadata.issuer)}, not ${issuer}`);
      if (typeof metadata.jwks_uri !== 'string') throw new Error('its metadata has no jwks_uri');
      return new URL(metadata.jwks_uri);
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

function scopesOf(claims: Record<string, unknown>): string[] {
  if (typeof claims.scope === 'string') return claims.scope.split(' ').filter(Boolean);
  if (Array.isArray(claims.scp)) return claims.scp.filter((s): s is string => typeof s === 'string');
  return [];
}

/** What was wrong with a token, in words a client developer can act on (never the token itself). */
function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return error.claim === 'aud'
      ? 'the token is for another resource (aud)'
      : error.claim === 'iss'
        ? 'the token is from another issuer (iss)'
        : error.claim === 'nbf'
          ? 'the token is not valid yet (nbf)'
          : `the token's ${error.claim} claim is not acceptable`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is not signed with an accepted algorithm';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof errors.JWKSNoMatchingKey)
    return 'the token is signed with a key the issuer does not publish';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid)
    return 'the token is malformed';
  return "the token could not be verified (the issuer's keys could not be fetched)";
}
