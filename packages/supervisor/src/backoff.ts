export interface BackoffPolicy {
  /** Delay before the first restart. */
  initialMs: number;
  /** Cap on any delay; also how long a backend that gave up stays degraded before the next try. */
  maxMs: number;
  factor: number;
  /** Fraction of the delay added or removed at random, so many backends do not restart in step. */
  jitter: number;
  /** Consecutive failures after which automatic restarts stop until the backend is used again. */
  maxRestarts: number;
  /** A connection that lived this long before it failed resets the failure count. */
  stableMs: number;
}

export const defaultBackoff: BackoffPolicy = {
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.2,
  maxRestarts: 5,
  stableMs: 60_000,
};

/** Delay before attempt `failures` (1-based): initial × factor^(failures-1), capped, with jitter. */
export function backoffDelay(
  policy: BackoffPolicy,
  failures: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, failures - 1));
  const spread = base * policy.jitter * (random() * 2 - 1);
  return Math.round(Math.min(policy.maxMs, Math.max(0, base + spread)));
}
