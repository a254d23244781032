import { OPEN_SCOPE, identityKey, type ClientScope } from '@mcp-gateway/core';

/**
 * Who a request comes from, as every route hands it down: what the client may see and use, and the key its
 * sessions and input-required rounds belong to (another client naming them finds nothing).
 */
export interface Caller {
  scope: ClientScope;
  owner: string;
}

/** The trusted local caller (stdio, or a gateway without authentication): sees everything. */
export const LOCAL_CALLER: Caller = { scope: OPEN_SCOPE, owner: identityKey(null) };

export function callerOf(scope: ClientScope): Caller {
  return { scope, owner: identityKey(scope.identity) };
}
