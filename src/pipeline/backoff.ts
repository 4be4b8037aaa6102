// Retry delays, one policy type for every retry loop of the relay: the exporter workers (equal
// jitter, so queues that failed together do not retry in step) and the ClickHouse source's
// queries and admission waits (no jitter: one source, one loop). No other file computes an
// exponential delay.

export interface BackoffPolicy {
  /** Delay before the first retry (attempt 0). */
  readonly initialMs: number
  /** The delay never grows past this. */
  readonly maxMs: number
  /**
   * 'equal': half the exponential delay plus a random part of the other half ("equal jitter",
   * aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter), so a delay lies in
   * [d/2, d); 'none': the exponential delay itself.
   */
  readonly jitter: 'equal' | 'none'
}

/**
 * The delay before retry `attempt` (0 for the first): d = min(maxMs, initialMs × 2^attempt),
 * jittered by the policy with `random()` in [0, 1), and never shorter than `retryAfterMs` (a
 * server's Retry-After).
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number, retryAfterMs = 0): number {
  const d = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(attempt, 0), 30))
  const jittered = policy.jitter === 'equal' ? d * (0.5 + random() / 2) : d
  return Math.max(retryAfterMs, jittered)
}
