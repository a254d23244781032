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
  type LiveConnection,
  type Logger,
} from '@mcp-gateway/core';
import { ModernUpstream } from './modern-upstream';
import { StdioTransport } from './stdio';
import { Upstream } from './upstream';

/** What a probe found an HTTP endpoint to speak, by URL. The caller owns it, so it lives as long as it should. */
export type EraVerdicts = Map<string, 'modern' | 'legacy'>;

export interface ConnectOptions {
  logger?: Logger;
  clientInfo?: { name: string; version: string };
  /** Verdicts of earlier probes; pass the same map on every connect so each backend is probed once. */
  eras?: EraVerdicts;
}

/**
 * Connects to the backend a config entry describes and runs the handshake. An HTTP backend is probed once for
 * its protocol era (2026-07-28 `server/discover`, else 2025 `initialize`) and the verdict kept in `eras`;
 * `transport: auto` falls back to legacy SSE when Streamable HTTP is refused.
 *
 * @example const upstream = await connectBackend(config.backends.memory)
 */
export async function connectBackend(
  settings: BackendSettings,
  options: ConnectOptions = {},
): Promise<LiveConnection> {
  const logger = options.logger ?? silentLogger;
  const upstreamOptions = {
    backend: settings.name,
    logger,
    requestTimeoutMs: settings.timeouts.requestMs,
    startTimeoutMs: settings.timeouts.startMs,
    clientInfo: options.clientInfo,
  };
  const { target } = settings;
  if (target.kind === 'stdio' || target.kind === 'sse') {
    return Upstream.connect(createTransport(settings, logger), upstreamOptions);
  }
  const eras = options.eras ?? new Map();
  try {
    if (eras.get(target.url) !== 'legacy') {
      const modern = await ModernUpstream.probe({
        ...upstreamOptions,
        url: new URL(target.url),
        headers: target.headers,
      });
      eras.set(target.url, modern ? 'modern' : 'legacy');
      if (modern) return modern;
    }
    return await Upstream.connect(
      createTransport({ ...settings, target: { ...target, kind: 'http' } }, logger),
      upstreamOptions,
    );
  } catch (error) {
    if (target.kind !== 'auto' || (error instanceof GatewayError && error.code === 'BACKEND_START_TIMEOUT'))
      throw error;
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
