import type { Transport } from '@modelcontextprotocol/client';
import {
  GatewayError,
  errorMessage,
  silentLogger,
  type BackendSettings,
  type LiveConnection,
  type Logger,
} from '@mcp-gateway/core';
import { StdioTransport } from './stdio';
import { Upstream, type HttpSession, type UpstreamOptions } from './upstream';
import { tracedFetch } from './internal/traced-fetch';

/** What a probe found an HTTP endpoint to speak, by URL. The caller owns it, so it lives as long as it should. */
export type EraVerdicts = Map<string, 'modern' | 'legacy'>;

export interface ConnectOptions {
  logger?: Logger;
  clientInfo?: { name: string; version: string };
  /** Verdicts of earlier probes; pass the same map on every connect so each backend is probed once. */
  eras?: EraVerdicts;
  /** Gives up a stdio or 2025-era handshake in progress (the gateway is closing). */
  signal?: AbortSignal;
}

/**
 * Connects to the backend a config entry describes and runs the handshake. An HTTP backend is probed once for
 * its protocol era (2026-07-28 `server/discover`, else 2025 `initialize`) and the verdict kept in `eras`;
 * `transport: auto` falls back to legacy SSE when Streamable HTTP is refused. The SDK's HTTP client is loaded
 * the first time an HTTP backend connects, so a gateway of stdio backends never loads it.
 *
 * @example const upstream = await connectBackend(config.backends.memory)
 */
export async function connectBackend(
  settings: BackendSettings,
  options: ConnectOptions = {},
): Promise<LiveConnection> {
  const logger = options.logger ?? silentLogger;
  const upstreamOptions: UpstreamOptions = {
    backend: settings.name,
    logger,
    requestTimeoutMs: settings.timeouts.requestMs,
    startTimeoutMs: settings.timeouts.startMs,
    clientInfo: options.clientInfo,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const { target } = settings;
  if (target.kind === 'stdio') {
    const { command, args, env, cwd } = target;
    return Upstream.connect(new StdioTransport({ command, args, env, cwd, logger }), upstreamOptions);
  }
  if (target.kind === 'sse') return Upstream.connect(await sseTransport(target), upstreamOptions);
  const eras = options.eras ?? new Map();
  try {
    if (eras.get(target.url) !== 'legacy') {
      const { ModernUpstream } = await import('./modern-upstream');
      const modern = await ModernUpstream.probe({
        ...upstreamOptions,
        url: new URL(target.url),
        headers: target.headers,
      });
      eras.set(target.url, modern ? 'modern' : 'legacy');
      if (modern) return modern;
    }
    const { transport, httpSession } = await streamableTransport(target);
    return await Upstream.connect(transport, { ...upstreamOptions, httpSession });
  } catch (error) {
    if (target.kind !== 'auto' || (error instanceof GatewayError && error.code === 'BACKEND_START_TIMEOUT'))
      throw error;
    logger.info('Streamable HTTP refused; trying legacy SSE', { error: errorMessage(error) });
    return Upstream.connect(await sseTransport(target), upstreamOptions);
  }
}

type HttpTarget = { url: string; headers: Record<string, string> };

/** A 2025-era Streamable HTTP client transport, and how its upstream session expires and ends. */
async function streamableTransport(
  target: HttpTarget,
): Promise<{ transport: Transport; httpSession: HttpSession }> {
  const { StreamableHTTPClientTransport, SdkHttpError } = await import('@modelcontextprotocol/client');
  const transport = new StreamableHTTPClientTransport(new URL(target.url), {
    requestInit: { headers: target.headers },
    fetch: tracedFetch,
  });
  return {
    transport,
    httpSession: {
      // An HTTP 404 on an established session: the backend forgot it (restart, expiry), per the spec.
      expired: (error) =>
        error instanceof SdkHttpError &&
        (error.data as { status?: number } | undefined)?.status === 404 &&
        transport.sessionId !== undefined,
      end: async () => {
        if (transport.sessionId) await transport.terminateSession();
      },
    },
  };
}

/** A 2024-11-05 HTTP+SSE client transport; the SDK sends `requestInit`'s headers on the stream and the POSTs. */
async function sseTransport(target: HttpTarget): Promise<Transport> {
  const { SSEClientTransport } = await import('@modelcontextprotocol/client');
  return new SSEClientTransport(new URL(target.url), {
    requestInit: { headers: target.headers },
    fetch: tracedFetch,
  });
}
