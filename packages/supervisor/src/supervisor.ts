import {
  GatewayError,
  backendNotFound,
  errorMessage,
  isGatewayError,
  silentLogger,
  type BackendCatalog,
  type BackendConnection,
  type BackendEventListener,
  type BackendHealth,
  type BackendRegistry,
  type BackendSettings,
  type BackendState,
  type BackendSummary,
  type CallRecord,
  type Catalog,
  type CatalogSnapshots,
  type Logger,
} from '@mcp-gateway/core';
import { CallSpan } from './call-span';
import { CallLimit } from './call-limit';
import { SharedSubscriptions } from './shared-subscriptions';
import { connectBackend } from '@mcp-gateway/transports';
import { defaultBackoff, type BackoffPolicy } from './backoff';
import { CatalogStore, LIST_CHANGED } from './catalog-store';
import { ManagedBackend, type Connector } from './managed-backend';

export interface SupervisorOptions {
  backends: Record<string, BackendSettings>;
  /** Told of every finished call to a backend (the audit log). */
  onCall?: (call: CallRecord) => void;
  logger?: Logger;
  /** Defaults to `connectBackend` from `@mcp-gateway/transports`. */
  connect?: Connector;
  backoff?: Partial<BackoffPolicy>;
  /** Where the catalog cache is kept; without it the catalog lives in memory only. */
  stateDir?: string;
  /** How many backends {@link Supervisor.warm} starts at once to learn their tools (default 4). */
  warmConcurrency?: number;
  /** Catalogs shared with the other replicas: {@link Supervisor.warm} takes theirs before starting a backend. */
  sharedCatalog?: CatalogSnapshots;
}

/** What a {@link Supervisor.reconfigure} did, by backend name, in configuration order. */
export interface ReconfigureResult {
  added: string[];
  removed: string[];
  /** Restarted: how they are reached, timed or isolated changed. */
  changed: string[];
  /** Kept with their processes and sessions (a new description is taken as it is). */
  unchanged: string[];
}

/** Counted across client sessions on shared connections (see {@link SharedSubscriptions}). */
const SUBSCRIPTION_METHODS = new Set(['resources/subscribe', 'resources/unsubscribe']);

/** How long a client session's own connection may sit unused when its backend sets no idle timeout. */
export const OWN_IDLE_MS = 10 * 60_000;

/**
 * Owns every backend of a gateway and hands out live connections: the `BackendRegistry` and the `Catalog` that
 * `server` and `meta` run on.
 *
 * @example await using supervisor = new Supervisor({ backends: config.backends })
 */
export class Supervisor implements BackendRegistry, Catalog {
  private backends = new Map<string, ManagedBackend>();
  private settings: Record<string, BackendSettings>;
  private readonly listeners = new Set<BackendEventListener>();
  private readonly stateListeners = new Set<(backend: string, state: BackendState) => void>();
  private readonly catalogListeners = new Set<(backend: string) => void>();
  private readonly refreshing = new Map<string, Promise<BackendCatalog | undefined>>();
  private readonly catalogs: CatalogStore;
  private readonly logger: Logger;
  private readonly connect: Connector;
  private readonly backoff: BackoffPolicy;
  /** Per client session, the backends it runs of its own (see {@link Supervisor.acquire}). */
  private readonly own = new Map<string, Map<string, ManagedBackend>>();
  /** Per backend, its cap on calls in flight (shared by its per-session connections). */
  private limits = new Map<string, CallLimit>();
  private readonly subscriptions = new SharedSubscriptions();
  private readonly onCall: ((call: CallRecord) => void) | undefined;
  /** Backends the warm-up has yet to learn, queued or starting, and who waits for it to finish. */
  private readonly learning = new Set<string>();
  private readonly settled = new Set<() => void>();
  private readonly warmConcurrency: number;
  private closed = false;

  constructor(options: SupervisorOptions) {
    this.logger = options.logger ?? silentLogger;
    this.settings = options.backends;
    const eras = new Map<string, 'modern' | 'legacy'>(); // each HTTP backend's era is probed once
    this.connect =
      options.connect ?? ((settings, logger, signal) => connectBackend(settings, { logger, eras, signal }));
    this.backoff = { ...defaultBackoff, ...options.backoff };
    this.catalogs = new CatalogStore(options.stateDir, options.backends, this.logger, options.sharedCatalog);
    this.onCall = options.onCall;
    this.warmConcurrency = options.warmConcurrency ?? 4;
    for (const name of Object.keys(options.backends)) {
      this.backends.set(name, this.manage(name));
      this.limits.set(name, this.limitFor(name));
    }
  }

  list(): BackendSummary[] {
    return [...this.backends.values()].map((b) => ({
      name: b.name,
      description: this.settings[b.name]!.description,
      state: b.currentState,
    }));
  }

  has(name: string): boolean {
    return this.backends.has(name);
  }

  /**
   * A live connection to `name`. With `session`, a backend with `isolation: per-session` gets a connection for that
   * client session alone (a stdio backend: a process; an HTTP backend: an upstream session), so that the backend
   * tells clients apart and what it sends reaches the right one. Otherwise every client shares one connection.
   */
  async acquire(name: string, session?: string): Promise<BackendConnection> {
    const shared = this.backends.get(name);
    if (!shared) throw backendNotFound(name, [...this.backends.keys()]);
    // Once closing, no new process starts: the shared backend answers that the gateway is shutting down.
    const own = session !== undefined && !this.closed && this.settings[name]!.isolation === 'per-session';
    const backend = own ? this.ownBackend(name, session) : shared;
    const connection = await backend.acquire();
    const limit = this.limits.get(name)!;
    const send: BackendConnection['request'] = async (method, params, options) => {
      if (!own && session !== undefined && SUBSCRIPTION_METHODS.has(method))
        return this.subscriptions.request(name, session, method as never, String(params?.uri), () =>
          connection.request(method, params, options),
        );
      try {
        return await connection.request(method, params, options);
      } catch (error) {
        if (!isGatewayError(error, 'SESSION_EXPIRED')) throw error;
        // The backend forgot our session: initialize a new one and replay this call, once.
        return (await backend.renew(connection)).request(method, params, options);
      } finally {
        backend.touch();
      }
    };
    const request: BackendConnection['request'] = async (method, params, options) => {
      const started = performance.now();
      const span = new CallSpan(name, method, params, session);
      const record = (result: CallRecord['result'], error?: CallRecord['error']) => {
        span.end(result, error);
        this.onCall?.({
          backend: name,
          method,
          params,
          client: options?.client,
          durationMs: performance.now() - started,
          result,
          error,
        });
      };
      try {
        const result = span.recording
          ? await span.run(() =>
              limit.run(() => send(method, span.propagate(params), options), options?.signal),
            )
          : await limit.run(() => send(method, params, options), options?.signal);
        record(result);
        return result;
      } catch (error) {
        record(undefined, { code: (error as { code?: string | number }).code ?? 'INTERNAL' });
        throw error;
      }
    };
    const notify: BackendConnection['notify'] = (method, params) => connection.notify(method, params);
    const { initializeResult } = connection;
    return own
      ? { backend: name, session, initializeResult, request, notify }
      : { backend: name, initializeResult, request, notify };
  }

  async release(session: string): Promise<void> {
    this.subscriptions.release(session, (backend) =>
      this.backends.get(backend)?.currentState === 'ready' ? this.acquire(backend) : undefined,
    );
    const own = this.own.get(session);
    this.own.delete(session);
    await Promise.all([...(own?.values() ?? [])].map((backend) => backend.close()));
  }

  /**
   * Applies a new set of backends, as a config reload does: added ones become available (started lazily as
   * usual), removed ones are stopped with everything they run, changed ones are stopped and start again on next
   * use, and unchanged ones keep their processes, upstream sessions and catalog. Catalog listeners hear of every
   * backend whose catalog appeared, went or may differ.
   */
  async reconfigure(backends: Record<string, BackendSettings>): Promise<ReconfigureResult> {
    const result: ReconfigureResult = { added: [], removed: [], changed: [], unchanged: [] };
    const kept = new Map<string, ManagedBackend>();
    const retired: ManagedBackend[] = [];
    for (const [name, next] of Object.entries(backends)) {
      const current = this.backends.get(name);
      if (current && sameRuntime(this.settings[name]!, next)) {
        result.unchanged.push(name);
        kept.set(name, current);
        continue;
      }
      if (current) retired.push(current);
      (current ? result.changed : result.added).push(name);
    }
    for (const [name, backend] of this.backends) {
      if (name in backends) continue;
      retired.push(backend);
      result.removed.push(name);
    }
    this.settings = backends;
    this.catalogs.reconfigure(backends);
    this.backends = new Map(
      Object.keys(backends).map((name) => [name, kept.get(name) ?? this.manage(name)] as const),
    );
    this.limits = new Map(
      Object.keys(backends).map((name) => [
        name,
        (kept.has(name) && this.limits.get(name)) || this.limitFor(name),
      ]),
    );
    const gone = new Set([...result.removed, ...result.changed]);
    for (const own of this.own.values()) {
      for (const [name, backend] of own) {
        if (!gone.has(name)) continue;
        retired.push(backend);
        own.delete(name);
      }
    }
    for (const name of [...result.added, ...result.changed, ...result.removed]) {
      this.subscriptions.forget(name);
      this.refreshing.delete(name);
      for (const listener of this.catalogListeners) listener(name);
    }
    await Promise.all(retired.map((backend) => backend.close()));
    return result;
  }

  health(): Record<string, BackendHealth> {
    return Object.fromEntries(
      [...this.backends.values()].map((b) => [
        b.name,
        {
          ...b.health(this.catalogs.get(b.name)?.tools.length ?? 0),
          sessions: [...this.own.values()].filter((own) => own.get(b.name)?.currentState === 'ready').length,
          in_flight: this.limits.get(b.name)!.inFlight,
          queued: this.limits.get(b.name)!.queued,
          rejected: this.limits.get(b.name)!.rejected,
        },
      ]),
    );
  }

  onEvent(listener: BackendEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStateChange(listener: (backend: string, state: BackendState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Stops every backend and its processes. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const name of [...this.learning]) this.learned(name);
    await Promise.all([
      ...[...this.backends.values()].map((b) => b.close()),
      ...[...this.own.keys()].map((session) => this.release(session)),
    ]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  get(backend: string): BackendCatalog | undefined {
    return this.catalogs.get(backend);
  }

  async load(backend: string): Promise<BackendCatalog> {
    const cached = this.catalogs.get(backend);
    if (cached) return cached;
    await this.acquire(backend); // starting it refreshes the catalog
    const loaded = (await this.refreshing.get(backend)) ?? this.catalogs.get(backend);
    if (!loaded)
      throw new GatewayError(
        'BACKEND_ERROR',
        `Backend "${backend}" started but its catalog could not be read.`,
      );
    return loaded;
  }

  onChange(listener: (backend: string) => void): () => void {
    this.catalogListeners.add(listener);
    return () => this.catalogListeners.delete(listener);
  }

  pending(): string[] {
    return [...this.backends.keys()].filter((name) => this.learning.has(name));
  }

  settle(ms: number): Promise<void> {
    if (this.learning.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.settled.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.settled.add(done);
    });
  }

  /**
   * Fills the catalog of every backend that has none cached, starting a few at a time (`warmConcurrency`); until
   * each is learned it is {@link Supervisor.pending}. Errors are logged and leave that backend out. Idle backends
   * then hibernate as configured.
   */
  async warm(): Promise<void> {
    const missing = [...this.backends.keys()].filter(
      (name) => !this.catalogs.get(name) && !this.learning.has(name),
    );
    for (const name of missing) this.learning.add(name);
    const next = async (): Promise<void> => {
      const name = missing.shift();
      if (name === undefined) return;
      // Skipped when a reload removed it meanwhile; not started when another replica shared what it learned.
      if (this.backends.has(name)) {
        if (await this.catalogs.adopt(name)) for (const listener of this.catalogListeners) listener(name);
        else
          await this.load(name).catch((error: unknown) =>
            this.logger.warn('catalog warm-up failed', { backend: name, error: errorMessage(error) }),
          );
      }
      this.learned(name);
      return next();
    };
    await Promise.all(Array.from({ length: Math.min(this.warmConcurrency, missing.length) }, next));
  }

  /** `name` is learned, failed or gone: once nothing is left to learn, whoever waits is told. */
  private learned(name: string): void {
    this.learning.delete(name);
    if (this.learning.size === 0) for (const done of [...this.settled]) done();
  }

  /**
   * One backend as its lifecycle manager. A client session's own copy tells only that session what it sends, does
   * not touch the catalog when it starts (the shared one keeps it), and always stops when idle.
   */
  private manage(name: string, session?: string): ManagedBackend {
    const settings = this.settings[name]!;
    // A session's own connection must not outlive a client that left without ending its session: it stops when
    // idle, after the backend's idle timeout or, if that is "never", after OWN_IDLE_MS (the next use restarts it).
    const idleMs = session === undefined ? settings.timeouts.idleMs : settings.timeouts.idleMs || OWN_IDLE_MS;
    return new ManagedBackend({
      settings: { ...settings, timeouts: { ...settings.timeouts, idleMs } },
      connect: this.connect,
      logger: this.logger.child(session === undefined ? { backend: name } : { backend: name, session }),
      backoff: this.backoff,
      onNotification: (notification) => {
        const list = LIST_CHANGED[notification.method];
        if (list && session === undefined)
          void this.refresh(
            name,
            undefined,
            list === 'resources' ? ['resources', 'resourceTemplates'] : [list],
          );
        for (const listener of this.listeners) listener(name, notification, session);
      },
      onStarted: (connection) => {
        if (session === undefined) void this.refresh(name, connection);
      },
      // A session's own copy changes the shared backend's session count: its listeners hear the shared state.
      onState: (state) => {
        const shared = session === undefined ? state : this.backends.get(name)?.currentState;
        if (shared) for (const listener of this.stateListeners) listener(name, shared);
      },
    });
  }

  private limitFor(name: string): CallLimit {
    return new CallLimit(name, this.settings[name]!.limits ?? { concurrency: 64, queue: 256 });
  }

  private ownBackend(name: string, session: string): ManagedBackend {
    let own = this.own.get(session);
    if (!own) this.own.set(session, (own = new Map()));
    let backend = own.get(name);
    if (!backend) own.set(name, (backend = this.manage(name, session)));
    return backend;
  }

  private refresh(
    name: string,
    connection: BackendConnection | undefined,
    only?: Parameters<CatalogStore['refresh']>[2],
  ) {
    const previous = this.refreshing.get(name) ?? Promise.resolve(undefined);
    const run = previous
      .then(async () => this.catalogs.refresh(name, connection ?? (await this.acquire(name)), only))
      .then((catalog) => {
        for (const listener of this.catalogListeners) listener(name);
        return catalog;
      })
      .catch((error: unknown) => {
        this.logger.warn('could not refresh the catalog', { backend: name, error: errorMessage(error) });
        return undefined;
      });
    this.refreshing.set(name, run);
    return run;
  }
}

/** Whether a backend can keep running across a reload: everything but its description is the same. */
function sameRuntime(a: BackendSettings, b: BackendSettings): boolean {
  const { description: _a, ...left } = a;
  const { description: _b, ...right } = b;
  return JSON.stringify(left) === JSON.stringify(right);
}
