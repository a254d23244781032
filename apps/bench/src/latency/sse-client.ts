import { Agent, request, type ClientRequest } from 'node:http';
import { failedOnStaleSocket } from './http-client';

interface Waiting {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * A minimal client of the 2024-11-05 HTTP+SSE transport for measuring servers: one GET stream that carries every
 * answer, and requests POSTed over a keep-alive pool to the endpoint the stream names. Like {@link HttpClient} it
 * spends a few microseconds per call. It counts the answers it gets to requests it never sent (`foreign`): a server
 * that sends one client's answers to another shows up there.
 */
export class SseClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly waiting = new Map<number, Waiting>();
  private nextId: number;
  private stream: ClientRequest | undefined;
  private endpoint: URL | undefined;
  private onEndpoint: (() => void) | undefined;
  private buffer = '';
  /** Answers that arrived on this client's stream for requests it did not send. */
  foreign = 0;

  private constructor(
    private readonly url: URL,
    private readonly headers: Record<string, string>,
    /** Where this client's request ids start (two clients in one probe use different ranges). */
    firstId: number,
  ) {
    this.nextId = firstId;
  }

  /** Opens the stream, waits for its endpoint, and initializes the session. */
  static async connect(url: URL, headers: Record<string, string> = {}, firstId = 1): Promise<SseClient> {
    const client = new SseClient(url, headers, firstId);
    await client.open();
    await client.call('initialize', {
      protocolVersion: '2024-11-05',
      capabilities: {},
      clientInfo: { name: 'bench', version: '1' },
    });
    await client.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return client;
  }

  /** Sends one request and resolves with its result, read from the stream; rejects on a JSON-RPC error. */
  call(method: string, params: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post({ jsonrpc: '2.0', id, method, params }).catch((error: Error) => {
        this.waiting.delete(id);
        reject(error);
      });
    });
  }

  async close(): Promise<void> {
    this.stream?.destroy();
    this.agent.destroy();
    for (const { reject } of this.waiting.values()) reject(new Error('closed'));
    this.waiting.clear();
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.onEndpoint = resolve;
      const req = request(
        this.url,
        { agent: false, headers: { ...this.headers, accept: 'text/event-stream' } },
        (res) => {
          if (res.statusCode !== 200) {
            reject(new Error(`GET ${this.url.pathname}: HTTP ${res.statusCode}`));
            res.resume();
            return;
          }
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => this.receive(chunk));
          res.on('error', () => {});
        },
      );
      req.on('error', reject);
      req.end();
      this.stream = req;
    });
  }

  /** Takes what the stream sent: events end with a blank line. */
  private receive(chunk: string): void {
    this.buffer += chunk.includes('\r') ? chunk.replace(/\r\n?/g, '\n') : chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      }
      if (data.length > 0) this.event(event, data.join('\n'));
    }
  }

  private event(event: string, data: string): void {
    if (event === 'endpoint') {
      this.endpoint = new URL(data, this.url);
      this.onEndpoint?.();
      return;
    }
    if (event !== 'message') return;
    const message = JSON.parse(data) as { id?: unknown; result?: unknown; error?: unknown; method?: string };
    if (message.method !== undefined || typeof message.id !== 'number') return; // notifications, requests
    const waiting = this.waiting.get(message.id);
    if (!waiting) {
      this.foreign++;
      return;
    }
    this.waiting.delete(message.id);
    if (message.error) waiting.reject(new Error(`JSON-RPC error ${JSON.stringify(message.error)}`));
    else waiting.resolve(message.result);
  }

  private post(message: object, again = true): Promise<void> {
    const data = JSON.stringify(message);
    return new Promise((resolve, reject) => {
      const req = request(
        this.endpoint!,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            ...this.headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(data),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode! < 300 ? resolve() : reject(new Error(`POST: HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on('error', (error) => {
        if (again && failedOnStaleSocket(req, error)) resolve(this.post(message, false));
        else reject(error);
      });
      req.end(data);
    });
  }
}
