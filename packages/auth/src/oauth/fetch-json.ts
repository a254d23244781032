import { errorMessage } from '@mcp-gateway/core';

/** An authorization server's documents (metadata, keys) are small; a larger answer is refused. */
const MAX_BYTES = 512 * 1024;
const TIMEOUT_MS = 5000;

/** GETs a JSON document, bounded in time and size; rejects with a message that names the URL and the reason. */
export async function fetchJson(url: URL, fetchImpl: typeof fetch = fetch): Promise<unknown> {
  let text = '';
  try {
    const response = await fetchImpl(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BYTES) {
        await reader.cancel();
        throw new Error(`larger than ${MAX_BYTES} bytes`);
      }
      text += decoder.decode(value, { stream: true });
    }
    return JSON.parse(text + decoder.decode());
  } catch (error) {
    throw new Error(`could not fetch ${url.href}: ${errorMessage(error)}`, { cause: error });
  }
}
