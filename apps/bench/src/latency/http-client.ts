import { Agent, request, type ClientRequest } from 'node:http';
import { MODERN_ENVELOPE } from '@mcp-gateway/examples';

/**
 * A minimal Streamable HTTP client for measuring servers: one keep-alive connection pool, one session, requests
 * written as they are and answers read from a JSON body or an SSE stream. The SDK's own client spends about
 * 0.7 ms of CPU per call and tops out near 1,100 calls/s on this kind of machine, which would hide the
 * differences between the servers it talks to; this one spends a few microseconds.
 */
export class HttpClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  private nextId = 1;
  /** The modern era's `_meta` envelope, which every request of a modern client carries; none for a session. */
  private envelope: Record<string, unknown> | undefined;

  private constructor(private readonly url: URL) {}

  /** Opens a session (initialize, then notifications/initialized); `headers` go on every request. */
  static async connect(url: URL, extra: Record<string, string> = {}): Promise<HttpClient> {
    const client = new HttpClient(url);
    Object.assign(client.headers, extra);
    const { headers } = await client.post({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      },
    });
    const session = headers['mcp-session-id'];
    if (typeof session === 'string') client.headers['mcp-session-id'] = session;
    client.headers['mcp-protocol-version'] = '2025-11-25';
    await client.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return client;
  }

  /**
   * A modern-era (2026-07-28) client: no session, so a load balancer may send each request to another replica.
   * Every request carries the envelope and the `Mcp-Method` (and `Mcp-Name`) headers.
   */
  static modern(url: URL): HttpClient {
    const client = new HttpClient(url);
    client.headers['mcp-protocol-version'] = '2026-07-28';
    client.envelope = MODERN_ENVELOPE;
    return client;
  }

  /** Sends one request and resolves with its result; rejects on a JSON-RPC error. */
  async call(method: string, params: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    const modern = this.envelope && {
      params: { ...params, _meta: { ...this.envelope, ...(params._meta as object | undefined) } },
      headers: {
        'mcp-method': method,
        ...(typeof params.name === 'string' ? { 'mcp-name': params.name } : {}),
      },
    };
    const { body } = await this.post(
      { jsonrpc: '2.0', id, method, params: modern?.params ?? params },
      modern?.headers,
    );
    const answer = findAnswer(body, id);
    if (!answer) throw new Error(`no answer to request ${id} in: ${body.slice(0, 200)}`);
    if (answer.error) throw new Error(`JSON-RPC error ${JSON.stringify(answer.error)}`);
    return answer.result;
  }

  async close(): Promise<void> {
    if (this.headers['mcp-session-id'])
      await new Promise<void>((resolve) => {
        const req = request(
          this.url,
          { method: 'DELETE', agent: this.agent, headers: this.headers },
          (res) => {
            res.resume().on('end', resolve);
          },
        );
        req.on('error', () => resolve());
        req.end();
      });
    this.agent.destroy();
  }

  private post(
    message: object,
    headers: Record<string, string> = {},
    again = true,
  ): Promise<{ headers: Record<string, unknown>; body: string }> {
    const data = JSON.stringify(message);
    return new Promise((resolve, reject) => {
      const req = request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { ...this.headers, ...headers, 'content-length': Buffer.byteLength(data) },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ headers: res.headers, body }));
          res.on('error', reject);
        },
      );
      req.on('error', (error) => {
        if (again && failedOnStaleSocket(req, error)) resolve(this.post(message, headers, false));
        else reject(error);
      });
      req.end(data);
    });
  }
}

/**
 * Whether a request failed because the kept-alive connection it went out on had just been closed by the server
 * (the race Node documents under `request.reusedSocket`). The server closed it idle, so the request most likely never
 * reached it, and the bench's calls (echo) are safe to send again in any case.
 */
export function failedOnStaleSocket(req: ClientRequest, error: NodeJS.ErrnoException): boolean {
  return req.reusedSocket && error.code === 'ECONNRESET';
}

interface Answer {
  id?: unknown;
  result?: unknown;
  error?: unknown;
}

/** The response with this id in a JSON body or among an SSE stream's `data:` lines. */
function findAnswer(body: string, id: number): Answer | undefined {
  const candidates = body.startsWith('{') ? [body] : [...body.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]!);
  for (const text of candidates) {
    if (!text.startsWith('{')) continue;
    const message = JSON.parse(text) as Answer;
    if (message.id === id) return message;
  }
  return undefined;
}
