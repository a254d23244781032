/**
 * A 2025-era (2025-11-25) session over raw HTTP, to see every byte a server sends (SSE events and their ids):
 * initialize and initialized done, then `post` sends a message in the session and resolves with the response.
 *
 * @example const { session, post } = await rawLegacySession('http://127.0.0.1:3000/mcp/fixture'); await (await post(call)).text()
 */
export async function rawLegacySession(url: string) {
  const post = (body: object, session?: string) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' } : {}),
      },
      body: JSON.stringify(body),
    });
  const init = await post({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  const session = init.headers.get('mcp-session-id')!;
  await init.text();
  await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session)).text();
  return { session, post: (body: object) => post(body, session) };
}
