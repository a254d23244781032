import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';

/**
 * The protocol version to answer a client's `initialize` with: the client's own when the gateway speaks it (the
 * gateway relays messages, so the backend's version does not bind the client), else the backend's.
 */
export function negotiateVersion(requested: unknown, backendVersion: string): string {
  return typeof requested === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requested)
    ? requested
    : backendVersion;
}
