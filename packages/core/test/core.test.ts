import { describe, expect, it } from 'vitest';
import {
  GatewayError,
  errorMessage,
  isErrorResponse,
  isGatewayError,
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcMessage,
} from '../src/index';

describe('GatewayError', () => {
  it('carries a stable code, a message, details and a cause', () => {
    const cause = new Error('ENOENT');
    const error = new GatewayError('BACKEND_START_FAILED', 'Cannot start "x".', {
      cause,
      details: { backend: 'x' },
    });
    expect([error.name, error.code, error.message, error.details, error.cause]).toEqual([
      'GatewayError',
      'BACKEND_START_FAILED',
      'Cannot start "x".',
      { backend: 'x' },
      cause,
    ]);
    expect(isGatewayError(error)).toBe(true);
    expect(isGatewayError(error, 'BACKEND_START_FAILED')).toBe(true);
    expect(isGatewayError(error, 'TOOL_NOT_FOUND')).toBe(false);
    expect(isGatewayError(cause)).toBe(false);
    expect([errorMessage(error), errorMessage('plain')]).toEqual(['Cannot start "x".', 'plain']);
  });
});

describe('JSON-RPC guards', () => {
  const cases: [JsonRpcMessage, string][] = [
    [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, 'request'],
    [{ jsonrpc: '2.0', id: 0, method: 'ping' }, 'request'],
    [{ jsonrpc: '2.0', method: 'notifications/initialized' }, 'notification'],
    [{ jsonrpc: '2.0', id: 'a', result: {} }, 'result'],
    [{ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }, 'error'],
  ];
  it.each(cases)('classifies %j as %s', (message, kind) => {
    expect({
      request: isRequest(message),
      notification: isNotification(message),
      response: isResponse(message),
      error: isErrorResponse(message),
    }).toEqual({
      request: kind === 'request',
      notification: kind === 'notification',
      response: kind === 'result' || kind === 'error',
      error: kind === 'error',
    });
  });
});
