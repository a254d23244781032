import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  Server,
} from '@modelcontextprotocol/server';
import { JsonRpcErrorCode, type BackendConnection, type CallOptions } from '@mcp-gateway/core';
import { wireErrors } from '../internal/errors';
import type { InputRounds } from './input-rounds';

/** Methods whose result may be input-required, so that a backend may ask the client something during them. */
const MULTI_ROUND = new Set(['tools/call', 'prompts/get', 'resources/read']);
/** The per-request envelope of the modern era: for the gateway's edge, not for a legacy backend. */
const ENVELOPE_KEYS = [
  PROTOCOL_VERSION_META_KEY,
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
];

/**
 * An SDK server that stands for one backend toward a modern-era client: it announces the backend's own
 * serverInfo, capabilities and instructions, and relays every request to the backend's (legacy) session unchanged
 * but for the envelope. Progress and logging go back on the request's stream; backend→client requests become
 * input-required rounds.
 */
export function createBackendServer(connection: BackendConnection, rounds: InputRounds): Server {
  const { serverInfo, capabilities, instructions } = connection.initializeResult;
  const server = new Server(serverInfo, { capabilities, ...(instructions ? { instructions } : {}) });
  server.fallbackRequestHandler = (request, ctx) =>
    wireErrors(() => {
      const params = withoutEnvelope(request.params);
      const forward = (options: CallOptions) => connection.request(request.method, params, options);
      if (MULTI_ROUND.has(request.method)) return rounds.run(ctx, forward);
      return forward({
        signal: ctx.mcpReq.signal,
        onNotification: (notification) => void ctx.mcpReq.notify(notification as never).catch(() => {}),
        onRequest: () =>
          Promise.reject({
            code: JsonRpcErrorCode.InvalidRequest,
            message: `A modern-era client cannot answer a server request during ${request.method}.`,
          }),
      });
    });
  return server;
}

function withoutEnvelope(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const meta = params?._meta as Record<string, unknown> | undefined;
  if (!meta) return params;
  const rest = Object.fromEntries(Object.entries(meta).filter(([key]) => !ENVELOPE_KEYS.includes(key)));
  const { _meta, ...others } = params!;
  return Object.keys(rest).length > 0 ? { ...others, _meta: rest } : others;
}
