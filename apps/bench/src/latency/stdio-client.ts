import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A minimal MCP client over a child's stdio for measuring the floor: newline-delimited JSON-RPC written and read
 * as it is, as cheap per call as {@link HttpClient} is over HTTP, so that "direct" and "through a proxy" are
 * measured alike.
 */
export class StdioClient {
  private readonly waiting = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private buffer = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.receive(chunk));
    child.once('exit', () => {
      for (const { reject } of this.waiting.values()) reject(new Error('the server exited'));
      this.waiting.clear();
    });
  }

  /** Starts the server and initializes a session with it. */
  static async start(argv: string[]): Promise<StdioClient> {
    const [command, ...args] = argv;
    const client = new StdioClient(spawn(command!, args, { stdio: ['pipe', 'pipe', 'ignore'] }));
    await client.call('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'bench', version: '1' },
    });
    client.write({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return client;
  }

  call(method: string, params: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  private write(message: object): void {
    this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      if (!line.startsWith('{')) continue;
      const message = JSON.parse(line) as { id?: unknown; result?: unknown; error?: unknown };
      const waiting = typeof message.id === 'number' ? this.waiting.get(message.id) : undefined;
      if (!waiting) continue;
      this.waiting.delete(message.id as number);
      if (message.error) waiting.reject(new Error(`JSON-RPC error ${JSON.stringify(message.error)}`));
      else waiting.resolve(message.result);
    }
  }
}
