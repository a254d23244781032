import type { AuthSettings, ClientIdentity } from '@mcp-gateway/core';
import { ApiKeys } from './api-keys';
import { TokenVerifier } from './oauth/token-verifier';

/** Longer credentials are refused unread: no real key or access token comes near this. */
const MAX_CREDENTIAL_LENGTH = 8192;
/** RFC 6750's b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** A refusal: 401 (no or bad credentials) or 403 (a token without a scope it needs), with its challenge. */
export interface AuthRefusal {
  status: 401 | 403;
  /** The `WWW-Authenticate` header: `Bearer`, with `resource_metadata` when OAuth is configured. */
  challenge: string;
  message: string;
  /** For /metrics and the log: why, in one word. */
  reason: 'missing' | 'malformed' | 'unknown_key' | 'invalid_token' | 'insufficient_scope';
  /** For the operator's log only. */
  detail?: string;
}

/** The endpoint a request is for: what its resource URL is and where that resource's metadata lives. */
export interface ProtectedEndpoint {
  /** The gateway's own resource URL (`oauth.audience`, else `<public_url>/mcp`): accepted on every endpoint. */
  canonical: string;
  /** The endpoint's resource URL (`<base>/mcp`, `<base>/mcp/memory`): accepted on this endpoint. */
  resource: string;
  /** The RFC 9728 metadata URL for it. */
  metadataUrl: string;
}

/**
 * Authenticates a request's `Authorization: Bearer` credential: an API key (compared in constant time), or, when
 * OAuth is configured, a JWT access token validated locally. The identity travels with the request from here.
 */
export class Authenticator {
  private readonly keys: ApiKeys;
  private readonly tokens: TokenVerifier | undefined;

  constructor(settings: AuthSettings, fetchImpl: typeof fetch = fetch) {
    this.keys = new ApiKeys(settings.apiKeys);
    this.tokens = settings.oauth ? new TokenVerifier(settings.oauth, fetchImpl) : undefined;
  }

  /** Whether OAuth is configured (and so whether the gateway serves protected resource metadata). */
  get oauth(): boolean {
    return this.tokens !== undefined;
  }

  async authenticate(
    authorization: string | null | undefined,
    endpoint: ProtectedEndpoint,
  ): Promise<ClientIdentity | AuthRefusal> {
    if (!authorization)
      return this.refuse(
        endpoint,
        'missing',
        'Authentication required: send Authorization: Bearer <key or token>.',
      );
    const match = authorization.length <= MAX_CREDENTIAL_LENGTH ? BEARER.exec(authorization) : null;
    if (!match)
      return this.refuse(endpoint, 'malformed', 'The Authorization header is not "Bearer <key or token>".');
    const credential = match[1]!;
    const key = this.keys.identify(credential);
    if (key) return key;
    if (!this.tokens || !JWT.test(credential))
      return this.refuse(endpoint, 'unknown_key', 'The key or token is not valid.');
    const verified = await this.tokens.verify(credential, [
      ...new Set([endpoint.canonical, endpoint.resource]),
    ]);
    if ('name' in verified) return verified;
    return this.refuse(
      endpoint,
      verified.error,
      `The access token is not accepted: ${verified.description}.`,
      verified.scope,
      verified.detail,
    );
  }

  private refuse(
    endpoint: ProtectedEndpoint,
    reason: AuthRefusal['reason'],
    message: string,
    scope?: string,
    detail?: string,
  ): AuthRefusal {
    const params: string[] = [];
    if (this.tokens) params.push(`resource_metadata="${endpoint.metadataUrl}"`);
    else params.push('realm="mcp-gateway"');
    if (reason !== 'missing') {
      const error = reason === 'insufficient_scope' ? 'insufficient_scope' : 'invalid_token';
      params.push(`error="${error}"`, `error_description="${message.replace(/["\\]/g, '')}"`);
    }
    if (scope) params.push(`scope="${scope}"`);
    return {
      status: reason === 'insufficient_scope' ? 403 : 401,
      challenge: `Bearer ${params.join(', ')}`,
      message,
      reason,
      ...(detail ? { detail } : {}),
    };
  }
}
