import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  errorMessage,
  type BackendCatalog,
  type BackendConnection,
  type BackendSettings,
  type CatalogSnapshots,
  type Logger,
} from '@mcp-gateway/core';
import { readCatalog, type CatalogList } from './read-catalog';

/** Which list each `list_changed` notification refreshes. */
export const LIST_CHANGED: Record<string, CatalogList> = {
  'notifications/tools/list_changed': 'tools',
  'notifications/resources/list_changed': 'resources',
  'notifications/prompts/list_changed': 'prompts',
};

/** How long a replica waits for a shared snapshot before it starts the backend to learn the catalog itself. */
const SHARED_READ_MS = 2000;

/**
 * Backend catalogs in memory and on disk (`<stateDir>/catalog/<backend>.json`), so listing and search work while
 * backends hibernate and after a restart, and in `shared` snapshots (Redis) when there are, so that a replica
 * starting afresh knows what the others learned. A cached file or snapshot whose backend settings changed since is
 * ignored.
 */
export class CatalogStore {
  private readonly catalogs = new Map<string, BackendCatalog>();
  private readonly dir: string | undefined;

  constructor(
    stateDir: string | undefined,
    private settings: Record<string, BackendSettings>,
    private readonly logger: Logger,
    private readonly shared?: CatalogSnapshots,
  ) {
    this.dir = stateDir ? join(stateDir, 'catalog') : undefined;
    for (const name of Object.keys(settings)) this.readCached(name);
  }

  get(backend: string): BackendCatalog | undefined {
    return this.catalogs.get(backend);
  }

  /**
   * Follows a config reload: a removed backend's catalog is dropped (and its file deleted), a backend reached
   * differently now is read again from its file, which the changed fingerprint makes miss, and kept ones stay.
   */
  reconfigure(settings: Record<string, BackendSettings>): void {
    const before = new Map(Object.keys(this.settings).map((name) => [name, this.fingerprint(name)]));
    this.settings = settings;
    for (const name of before.keys()) {
      if (name in settings) continue;
      this.catalogs.delete(name);
      const file = this.file(name);
      if (file) rmSync(file, { force: true });
    }
    for (const name of Object.keys(settings)) {
      if (before.get(name) === this.fingerprint(name)) continue;
      this.catalogs.delete(name);
      this.readCached(name);
    }
  }

  /**
   * Takes the shared snapshot of a backend that has no catalog here; false when there is none (or it cannot be
   * read within {@link SHARED_READ_MS}), and the backend must be started to learn it.
   */
  async adopt(backend: string): Promise<boolean> {
    if (!this.shared || this.catalogs.has(backend)) return this.catalogs.has(backend);
    const fingerprint = this.fingerprint(backend);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), SHARED_READ_MS)),
    );
    const snapshot = await Promise.race([this.shared.read(backend, fingerprint), timeout])
      .catch((error: unknown) => {
        this.logger.warn('could not read the shared catalog', { backend, error: errorMessage(error) });
        return undefined;
      })
      .finally(() => clearTimeout(timer));
    if (!snapshot || this.catalogs.has(backend) || this.fingerprint(backend) !== fingerprint) return false;
    this.catalogs.set(backend, snapshot);
    this.writeCached(backend, snapshot);
    return true;
  }

  /** Fetches the given lists (all by default) from a live backend and stores the result. */
  async refresh(
    backend: string,
    connection: BackendConnection,
    only?: CatalogList[],
  ): Promise<BackendCatalog> {
    const fingerprint = this.fingerprint(backend);
    const previous = this.catalogs.get(backend);
    const next: BackendCatalog =
      previous && only
        ? { ...previous }
        : { backend, tools: [], resources: [], resourceTemplates: [], prompts: [], updatedAt: '' };
    const read = await readCatalog(connection, only);
    Object.assign(next, read.lists);
    for (const { name, reason } of read.skipped)
      this.logger.warn(`skipped a tool: ${reason}`, { backend, tool: name });
    for (const { method, error } of read.failures)
      this.logger.warn(`could not fetch ${method}`, { backend, error });
    next.updatedAt = new Date().toISOString();
    // A reload that removed or changed the backend meanwhile makes this catalog one of a backend that is gone.
    if (!(backend in this.settings) || this.fingerprint(backend) !== fingerprint) return next;
    this.catalogs.set(backend, next);
    this.writeCached(backend, next);
    void this.shared?.write(backend, fingerprint, next).catch((error: unknown) => {
      this.logger.warn('could not write the shared catalog', { backend, error: errorMessage(error) });
    });
    return next;
  }

  private file(backend: string): string | undefined {
    return this.dir ? join(this.dir, `${backend}.json`) : undefined;
  }

  private fingerprint(backend: string): string {
    return createHash('sha256')
      .update(JSON.stringify(this.settings[backend]?.target ?? null))
      .digest('hex')
      .slice(0, 16);
  }

  private readCached(backend: string): void {
    const file = this.file(backend);
    if (!file) return;
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as {
        fingerprint: string;
        catalog: BackendCatalog;
      };
      if (cached.fingerprint === this.fingerprint(backend)) this.catalogs.set(backend, cached.catalog);
    } catch {
      // no cache yet, or unreadable: the next start fills it
    }
  }

  private writeCached(backend: string, catalog: BackendCatalog): void {
    const file = this.file(backend);
    if (!file || !this.dir) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify({ fingerprint: this.fingerprint(backend), catalog }));
      renameSync(`${file}.tmp`, file); // atomic: a reader never sees half a file
    } catch (error) {
      this.logger.warn('could not write the catalog cache', { backend, file, error: errorMessage(error) });
    }
  }
}
