import type { BackendSettings, JsonRpcNotification, LiveConnection } from '@mcp-gateway/core';

/** A fake of core's `LiveConnection`: answers tools/list and can be made to crash. */
export class FakeConnection implements LiveConnection {
  isClosed = false;
  inFlight = 0;
  readonly initializeResult = {
    protocolVersion: '2025-11-25',
    capabilities: {},
    serverInfo: { name: 'fake', version: '1' },
  };
  private closeListeners: ((error: Error) => void)[] = [];

  constructor(
    readonly backend: string,
    private readonly tools = 2,
  ) {}

  async request(method: string): Promise<Record<string, unknown>> {
    if (method === 'tools/list')
      return { tools: Array.from({ length: this.tools }, (_, i) => ({ name: `t${i}` })) };
    return {};
  }
  async notify(): Promise<void> {}
  onNotification(_listener: (n: JsonRpcNotification) => void) {
    return () => {};
  }
  onClose(listener: (error: Error) => void) {
    this.closeListeners.push(listener);
    return () => {};
  }
  /** Simulates the backend dying on its own. */
  crash(message = 'process exited with code 1'): void {
    this.isClosed = true;
    for (const listener of this.closeListeners) listener(new Error(message));
  }
  async close(): Promise<void> {
    this.isClosed = true;
  }
}

export function settings(name: string, idleMs = 0): BackendSettings {
  return {
    name,
    description: `${name} backend`,
    target: { kind: 'stdio', command: 'unused', args: [], env: {}, cwd: undefined },
    timeouts: { startMs: 1000, requestMs: 1000, idleMs },
    isolation: 'shared',
  };
}
