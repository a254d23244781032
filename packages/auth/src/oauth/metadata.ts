import type { OAuthSettings } from '@mcp-gateway/core';

/**
 * The RFC 9728 protected resource metadata for one resource of the gateway: which authorization server issues
 * tokens for it and which scopes it needs. Served only when OAuth is configured.
 */
export function protectedResourceMetadata(resource: string, oauth: OAuthSettings): Record<string, unknown> {
  return {
    resource,
    authorization_servers: [oauth.issuer],
    ...(oauth.scopes.length > 0 ? { scopes_supported: oauth.scopes } : {}),
    bearer_methods_supported: ['header'],
    resource_name: 'MCP Gateway',
  };
}
