import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';
import { isRequest, type JsonRpcMessage } from '@mcp-gateway/core';
import type { RateLimiter } from '@mcp-gateway/auth';

/**
 * A transport (the stdio front door's) whose incoming requests past the client's rate limit are answered at once
 * with a JSON-RPC error that says when to retry, instead of reaching the server. Other messages pass as they are.
 */
export function limitedTransport(
  transport: Transport,
  limiter: () => RateLimiter | undefined,
  onLimited: () => void,
): Transport {
  const limited: Transport = {
    start: () => transport.start(),
    send: (message, options) => transport.send(message, options),
    close: () => transport.close(),
    setProtocolVersion: (version) => transport.setProtocolVersion?.(version),
  };
  transport.onclose = () => limited.onclose?.();
  transport.onerror = (error) => limited.onerror?.(error);
  transport.onmessage = (message, extra) => {
    const wait = isRequest(message as JsonRpcMessage) ? limiter()?.take('local') : undefined;
    if (wait === undefined) return limited.onmessage?.(message, extra);
    onLimited();
    const error = {
      code: -32000,
      message: `Too many requests: the rate limit is spent; retry in ${wait} s.`,
      data: { retry_after_s: wait },
    };
    void transport
      .send({ jsonrpc: '2.0', id: (message as { id: string | number }).id, error } as JSONRPCMessage)
      .catch(() => {});
  };
  return limited;
}
