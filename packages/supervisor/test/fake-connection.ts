import type { BackendSettings, JsonRpcNotification, LiveConnection } from '@mcp-gateway/core';

/** A fake of core's `LiveConnection`: answers tools/list, and can be made to crash or notify. */
export class FakeConnection implements LiveConnection {
  isClosed = false;
  inFlight = 0;
  readonly initializeResult = {
    protocolVersion: '2025-11-25',
    capabilities: { tools: { listChanged: true } },
    serverInfo: { name: 'fake', version: '1' },
  };
  private closeListeners: ((error: Error) => void)[] = [];
  private notificationListeners: ((n: JsonRpcNotification) => void)[] = [];

  constructor(
    readonly backend: string,
    /** What tools/list answers; change it, then `emit('notifications/tools/list_changed')`. */
    public tools: Record<string, unknown>[] = [
      { name: 't0', inputSchema: { type: 'object' } },
      { name: 't1', inputSchema: { type: 'object' } },
    ],
  ) {}

  async request(method: string): Promise<Record<string, unknown>> {
    if (method === 'tools/list') return { tools: this.tools };
    return {};
  }
  async notify(): Promise<void> {}
  onNotification(listener: (n: JsonRpcNotification) => void) {
    this.notificationListeners.push(listener);
    return () => {};
  }
  onClose(listener: (error: Error) => void) {
    this.closeListeners.push(listener);
    return () => {};
  }
  /** Simulates the backend sending a notification. */
  emit(method: string): void {
    for (const listener of this.notificationListeners) listener({ jsonrpc: '2.0', method });
  }
  /** Simulates the backend dying on its own. */
  crash(message = 'process exited with code 1'): void {
    this.isClosed = true;
    for (const listener of this.closeListeners) listener(new Error(message));
  }
  async close(): Promise<void> {
    this.isClosed = true;
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export function settings(name: string, idleMs = 0, command = 'unused'): BackendSettings {
  return {
    name,
    description: `${name} backend`,
    target: { kind: 'stdio', command, args: [], env: {}, cwd: undefined },
    timeouts: { startMs: 1000, requestMs: 1000, idleMs },
    isolation: 'shared',
  };
}
