import {
  GatewayError,
  errorMessage,
  type BackendHealth,
  type BackendSettings,
  type BackendState,
  type JsonRpcNotification,
  type LiveConnection,
  type Logger,
} from '@mcp-gateway/core';
import { backoffDelay, type BackoffPolicy } from './backoff';

/** How the supervisor reaches a backend; the real one is `connectBackend`, tests may pass their own. */
/** Connects to a backend; `signal` aborts a start still in progress (the gateway is closing). */
export type Connector = (
  settings: BackendSettings,
  logger: Logger,
  signal?: AbortSignal,
) => Promise<LiveConnection>;

export interface ManagedBackendOptions {
  settings: BackendSettings;
  connect: Connector;
  logger: Logger;
  backoff: BackoffPolicy;
  /** Unclaimed notifications from the live connection. */
  onNotification: (notification: JsonRpcNotification) => void;
  /** Called after each successful start, with the new connection. */
  onStarted: (connection: LiveConnection) => void;
  /** Called when the state changes. */
  onState?: (state: BackendState) => void;
}

/**
 * One backend's lifecycle: started on first use, restarted with backoff after a crash, degraded after repeated
 * failures (retried later, never in a tight loop), hibernated after the idle timeout.
 */
export class ManagedBackend {
  private state: BackendState = 'configured';
  private connection: LiveConnection | undefined;
  private starting: Promise<LiveConnection> | undefined;
  /** Aborts the start in progress, so that closing does not wait out a slow handshake. */
  private abortStart: AbortController | undefined;
  private cancelRestart: (() => void) | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** When a request last finished (or the connection started), for the idle countdown. */
  private lastUsed = 0;
  private restartCount = 0;
  private failures = 0;
  private retryAt = 0;
  private lastError: string | null = null;
  private startedAt: number | null = null;
  private closed = false;

  constructor(private readonly options: ManagedBackendOptions) {}

  get name(): string {
    return this.options.settings.name;
  }

  get currentState(): BackendState {
    return this.state;
  }

  private setState(state: BackendState): void {
    if (state === this.state) return;
    this.state = state;
    this.options.onState?.(state);
  }

  /** A live connection, starting or waiting for a scheduled restart as needed. */
  async acquire(): Promise<LiveConnection> {
    if (this.closed) throw new GatewayError('GATEWAY_CLOSED', 'The gateway is shutting down.');
    if (this.connection && !this.connection.isClosed) {
      this.touch();
      return this.connection;
    }
    if (this.starting) return this.starting; // a start in progress, or a restart waiting out its backoff
    if (Date.now() < this.retryAt) {
      const seconds = Math.ceil((this.retryAt - Date.now()) / 1000);
      throw new GatewayError(
        'BACKEND_UNAVAILABLE',
        `Backend "${this.name}" is degraded after ${this.failures} failed attempts (last error: ${this.lastError}); it will be tried again in ${seconds} s.`,
      );
    }
    return this.start();
  }

  /**
   * Replaces a connection whose upstream session expired: closes it quietly (not a crash) and connects anew.
   * Callers racing on the same stale connection share one renewal.
   */
  async renew(stale: LiveConnection): Promise<LiveConnection> {
    if (this.connection === stale) {
      this.connection = undefined;
      this.options.logger.info('upstream session expired; re-initializing');
      void stale.close();
    }
    return this.acquire();
  }

  /**
   * Restarts the idle countdown; call when a request finishes. It only notes the time: the one timer, when it
   * fires, waits out what is left of the countdown since then (no timer is replaced on every call).
   */
  touch(): void {
    this.lastUsed = Date.now();
    const { idleMs } = this.options.settings.timeouts;
    if (idleMs > 0 && this.connection && !this.idleTimer) this.armIdleTimer(idleMs);
  }

  health(toolsCached: number): Omit<BackendHealth, 'sessions' | 'in_flight' | 'queued' | 'rejected'> {
    const running = this.state === 'ready';
    return {
      running,
      restart_count: this.restartCount,
      tools_cached: toolsCached,
      state: this.state,
      last_error: this.lastError,
      uptime_s: running && this.startedAt !== null ? Math.round((Date.now() - this.startedAt) / 1000) : null,
      pid: (running && this.connection?.pid) || null,
      transport: this.options.settings.target.kind,
      protocol_version: (running && this.connection?.initializeResult.protocolVersion) || null,
    };
  }

  /** Stops the backend for good. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelRestart?.();
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.abortStart?.abort();
    const connection = this.connection ?? (await this.starting?.catch(() => undefined));
    this.connection = undefined;
    this.setState('stopped');
    await connection?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private start(): Promise<LiveConnection> {
    this.setState('starting');
    const { settings, logger } = this.options;
    const abort = new AbortController();
    this.abortStart = abort;
    const attempt = this.options.connect(settings, logger, abort.signal).then(
      (connection) => this.started(connection),
      (error: unknown) => {
        this.starting = undefined;
        if (abort.signal.aborted) throw new GatewayError('GATEWAY_CLOSED', 'The gateway is shutting down.');
        this.failed(errorMessage(error));
        throw error instanceof GatewayError
          ? error
          : new GatewayError(
              'BACKEND_START_FAILED',
              `Backend "${this.name}" failed to start: ${errorMessage(error)}`,
              { cause: error },
            );
      },
    );
    this.starting = attempt;
    return attempt;
  }

  private started(connection: LiveConnection): LiveConnection {
    this.starting = undefined;
    this.abortStart = undefined;
    if (this.closed) {
      void connection.close();
      throw new GatewayError('GATEWAY_CLOSED', 'The gateway is shutting down.');
    }
    this.connection = connection;
    this.setState('ready');
    this.startedAt = Date.now();
    this.retryAt = 0;
    connection.onNotification(this.options.onNotification);
    connection.onClose((error) => this.crashed(connection, error.message));
    this.options.logger.info('backend ready', { server: connection.initializeResult.serverInfo.name });
    this.options.onStarted(connection);
    this.touch();
    return connection;
  }

  private crashed(connection: LiveConnection, message: string): void {
    if (this.connection !== connection || this.closed) return;
    this.connection = undefined;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.startedAt !== null && Date.now() - this.startedAt >= this.options.backoff.stableMs)
      this.failures = 0;
    this.restartCount++;
    this.options.logger.warn('backend crashed', { error: message, restart_count: this.restartCount });
    this.failed(message);
  }

  /** Records a failure and schedules the next attempt, or gives up until the backend is used again. */
  private failed(message: string): void {
    this.failures++;
    this.lastError = message;
    this.setState('degraded');
    const policy = this.options.backoff;
    const giveUp = this.failures >= policy.maxRestarts;
    const delay = giveUp ? policy.maxMs : backoffDelay(policy, this.failures);
    this.retryAt = Date.now() + delay;
    if (giveUp) {
      this.options.logger.error('backend degraded; automatic restarts paused', {
        failures: this.failures,
        retry_in_ms: delay,
      });
      return;
    }
    const restart = new Promise<LiveConnection>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.cancelRestart = undefined;
        this.starting = undefined;
        this.start().then(resolve, reject);
      }, delay);
      // Not unref'd: callers may be waiting for this restart; close() clears it.
      this.cancelRestart = () => {
        clearTimeout(timer);
        reject(new GatewayError('GATEWAY_CLOSED', 'The gateway is shutting down.'));
      };
    });
    restart.catch(() => {}); // failed() records every outcome; callers that wait get it too
    this.starting = restart;
  }

  private armIdleTimer(ms: number): void {
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      const left = this.lastUsed + this.options.settings.timeouts.idleMs - Date.now();
      if (left > 0) this.armIdleTimer(left);
      else this.hibernateIfIdle();
    }, ms);
    this.idleTimer.unref();
  }

  private hibernateIfIdle(): void {
    const connection = this.connection;
    if (!connection) return;
    if (connection.inFlight > 0) return this.touch();
    this.connection = undefined;
    this.setState('hibernated');
    this.options.logger.info('backend hibernated after idle timeout');
    void connection.close();
  }
}
