import type { CallRecord } from '@mcp-gateway/core';

/** The calls the audit log records: they act on or read from a backend for a client. */
export const AUDITED_METHODS = new Set(['tools/call', 'resources/read', 'prompts/get']);

/**
 * The structured fields of one audit line (time is the logger's): client, backend, name, duration, outcome and
 * error code, and with `withArguments` the arguments, which the logger redacts under secret-looking keys.
 * Undefined for calls that are not audited.
 */
export function auditFields(call: CallRecord, withArguments: boolean): Record<string, unknown> | undefined {
  if (!AUDITED_METHODS.has(call.method)) return undefined;
  const name = call.method === 'resources/read' ? call.params?.uri : call.params?.name;
  const outcome = call.error ? 'error' : call.result?.isError === true ? 'tool_error' : 'ok';
  return {
    method: call.method,
    client: call.client ? `${call.client.via}:${call.client.name}` : 'local',
    backend: call.backend,
    name: String(name),
    duration_ms: Math.round(call.durationMs * 10) / 10,
    outcome,
    ...(call.error ? { error_code: call.error.code } : {}),
    ...(withArguments && call.method !== 'resources/read' ? { arguments: call.params?.arguments ?? {} } : {}),
  };
}
