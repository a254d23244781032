import {
  createLocalJWKSet,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose';
import { fetchJson } from './fetch-json';

/** Tokens with key ids the set lacks make it be fetched again, but not more often than this. */
const REFRESH_COOLDOWN_MS = 30_000;
/** Keys rotate: a set older than this is fetched again when next used. */
const MAX_AGE_MS = 6 * 3600_000;
/** After a failed fetch, tokens are refused with its error for this long before the next try. */
const RETRY_MS = 5000;

type KeySet = ReturnType<typeof createLocalJWKSet>;

/**
 * An authorization server's signing keys (JWKS), fetched when first needed and cached. A token signed with a key
 * id the set does not hold makes it be fetched again (at most every 30 s), so key rotation needs no restart; an
 * authorization server that is down is asked again at most every 5 s.
 */
export class Jwks {
  private keys: KeySet | undefined;
  private fetchedAt = -Infinity;
  private pending: Promise<KeySet> | undefined;
  private failure: { error: unknown; at: number } | undefined;
  private refreshedForUnknownKey = -Infinity;

  constructor(
    /** Where the keys are: the configured `jwks_url`, or the `jwks_uri` of the issuer's metadata. */
    private readonly locate: () => Promise<URL>,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly now: () => number = Date.now,
  ) {}

  /** jose's key lookup for `jwtVerify`. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    const keys = await this.current();
    try {
      return await keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      if (this.now() - this.refreshedForUnknownKey < REFRESH_COOLDOWN_MS) throw error;
      this.refreshedForUnknownKey = this.now();
      return (await this.fetch())(header, token);
    }
  };

  private current(): Promise<KeySet> {
    if (this.keys && this.now() - this.fetchedAt < MAX_AGE_MS) return Promise.resolve(this.keys);
    if (this.pending) return this.pending;
    if (this.failure && this.now() - this.failure.at < RETRY_MS) return Promise.reject(this.failure.error);
    return this.fetch();
  }

  private fetch(): Promise<KeySet> {
    this.pending ??= this.locate()
      .then((url) => fetchJson(url, this.fetchImpl))
      .then((body) => {
        if (!Array.isArray((body as JSONWebKeySet | null)?.keys))
          throw new Error('the key set has no "keys" list');
        this.keys = createLocalJWKSet(body as JSONWebKeySet);
        this.fetchedAt = this.now();
        this.failure = undefined;
        return this.keys;
      })
      .catch((error: unknown) => {
        this.failure = { error, at: this.now() };
        throw error;
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}
