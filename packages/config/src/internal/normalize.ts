import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type {
  AccessRule,
  AuthSettings,
  BackendSettings,
  BackendTarget,
  GatewaySettings,
} from '@mcp-gateway/core';
import type { BackendInput, GatewayInput } from '../schema';
import type { ConfigIssue } from './issues';
import { shellSplit } from './shell-split';

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 39400,
  startTimeoutS: 30,
  requestTimeoutS: 120,
  idleTimeoutS: 0,
  /** Calls in flight per backend, and calls waiting beyond them, before more are refused. */
  maxConcurrency: 64,
  maxQueue: 256,
  /** Long enough for an interactive client to think, short enough that abandoned sessions do not pile up. */
  sessionIdleTimeoutS: 1800,
  maxSessions: 10_000,
  maxSessionsPerClient: 1000,
  /** How long search and listing wait for backends still being learned, and how many start at once to be learned. */
  catalogWaitS: 5,
  warmConcurrency: 4,
} as const;

export interface NormalizeContext {
  /** Relative `cwd` values resolve against this folder, and backends without `cwd` run in it. */
  baseDir: string;
  env: Record<string, string | undefined>;
}

/** Builds the settings the gateway runs on from a schema-valid document, collecting semantic problems. */
export function normalizeGateway(
  input: GatewayInput,
  ctx: NormalizeContext,
  issues: ConfigIssue[],
): GatewaySettings {
  let mode: GatewaySettings['mode'] = input.enable_meta_mcp === false ? 'aggregate' : 'meta';
  if (input.mode) {
    if (input.enable_meta_mcp !== undefined && input.mode !== mode) {
      issues.push({
        path: ['mode'],
        message: `mode "${input.mode}" contradicts enable_meta_mcp: ${input.enable_meta_mcp}; keep one of them`,
      });
    }
    mode = input.mode;
  }
  const backends: Record<string, BackendSettings> = {};
  for (const [name, backend] of Object.entries(input.backends ?? {})) {
    if (backend.enabled === false) continue;
    const settings = normalizeBackend(name, backend, input, ctx, issues);
    if (settings) backends[name] = settings;
  }
  const auth = normalizeAuth(input.auth, issues);
  if (input.access?.length && !auth)
    issues.push({
      path: ['access'],
      message: 'access rules name clients, so they need `auth` (api_keys or oauth) to know who calls',
    });
  return {
    host: input.host ?? DEFAULTS.host,
    port: input.port ?? DEFAULTS.port,
    mode,
    logLevel: input.log_level ?? 'info',
    stateDir: input.state_dir ? resolve(ctx.baseDir, input.state_dir) : defaultStateDir(ctx.env),
    backends,
    ...(input.public_url ? { publicUrl: input.public_url.replace(/\/+$/, '') } : {}),
    allowedHosts: (input.allowed_hosts ?? []).map((h) => h.toLowerCase()),
    allowedOrigins: input.allowed_origins ?? [],
    ...(auth ? { auth } : {}),
    access: normalizeAccess(input.access ?? [], issues),
    ...(input.rate_limit
      ? {
          rateLimit: {
            rate: input.rate_limit.rate,
            burst: input.rate_limit.burst ?? Math.ceil(input.rate_limit.rate * 2),
          },
        }
      : {}),
    audit: {
      enabled: input.audit?.enabled ?? auth !== undefined,
      arguments: input.audit?.arguments ?? false,
    },
    sessions: {
      idleMs: Math.round((input.session_idle_timeout ?? DEFAULTS.sessionIdleTimeoutS) * 1000),
      max: input.max_sessions ?? DEFAULTS.maxSessions,
      perClient: input.max_sessions_per_client ?? DEFAULTS.maxSessionsPerClient,
    },
    catalog: {
      waitMs: Math.round((input.catalog_wait ?? DEFAULTS.catalogWaitS) * 1000),
      warmConcurrency: input.warm_concurrency ?? DEFAULTS.warmConcurrency,
      semantic: input.semantic_search ?? true,
    },
    console: input.console ?? true,
    ...(input.redis
      ? {
          redis: {
            url: input.redis.url,
            prefix: input.redis.prefix ?? 'mcpgw:',
            eventTtlS: input.redis.event_ttl ?? 3600,
          },
        }
      : {}),
  };
}

const SHA256 = /^sha256:([0-9a-f]{64})$/i;

/**
 * API keys are kept as their SHA-256 only: a `sha256:<hex>` key as written, any other (from `${ENV}` or
 * `${file:...}`) hashed here. No message ever shows a key.
 */
function normalizeAuth(input: GatewayInput['auth'], issues: ConfigIssue[]): AuthSettings | undefined {
  if (!input) return undefined;
  const apiKeys = (input.api_keys ?? []).map((entry, i) => {
    const hashed = SHA256.exec(entry.key);
    if (!hashed && entry.key.startsWith('sha256:'))
      issues.push({ path: ['auth', 'api_keys', i, 'key'], message: 'expected sha256: and 64 hex digits' });
    return {
      name: entry.name,
      sha256: hashed ? hashed[1]!.toLowerCase() : createHash('sha256').update(entry.key).digest('hex'),
      roles: entry.roles ?? [],
    };
  });
  const seen = new Set<string>();
  for (const [i, { name }] of apiKeys.entries()) {
    if (seen.has(name))
      issues.push({
        path: ['auth', 'api_keys', i, 'name'],
        message: `a second key named "${name}"; names must be unique`,
      });
    seen.add(name);
  }
  if (apiKeys.length === 0 && !input.oauth)
    issues.push({
      path: ['auth'],
      message: 'expected `api_keys` or `oauth` (or leave `auth` out), found neither',
    });
  const { oauth } = input;
  return {
    apiKeys,
    ...(oauth
      ? {
          oauth: {
            issuer: oauth.issuer,
            ...(oauth.audience ? { audience: oauth.audience } : {}),
            ...(oauth.jwks_url ? { jwksUrl: oauth.jwks_url } : {}),
            scopes: oauth.scopes ?? [],
            roles: oauth.roles ?? {},
          },
        }
      : {}),
    publicMetrics: input.public_metrics ?? false,
  };
}

function normalizeAccess(rules: NonNullable<GatewayInput['access']>, issues: ConfigIssue[]): AccessRule[] {
  return rules.map((rule, i) => {
    if ((rule.client === undefined) === (rule.role === undefined))
      issues.push({ path: ['access', i], message: 'expected exactly one of `client` and `role`' });
    if (!rule.allow?.length && !rule.deny?.length)
      issues.push({ path: ['access', i], message: 'expected `allow` or `deny` globs, found neither' });
    return {
      ...(rule.client !== undefined ? { client: rule.client } : {}),
      ...(rule.role !== undefined ? { role: rule.role } : {}),
      allow: rule.allow ?? [],
      deny: rule.deny ?? [],
    };
  });
}

export function normalizeBackend(
  name: string,
  input: BackendInput,
  defaults: Pick<
    GatewayInput,
    'start_timeout' | 'request_timeout' | 'idle_timeout' | 'max_concurrency' | 'max_queue'
  >,
  ctx: NormalizeContext,
  issues: ConfigIssue[],
): BackendSettings | undefined {
  const path = ['backends', name];
  const target = normalizeTarget(input, path, ctx, issues);
  if (!target) return undefined;
  const seconds = (own: number | undefined, global: number | undefined, fallback: number) =>
    Math.round((own ?? global ?? fallback) * 1000);
  return {
    name,
    description: input.description ?? '',
    target,
    timeouts: {
      startMs: seconds(input.start_timeout, defaults.start_timeout, DEFAULTS.startTimeoutS),
      requestMs: seconds(input.request_timeout, defaults.request_timeout, DEFAULTS.requestTimeoutS),
      idleMs: seconds(input.idle_timeout, defaults.idle_timeout, DEFAULTS.idleTimeoutS),
    },
    // An HTTP backend gives each client session an upstream session of its own unless told to share one.
    isolation: input.isolation ?? (target.kind === 'stdio' ? 'shared' : 'per-session'),
    limits: {
      concurrency: input.max_concurrency ?? defaults.max_concurrency ?? DEFAULTS.maxConcurrency,
      queue: input.max_queue ?? defaults.max_queue ?? DEFAULTS.maxQueue,
    },
  };
}

function normalizeTarget(
  input: BackendInput,
  path: string[],
  ctx: NormalizeContext,
  issues: ConfigIssue[],
): BackendTarget | undefined {
  const wantsStdio =
    input.transport === 'stdio' || (input.transport === undefined && input.command !== undefined);
  if (input.command !== undefined && input.http_url !== undefined) {
    issues.push({ path, message: 'expected either `command` (stdio) or `http_url` (HTTP), found both' });
    return undefined;
  }
  if (input.command === undefined && input.http_url === undefined) {
    issues.push({
      path,
      message: 'expected `command` (a stdio backend) or `http_url` (an HTTP backend), found neither',
    });
    return undefined;
  }
  if (wantsStdio) {
    if (input.command === undefined) {
      issues.push({
        path: [...path, 'transport'],
        message: 'transport "stdio" needs `command`, found only `http_url`',
      });
      return undefined;
    }
    for (const key of ['headers'] as const) {
      if (input[key])
        issues.push({
          path: [...path, key],
          message: `\`${key}\` applies to HTTP backends only; this one has \`command\``,
        });
    }
    const split = shellSplit(input.command);
    if ('error' in split) {
      issues.push({ path: [...path, 'command'], message: `cannot split the command: ${split.error}` });
      return undefined;
    }
    const [command, ...args] = split.words;
    if (!command) {
      issues.push({ path: [...path, 'command'], message: 'expected a command, found only whitespace' });
      return undefined;
    }
    return {
      kind: 'stdio',
      command,
      args: [...args, ...(input.args ?? [])],
      env: input.env ?? {},
      cwd: input.cwd ? resolve(ctx.baseDir, input.cwd) : ctx.baseDir,
    };
  }
  if (input.http_url === undefined) {
    issues.push({
      path: [...path, 'transport'],
      message: `transport "${input.transport}" needs \`http_url\`, found only \`command\``,
    });
    return undefined;
  }
  for (const key of ['args', 'env', 'cwd'] as const) {
    if (input[key])
      issues.push({
        path: [...path, key],
        message: `\`${key}\` applies to stdio backends only; this one has \`http_url\``,
      });
  }
  const kind = input.transport ?? (new URL(input.http_url).pathname.endsWith('/sse') ? 'sse' : 'auto');
  return { kind: kind as 'http' | 'sse' | 'auto', url: input.http_url, headers: input.headers ?? {} };
}

/** systemd's `StateDirectory=` (first of a `:` list), else `$XDG_STATE_HOME/mcp-gateway`, else ~/.local/state's. */
function defaultStateDir(env: Record<string, string | undefined>): string {
  const systemd = env.STATE_DIRECTORY?.split(':')[0];
  if (systemd && isAbsolute(systemd)) return systemd;
  const base =
    env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)
      ? env.XDG_STATE_HOME
      : join(homedir(), '.local', 'state');
  return join(base, 'mcp-gateway');
}
