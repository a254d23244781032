import { parseArgs } from 'node:util';
import {
  GatewayError,
  errorMessage,
  isGatewayError,
  type GatewayMode,
  type LogLevel,
} from '@mcp-gateway/core';
import { GatewayConfig } from '@mcp-gateway/config';
import packageJson from '../package.json' with { type: 'json' };
import { describeName, doctor } from './doctor';
import { Gateway } from './gateway';
import { startTracing } from './tracing';

export const HELP = `Usage: mcp-gateway [options]
       mcp-gateway check --config FILE
       mcp-gateway doctor --config FILE

One port in front of many MCP servers. POST /mcp serves the 4 meta-tools (or every tool with --no-meta-mcp);
/mcp/{backend} passes one backend through; GET /health reports backend status.

Options:
  -c, --config PATH       YAML configuration file (or a Claude Desktop / Cursor mcpServers JSON file)
  -p, --port PORT         Port to listen on (default: 39400, or the config's port)
      --host HOST         Host to bind to (default: 127.0.0.1, or the config's host)
      --log-level LEVEL   debug, info, warn, error (DEBUG, INFO, WARNING, ERROR also work)
      --no-meta-mcp       Aggregate mode: expose every backend tool, namespaced, instead of the meta-tools
      --stdio             Serve the gateway on stdin/stdout instead of HTTP, for clients that spawn processes
      --watch             Reload the configuration when its file changes (SIGHUP always reloads it)
      --allow-unauthenticated
                          Listen on a non-loopback --host without auth (something in front authenticates)
      --replica NAME      This replica's key in a fleet behind a load balancer: it leads every session id
                          (NAME.<uuid>) so the balancer can route a session to its replica; in /health too
      --version           Show version
  -h, --help              Show help

Commands:
  check                   Validate the configuration and exit: 0 if valid, 2 with every problem if not
  doctor                  Start every backend once and report, line by line, what works and how to fix what
                          does not: 0 if all pass, 1 if any fails, 2 if the configuration is invalid

Environment: MCP_GATEWAY_PORT, MCP_GATEWAY_HOST and MCP_GATEWAY_REPLICA stand in for --port, --host and
--replica (the flags win).
Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Parses, loads config, wires, serves. Returns the process exit code; every error is mapped here, once. */
export async function main(
  argv: string[],
  io: CliIo = defaultIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    const args = parse(argv, env);
    if (args.help || args.version) {
      io.out(args.help ? HELP : packageJson.version);
      return 0;
    }
    const file = args.config;
    if (!file) throw new GatewayError('USAGE', 'No configuration: pass --config FILE (see --help).');
    const overrides = { port: args.port, host: args.host, logLevel: args.logLevel, mode: args.mode };
    if (args.command === 'doctor') return await doctor(file, io, env);
    const load = () => GatewayConfig.fromYaml(file, { env }).withOverrides(overrides);
    const config = load();
    if (args.command === 'check') {
      const names = Object.keys(config.backends).map((name) => describeName(name, config.renamed));
      io.out(`${config.source}: valid, ${names.length} backend(s): ${names.join(', ') || '(none)'}`);
      return 0;
    }
    const gateway = new Gateway(config, {
      load,
      allowUnauthenticated: args.allowUnauthenticated,
      ...(args.replica ? { replica: args.replica } : {}),
    });
    const tracing = await startTracing(packageJson.version, gateway.logger, env);
    try {
      await gateway.run({ stdio: args.stdio, watch: args.watch ? file : undefined });
    } finally {
      await tracing?.shutdown();
    }
    return 0;
  } catch (error) {
    io.err(`mcp-gateway: ${errorMessage(error)}`);
    return isGatewayError(error) && ['USAGE', 'CONFIG_INVALID', 'CONFIG_NOT_FOUND'].includes(error.code)
      ? 2
      : 1;
  }
}

interface CliArgs {
  command: 'serve' | 'check' | 'doctor';
  config?: string;
  port?: number;
  host?: string;
  logLevel?: LogLevel;
  mode?: GatewayMode;
  stdio: boolean;
  watch: boolean;
  allowUnauthenticated: boolean;
  replica: string | undefined;
  help: boolean;
  version: boolean;
}

const COMMANDS = ['serve', 'check', 'doctor'];

function parse(argv: string[], env: NodeJS.ProcessEnv): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'log-level': { type: 'string' },
        'no-meta-mcp': { type: 'boolean', default: false },
        stdio: { type: 'boolean', default: false },
        watch: { type: 'boolean', default: false },
        'allow-unauthenticated': { type: 'boolean', default: false },
        replica: { type: 'string' },
        version: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new GatewayError('USAGE', `${errorMessage(error)} (see --help)`);
  }
  const { values, positionals } = parsed;
  const [command = 'serve', ...extra] = positionals;
  if (!COMMANDS.includes(command) || extra.length > 0) {
    throw new GatewayError(
      'USAGE',
      `Unknown command "${positionals.join(' ')}": expected "check", "doctor" or none (see --help).`,
    );
  }
  const port = values.port ?? env.MCP_GATEWAY_PORT;
  return {
    command: command as CliArgs['command'],
    config: values.config,
    port:
      port === undefined || port === ''
        ? undefined
        : parsePort(port, values.port ? '--port' : 'MCP_GATEWAY_PORT'),
    host: values.host ?? (env.MCP_GATEWAY_HOST || undefined),
    logLevel: values['log-level'] === undefined ? undefined : parseLevel(values['log-level']),
    mode: values['no-meta-mcp'] ? 'aggregate' : undefined,
    stdio: values.stdio,
    watch: values.watch,
    allowUnauthenticated: values['allow-unauthenticated'],
    replica: parseReplica(
      values.replica ?? (env.MCP_GATEWAY_REPLICA || undefined),
      values.replica ? '--replica' : 'MCP_GATEWAY_REPLICA',
    ),
    help: values.help,
    version: values.version,
  };
}

function parseReplica(text: string | undefined, from: string): string | undefined {
  if (text === undefined || /^[a-z0-9][a-z0-9-]{0,62}$/.test(text)) return text;
  throw new GatewayError(
    'USAGE',
    `${from} expects lower-case letters, digits and dashes (at most 63, not starting with a dash), got "${text}".`,
  );
}

function parsePort(text: string, from: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new GatewayError('USAGE', `${from} expects a number from 0 to 65535, got "${text}".`);
  return port;
}

const LEVELS: Record<string, LogLevel> = {
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
};

function parseLevel(text: string): LogLevel {
  const level = LEVELS[text.toLowerCase()];
  if (!level)
    throw new GatewayError('USAGE', `--log-level expects debug, info, warn or error, got "${text}".`);
  return level;
}
