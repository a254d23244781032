import {
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client';
import {
  GatewayError,
  errorMessage,
  silentLogger,
  type BackendSettings,
  type Logger,
} from '@mcp-gateway/core';
import { StdioTransport } from './stdio';
import { Upstream } from './upstream';

export interface ConnectOptions {
  logger?: Logger;
  clientInfo?: { name: string; version: string };
}

/**
 * Connects to the backend a config entry describes and runs the `initialize` handshake.
 * `transport: auto` tries Streamable HTTP first and falls back to legacy SSE when that is refused.
 *
 * @example const upstream = await connectBackend(config.backends.memory)
 */
export async function connectBackend(
  settings: BackendSettings,
  options: ConnectOptions = {},
): Promise<Upstream> {
  const logger = options.logger ?? silentLogger;
  const upstreamOptions = {
    backend: settings.name,
    logger,
    requestTimeoutMs: settings.timeouts.requestMs,
    startTimeoutMs: settings.timeouts.startMs,
    clientInfo: options.clientInfo,
  };
  const { target } = settings;
  if (target.kind !== 'auto') return Upstream.connect(createTransport(settings, logger), upstreamOptions);
  try {
    return await Upstream.connect(
      createTransport({ ...settings, target: { ...target, kind: 'http' } }, logger),
      upstreamOptions,
    );
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'BACKEND_START_TIMEOUT') throw error;
    logger.info('Streamable HTTP refused; trying legacy SSE', { error: errorMessage(error) });
    return Upstream.connect(
      createTransport({ ...settings, target: { ...target, kind: 'sse' } }, logger),
      upstreamOptions,
    );
  }
}

/** The SDK transport for one backend, not yet started. */
export function createTransport(settings: BackendSettings, logger: Logger = silentLogger): Transport {
  const { target } = settings;
  switch (target.kind) {
    case 'stdio':
      return new StdioTransport({
        command: target.command,
        args: target.args,
        env: target.env,
        cwd: target.cwd,
        logger,
      });
    case 'http':
    case 'auto':
      return new StreamableHTTPClientTransport(new URL(target.url), {
        requestInit: { headers: target.headers },
      });
    case 'sse':
      return new SSEClientTransport(new URL(target.url), {
        requestInit: { headers: target.headers },
        eventSourceInit: {
          fetch: (url, init) => fetch(url, { ...init, headers: { ...target.headers, ...init?.headers } }),
        },
      });
    default:
      return target satisfies never;
  }
}
