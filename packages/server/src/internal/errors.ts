import { ProtocolError } from '@modelcontextprotocol/server';
import {
  GatewayError,
  JsonRpcError,
  JsonRpcErrorCode,
  errorMessage,
  type GatewayErrorCode,
  type JsonRpcErrorObject,
} from '@mcp-gateway/core';

/** Server-defined JSON-RPC code for "the backend behind this request is not available". */
export const BACKEND_UNAVAILABLE_CODE = -32000;

const JSON_RPC_CODE: Record<GatewayErrorCode, number> = {
  CONFIG_INVALID: JsonRpcErrorCode.InternalError,
  CONFIG_NOT_FOUND: JsonRpcErrorCode.InternalError,
  USAGE: JsonRpcErrorCode.InvalidRequest,
  BACKEND_NOT_FOUND: JsonRpcErrorCode.InvalidParams,
  TOOL_NOT_FOUND: JsonRpcErrorCode.InvalidParams,
  INVALID_ARGUMENTS: JsonRpcErrorCode.InvalidParams,
  BACKEND_START_FAILED: BACKEND_UNAVAILABLE_CODE,
  BACKEND_START_TIMEOUT: BACKEND_UNAVAILABLE_CODE,
  BACKEND_CLOSED: BACKEND_UNAVAILABLE_CODE,
  BACKEND_UNAVAILABLE: BACKEND_UNAVAILABLE_CODE,
  BACKEND_BUSY: BACKEND_UNAVAILABLE_CODE,
  BACKEND_ERROR: BACKEND_UNAVAILABLE_CODE,
  SESSION_EXPIRED: BACKEND_UNAVAILABLE_CODE,
  GATEWAY_CLOSED: BACKEND_UNAVAILABLE_CODE,
  REQUEST_TIMEOUT: JsonRpcErrorCode.RequestTimeout,
  REQUEST_CANCELLED: JsonRpcErrorCode.RequestTimeout,
};

/**
 * The one place local errors become wire errors. A backend's own JSON-RPC error passes through untouched; a
 * `GatewayError` keeps its stable code in `data.code`.
 */
export function toJsonRpcError(error: unknown): JsonRpcErrorObject {
  if (error instanceof JsonRpcError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.data !== undefined ? { data: error.data } : {}),
    };
  }
  if (error instanceof GatewayError) {
    return { code: JSON_RPC_CODE[error.code], message: error.message, data: { code: error.code } };
  }
  return { code: JsonRpcErrorCode.InternalError, message: `Internal gateway error: ${errorMessage(error)}` };
}

/** A complete JSON-RPC error response body for errors raised before any MCP session exists. */
export function errorBody(id: string | number | null, error: unknown) {
  return { jsonrpc: '2.0' as const, id, error: toJsonRpcError(error) };
}

/** Runs an SDK request handler's work, turning its errors into wire errors for the SDK to send. */
export async function wireErrors<T>(run: () => Promise<T>): Promise<never> {
  try {
    return (await run()) as never;
  } catch (error) {
    if (error instanceof ProtocolError) throw error; // already a wire error (an SDK check, or one of ours)
    const { code, message, data } = toJsonRpcError(error);
    throw new ProtocolError(code, message, data);
  }
}
