import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  Server,
} from '@modelcontextprotocol/server';
import { JsonRpcErrorCode, type BackendConnection, type CallOptions, type Catalog } from '@mcp-gateway/core';
import { checkRequest, visibleResult } from '@mcp-gateway/auth';
import { LOCAL_CALLER, type Caller } from '../internal/caller';
import { wireErrors } from '../internal/errors';
import type { InputRounds } from '../modern/input-rounds';
import { relay } from '../modern/round-call';

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
 * An SDK server that stands for one backend toward a client the gateway serves through the SDK (a modern-era
 * request, or a 2024-11-05 SSE stream): it announces the backend's own serverInfo, capabilities and instructions,
 * and relays every request and notification to the backend's session unchanged but for the modern envelope.
 * Progress and logging go back with the request. Backend→client requests go to the client (`rounds` absent), or
 * become input-required rounds for a modern-era client.
 */
export function createBackendServer(
  connection: BackendConnection,
  options: { rounds?: InputRounds; caller?: Caller; catalog?: Catalog } = {},
): Server {
  const { rounds, caller = LOCAL_CALLER, catalog } = options;
  const { serverInfo, capabilities, instructions } = connection.initializeResult;
  const server = new Server(serverInfo, { capabilities, ...(instructions ? { instructions } : {}) });
  const { backend } = connection;
  const client = caller.scope.identity;
  server.fallbackRequestHandler = (request, ctx) =>
    wireErrors(async () => {
      const params = withoutEnvelope(request.params);
      checkRequest(caller.scope, backend, request.method, params, catalog?.get(backend));
      const forward = async (options: CallOptions) =>
        visibleResult(
          caller.scope,
          backend,
          request.method,
          await connection.request(request.method, params, { ...options, client }),
        );
      if (rounds && MULTI_ROUND.has(request.method)) return rounds.run(ctx, forward, caller.owner);
      return forward({
        signal: ctx.mcpReq.signal,
        onNotification: (notification) =>
          rounds ? relay(ctx, notification) : void ctx.mcpReq.notify(notification as never).catch(() => {}),
        onRequest: (backendRequest) =>
          rounds
            ? Promise.reject({
                code: JsonRpcErrorCode.InvalidRequest,
                message: `A modern-era client cannot answer a server request during ${request.method}.`,
              })
            : (ctx.mcpReq.send({
                method: backendRequest.method,
                params: backendRequest.params,
              } as never) as Promise<Record<string, unknown>>),
      });
    });
  server.fallbackNotificationHandler = async (notification) => {
    if (notification.method === 'notifications/initialized') return; // the gateway initialized the backend itself
    await connection.notify(notification.method, notification.params as Record<string, unknown> | undefined);
  };
  return server;
}

function withoutEnvelope(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const meta = params?._meta as Record<string, unknown> | undefined;
  if (!meta) return params;
  const rest = Object.fromEntries(Object.entries(meta).filter(([key]) => !ENVELOPE_KEYS.includes(key)));
  const { _meta, ...others } = params!;
  return Object.keys(rest).length > 0 ? { ...others, _meta: rest } : others;
}
