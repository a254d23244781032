import {
  JsonRpcError,
  type BackendCatalog,
  type BackendConnection,
  type BackendEventListener,
  type BackendHealth,
  type BackendRegistry,
  type CallOptions,
  type Catalog,
} from '@mcp-gateway/core';

export const FAKE_HEALTH: BackendHealth = {
  running: true,
  restart_count: 0,
  tools_cached: 3,
  state: 'ready',
  last_error: null,
  uptime_s: 1,
  pid: 4242,
  sessions: 0,
  in_flight: 0,
  queued: 0,
  rejected: 0,
  transport: 'stdio',
  protocol_version: '2025-11-25',
};

const TOOLS = [
  {
    name: 'echo',
    description: 'Echo the text back.',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  },
  {
    name: 'ask',
    description: 'Ask the client a question by sampling.',
    inputSchema: { type: 'object', properties: { question: { type: 'string' } } },
  },
];

/**
 * A fake of core's `BackendRegistry` and `Catalog` with one backend, "fake", whose tools exercise every routing
 * path.
 */
export class FakeRegistry implements BackendRegistry, Catalog {
  readonly catalog: BackendCatalog = {
    backend: 'fake',
    tools: TOOLS,
    resources: [],
    resourceTemplates: [],
    prompts: [],
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
  get(backend: string) {
    return backend === 'fake' ? this.catalog : undefined;
  }
  async load(backend: string) {
    return this.get(backend)!;
  }
  onChange() {
    return () => {};
  }
  pending(): string[] {
    return [];
  }
  async settle(): Promise<void> {}
  readonly listeners = new Set<BackendEventListener>();
  /** Every request the fake backend received, as `method uri?`. */
  readonly received: string[] = [];
  list() {
    return [{ name: 'fake', description: 'a fake backend', state: 'ready' as const }];
  }
  has(name: string) {
    return name === 'fake';
  }
  /** Set to make the backend fail to start. */
  startError: Error | undefined;

  /** The client session of every `acquire`, and every session released. */
  readonly acquiredFor: (string | undefined)[] = [];
  readonly released: string[] = [];

  async acquire(_name: string, session?: string): Promise<BackendConnection> {
    this.acquiredFor.push(session);
    if (this.startError) throw this.startError;
    return {
      backend: 'fake',
      initializeResult: {
        protocolVersion: '2025-06-18',
        capabilities: { tools: { listChanged: true }, logging: {} },
        serverInfo: { name: 'fake-server', version: '9.9.9' },
        instructions: 'Use the tools.',
      },
      request: (method, params, options) => this.answer(method, params ?? {}, options ?? {}),
      notify: async () => {},
    };
  }
  async release(session: string) {
    this.released.push(session);
  }
  health() {
    return { fake: FAKE_HEALTH };
  }
  onEvent(listener: BackendEventListener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async answer(
    method: string,
    params: Record<string, unknown>,
    options: CallOptions,
  ): Promise<Record<string, unknown>> {
    this.received.push([method, params.uri].filter(Boolean).join(' '));
    if (method === 'tools/list') return { tools: TOOLS };
    if (method === 'resources/subscribe' || method === 'resources/unsubscribe') return {};
    if (method !== 'tools/call') throw new JsonRpcError(-32601, `Method not found: ${method}`);
    const args = params.arguments as Record<string, unknown>;
    switch (params.name) {
      case 'echo': {
        if (args.log)
          options.onNotification?.({
            jsonrpc: '2.0',
            method: 'notifications/message',
            params: { level: 'info', data: `echoing ${String(args.text)}` },
          });
        const token = (params._meta as { progressToken?: unknown } | undefined)?.progressToken;
        if (token !== undefined) {
          options.onNotification?.({
            jsonrpc: '2.0',
            method: 'notifications/progress',
            params: { progressToken: token, progress: 1, total: 1 },
          });
        }
        return {
          content: [{ type: 'text', text: String(args.text) }],
          structuredContent: { text: args.text },
          _meta: { kept: true },
        };
      }
      case 'ask': {
        const answer = await options.onRequest!({
          jsonrpc: '2.0',
          id: 99,
          method: 'sampling/createMessage',
          params: {
            messages: [{ role: 'user', content: { type: 'text', text: String(args.question) } }],
            maxTokens: 10,
          },
        });
        return { content: [{ type: 'text', text: `client said: ${JSON.stringify(answer.content)}` }] };
      }
      default:
        throw new JsonRpcError(-32602, `Unknown tool: ${String(params.name)}`);
    }
  }
}
