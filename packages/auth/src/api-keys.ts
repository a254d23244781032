import { Buffer } from 'node:buffer';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeySettings, ClientIdentity } from '@mcp-gateway/core';

/**
 * The configured API keys, held as SHA-256 digests. A presented key is hashed and compared with every digest in
 * constant time, so neither the answer's timing nor an early exit tells how close a guess came or which key it
 * resembled.
 */
export class ApiKeys {
  private readonly keys: { settings: ApiKeySettings; digest: Buffer }[];

  constructor(keys: readonly ApiKeySettings[]) {
    this.keys = keys.map((settings) => ({ settings, digest: Buffer.from(settings.sha256, 'hex') }));
  }

  get size(): number {
    return this.keys.length;
  }

  /** The client a presented key belongs to, or undefined. */
  identify(presented: string): ClientIdentity | undefined {
    const digest = createHash('sha256').update(presented).digest();
    let found: ApiKeySettings | undefined;
    for (const key of this.keys) if (timingSafeEqual(digest, key.digest) && !found) found = key.settings;
    return found && { name: found.name, via: 'api-key', roles: found.roles, scopes: [] };
  }
}
