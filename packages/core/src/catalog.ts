/** A tool as its backend published it; only `name` and an object `inputSchema` are guaranteed. */
export interface CatalogTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  [key: string]: unknown;
}

/** What one backend offers, kept as the backend sent it. */
export interface BackendCatalog {
  backend: string;
  tools: CatalogTool[];
  resources: Record<string, unknown>[];
  resourceTemplates: Record<string, unknown>[];
  prompts: Record<string, unknown>[];
  /** ISO time of the last refresh from the live backend. */
  updatedAt: string;
}

/**
 * The cached catalog of every backend, readable while backends hibernate. `server` and `meta` depend on this;
 * the supervisor implements it.
 */
export interface Catalog {
  /** What is cached now, without starting anything. */
  get(backend: string): BackendCatalog | undefined;
  /** The cached catalog, or the live one, starting the backend if nothing is cached. */
  load(backend: string): Promise<BackendCatalog>;
  /** Called with the backend's name whenever its catalog changes. */
  onChange(listener: (backend: string) => void): () => void;
  /**
   * Backends whose tools are being learned now (a first start, a backend just added), in configuration order: not
   * in the catalog yet, and not given up on.
   */
  pending(): string[];
  /** Resolves once nothing is {@link Catalog.pending}, or after `ms`, whichever comes first. Never rejects. */
  settle(ms: number): Promise<void>;
}

/**
 * Catalog snapshots kept outside the process, shared by every replica of a fleet: a replica that starts with no
 * catalog of its own takes one another replica learned from the same backend (the same settings, by fingerprint)
 * instead of starting the backend to learn it. The Redis one is `RedisCatalogSnapshots` in `@mcp-gateway/redis`.
 */
export interface CatalogSnapshots {
  /** The snapshot stored for `backend` under `fingerprint` (a hash of how it is reached), if any. */
  read(backend: string, fingerprint: string): Promise<BackendCatalog | undefined>;
  /** Stores the catalog just learned from the live backend. */
  write(backend: string, fingerprint: string, catalog: BackendCatalog): Promise<void>;
}
