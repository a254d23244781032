import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import {
  GatewayError,
  type BackendSettings,
  type GatewayMode,
  type GatewaySettings,
  type LogLevel,
} from '@mcp-gateway/core';
import {
  backendInputSchema,
  backendNameSchema,
  gatewayInputSchema,
  type BackendInput,
  type GatewayInput,
} from './schema';
import { expandEnv, type UnsetVariable } from './internal/expand';
import { formatPath, LineCounter, locateIssues, type ConfigIssue } from './internal/issues';
import { fromMcpServers } from './internal/mcp-servers';
import { normalizeBackend, normalizeGateway, type NormalizeContext } from './internal/normalize';
import { fromZodIssues } from './internal/zod-issues';

export interface ConfigSourceOptions {
  /** Shown in error messages; a file path or a label such as `<inline>`. */
  source?: string;
  /** Relative `cwd`/`state_dir` resolve here; defaults to the file's folder, else the process's cwd. */
  baseDir?: string;
  /** Variables for `${VAR}` expansion; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Called for each `${VAR}` that is unset and has no default, which then expands to an empty string, instead of
   * failing the load (`mcp-gateway doctor` reports them per backend).
   */
  onUnsetVariable?: UnsetVariable;
}

/** What `withOverrides` can change, e.g. from CLI flags. */
export interface ConfigOverrides {
  host?: string;
  port?: number;
  mode?: GatewayMode;
  logLevel?: LogLevel;
  stateDir?: string;
}

/**
 * One backend, validated. Accepts the same keys as a `backends.<name>` entry in YAML.
 *
 * @example new BackendConfig({ name: 'memory', command: 'node server.js', description: 'Knowledge graph' })
 */
export class BackendConfig implements BackendSettings {
  readonly name!: string;
  readonly description!: string;
  readonly target!: BackendSettings['target'];
  readonly timeouts!: BackendSettings['timeouts'];
  readonly isolation!: BackendSettings['isolation'];

  constructor(input: BackendInput & { name: string }, options: ConfigSourceOptions = {}) {
    const { name, ...rest } = input;
    const source = options.source ?? `<backend ${name}>`;
    const issues: ConfigIssue[] = [];
    const expanded = expandEnv(rest, options.env ?? process.env, issues);
    const parsed = backendInputSchema.safeParse(expanded, { reportInput: true });
    if (!parsed.success) issues.push(...fromZodIssues(parsed.error.issues, backendInputSchema));
    const ctx: NormalizeContext = {
      baseDir: options.baseDir ?? process.cwd(),
      env: options.env ?? process.env,
    };
    const settings = parsed.success ? normalizeBackend(name, parsed.data, {}, ctx, issues) : undefined;
    throwIfIssues(
      source,
      issues.map((i) => ({
        ...i,
        path: ['backends', name, ...i.path.slice(i.path[0] === 'backends' ? 2 : 0)],
      })),
    );
    Object.assign(this, settings);
  }
}

/**
 * The gateway's configuration, validated. Construct it from an object with the YAML keys, or load a file.
 *
 * @example const config = GatewayConfig.fromYaml('servers.yaml')
 */
export class GatewayConfig implements GatewaySettings {
  readonly host!: string;
  readonly port!: number;
  readonly mode!: GatewayMode;
  readonly logLevel!: LogLevel;
  readonly stateDir!: string;
  readonly backends!: Record<string, BackendSettings>;
  /** Backend name → the `mcpServers` key it was derived from, for keys that are not valid names. */
  readonly renamed!: Record<string, string>;
  readonly publicUrl?: string;
  readonly allowedHosts!: string[];
  readonly allowedOrigins!: string[];
  readonly auth?: GatewaySettings['auth'];
  readonly access!: NonNullable<GatewaySettings['access']>;
  readonly rateLimit?: GatewaySettings['rateLimit'];
  readonly audit!: NonNullable<GatewaySettings['audit']>;
  readonly sessions!: NonNullable<GatewaySettings['sessions']>;
  /** The web console at `/ui`. */
  readonly console!: boolean;
  /** Where this configuration came from, for messages. */
  readonly source!: string;

  constructor(input: GatewayInput | Record<string, unknown> = {}, options: ConfigSourceOptions = {}) {
    const source = options.source ?? '<inline>';
    const settings = buildSettings(input, source, options, undefined);
    Object.assign(this, settings, { source });
  }

  /**
   * Loads YAML (or JSON, which is YAML) from a file; `mcpServers` JSON files are accepted too. `${CONFIG_DIR}`
   * expands to the file's folder.
   */
  static fromYaml(path: string, options: Omit<ConfigSourceOptions, 'source'> = {}): GatewayConfig {
    const file = resolve(path);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
      throw new GatewayError(
        'CONFIG_NOT_FOUND',
        `Cannot read config ${file}: ${reason}. Pass an existing file with --config.`,
        { cause: error },
      );
    }
    // ${CONFIG_DIR} lets a config name files beside itself, wherever the gateway is started from.
    const env = { ...(options.env ?? process.env), CONFIG_DIR: dirname(file) };
    return GatewayConfig.parse(text, { baseDir: dirname(file), ...options, env, source: file });
  }

  /** Parses configuration text (YAML or JSON). */
  static parse(text: string, options: ConfigSourceOptions = {}): GatewayConfig {
    const source = options.source ?? '<inline>';
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const issues = doc.errors.map((e): ConfigIssue => ({
        path: [],
        line: lines.linePos(e.pos[0]).line,
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      }));
      throwIfIssues(source, issues);
    }
    const value: unknown = doc.toJS() ?? {};
    const config = Object.create(GatewayConfig.prototype) as GatewayConfig;
    Object.assign(config, buildSettings(value, source, options, { doc, lines }), { source });
    return config;
  }

  /** A copy with CLI-style overrides applied. */
  withOverrides(overrides: ConfigOverrides): GatewayConfig {
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
    return Object.assign(Object.create(GatewayConfig.prototype) as GatewayConfig, this, defined);
  }
}

function buildSettings(
  input: unknown,
  source: string,
  options: ConfigSourceOptions,
  yaml: { doc: Parameters<typeof locateIssues>[1]; lines: LineCounter } | undefined,
): GatewaySettings & { renamed: Record<string, string> } {
  const issues: ConfigIssue[] = [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throwIfIssues(source, [
      {
        path: [],
        message: `expected a mapping with \`backends\`, found ${Array.isArray(input) ? 'a list' : typeof input}`,
      },
    ]);
  }
  const { prebuilt, raw } = splitPrebuilt(input as Record<string, unknown>);
  const mcpServers = fromMcpServers(raw, issues);
  const env = options.env ?? process.env;
  const expanded = expandEnv(mcpServers?.converted ?? raw, env, issues, options.onUnsetVariable);
  const ctx: NormalizeContext = { baseDir: options.baseDir ?? process.cwd(), env };
  const settings = validate(expanded, ctx, issues);
  if (mcpServers) {
    for (const issue of issues) {
      if (issue.path[0] !== 'backends') continue;
      issue.path[0] = mcpServers.key;
      issue.path[1] = mcpServers.renamed.get(String(issue.path[1])) ?? issue.path[1]!;
    }
  }
  locateIssues(issues, yaml?.doc, yaml?.lines);
  throwIfIssues(source, issues);
  return {
    ...settings!,
    backends: { ...settings!.backends, ...prebuilt },
    renamed: Object.fromEntries(mcpServers?.renamed ?? []),
  };
}

/** Validates the top level and each backend separately, so one broken backend does not hide another's problems. */
function validate(value: unknown, ctx: NormalizeContext, issues: ConfigIssue[]): GatewaySettings | undefined {
  const top = topLevelSchema.safeParse(value, { reportInput: true });
  if (!top.success) issues.push(...fromZodIssues(top.error.issues, gatewayInputSchema));
  const rawBackends = (value as { backends?: unknown }).backends;
  const backends: Record<string, BackendInput> = {};
  if (rawBackends !== null && typeof rawBackends === 'object' && !Array.isArray(rawBackends)) {
    for (const [name, entry] of Object.entries(rawBackends)) {
      const parsed = backendInputSchema.safeParse(entry, { reportInput: true });
      if (parsed.success) backends[name] = parsed.data;
      else
        issues.push(
          ...fromZodIssues(parsed.error.issues, backendInputSchema).map((i) => ({
            ...i,
            path: ['backends', name, ...i.path],
          })),
        );
    }
  }
  const settings = normalizeGateway({ ...(top.success ? top.data : {}), backends }, ctx, issues);
  return top.success ? settings : undefined;
}

const topLevelSchema = gatewayInputSchema.extend({
  backends: z.record(backendNameSchema, z.unknown()).optional(),
});

/** Programmatic configs may hold `BackendConfig` instances, already validated. */
function splitPrebuilt(input: Record<string, unknown>) {
  const backends = input.backends;
  if (!backends || typeof backends !== 'object') return { prebuilt: {}, raw: input };
  const prebuilt: Record<string, BackendSettings> = {};
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(backends)) {
    if (value instanceof BackendConfig) prebuilt[name] = { ...value, name };
    else rest[name] = value;
  }
  return { prebuilt, raw: { ...input, backends: rest } };
}

function throwIfIssues(source: string, issues: ConfigIssue[]): void {
  if (issues.length === 0) return;
  const sorted = [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const lines = sorted.map(
    (i) => `  - ${formatPath(i.path)}${i.line ? ` (line ${i.line})` : ''}: ${i.message}`,
  );
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  throw new GatewayError(
    'CONFIG_INVALID',
    `Invalid configuration in ${source} (${count}):\n${lines.join('\n')}`,
    {
      details: sorted.map((i) => ({ path: formatPath(i.path), line: i.line ?? null, message: i.message })),
    },
  );
}
