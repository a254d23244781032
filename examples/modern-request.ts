/** The `_meta` envelope every 2026-07-28 (modern-era) request carries. */
export const MODERN_ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
};

/**
 * One modern-era request as a raw HTTP client posts it: the headers the spec asks for (`Mcp-Method`, and
 * `Mcp-Name` for a named tool or prompt) and the body with the envelope, plus any extra `_meta`.
 *
 * @example fetch(url, { method: 'POST', ...modernRequest('tools/call', { name: 'echo', arguments: {} }) })
 */
export function modernRequest(
  method: string,
  params: Record<string, unknown> = {},
  options: { id?: number; meta?: Record<string, unknown> } = {},
): { headers: Record<string, string>; body: string } {
  const name: Record<string, string> = typeof params.name === 'string' ? { 'mcp-name': params.name } : {};
  return {
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...name,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: options.id ?? 1,
      method,
      params: { ...params, _meta: { ...MODERN_ENVELOPE, ...options.meta } },
    }),
  };
}
