import type { AccessRule, ClientIdentity, ClientScope } from '@mcp-gateway/core';
import { OPEN_SCOPE } from '@mcp-gateway/core';
import { compileGlob, type Glob } from './glob';

interface CompiledRule {
  client?: string;
  role?: string;
  allow: Glob[];
  deny: Glob[];
}

/**
 * The access rules of the config, and the one decision every path asks: may this client see this backend, and
 * this tool, prompt or resource of it. With no rules every client sees everything; once there is a rule, a client
 * that no rule names (by name, or by one of its roles) sees nothing. A deny wins over every allow.
 *
 * @example new AccessPolicy([{ client: 'alice', allow: ['memory/*'], deny: ['memory/delete_*'] }]).scope(alice)
 */
export class AccessPolicy {
  private readonly rules: CompiledRule[];

  constructor(rules: readonly AccessRule[]) {
    this.rules = rules.map((rule) => ({
      ...(rule.client !== undefined ? { client: rule.client } : {}),
      ...(rule.role !== undefined ? { role: rule.role } : {}),
      allow: rule.allow.map(compileGlob),
      deny: rule.deny.map(compileGlob),
    }));
  }

  /** What `identity` may see; `null` (stdio, or no authentication) sees everything. */
  scope(identity: ClientIdentity | null): ClientScope {
    if (identity === null || this.rules.length === 0)
      return identity === null ? OPEN_SCOPE : { ...OPEN_SCOPE, identity };
    const mine = this.rules.filter(
      (rule) =>
        rule.client === identity.name || (rule.role !== undefined && identity.roles.includes(rule.role)),
    );
    const allow = mine.flatMap((rule) => rule.allow);
    const deny = mine.flatMap((rule) => rule.deny);
    const seen = new Map<string, boolean>();
    return {
      identity,
      restricted: true,
      seesBackend(backend) {
        let sees = seen.get(backend);
        if (sees === undefined) {
          sees =
            allow.some((glob) => glob.backend.test(backend)) &&
            !deny.some((glob) => glob.whole && glob.backend.test(backend));
          seen.set(backend, sees);
        }
        return sees;
      },
      allows: (backend, item) =>
        !deny.some((glob) => glob.backend.test(backend) && glob.item.test(item)) &&
        allow.some((glob) => glob.backend.test(backend) && glob.item.test(item)),
    };
  }
}
