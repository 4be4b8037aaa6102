// The ClickHouse source's queries, each retried with backoff (200 ms doubling to 10 s, no jitter)
// until ClickHouse answers or the source stops. Counts every outcome, logs failures once per
// burst, and knows which data sources' last query failed (the source's health).
import type { Logger } from '../../observe/log.ts'
import type { Counter } from '../../observe/metrics.ts'
import { backoffDelay, type BackoffPolicy } from '../../pipeline/backoff.ts'
import type { Clock } from '../../util/clock.ts'
import type { ClickHouseClient } from './client.ts'

export const QUERY_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 10_000, jitter: 'none' }

export interface RetryingQueryDeps {
  /** The source's name (the `source` label). */
  readonly name: string
  readonly client: ClickHouseClient
  readonly clock: Clock
  readonly log: Logger
  readonly outcomes: Counter<'source' | 'outcome'>
  readonly signal: AbortSignal
}

export interface RetryingQuery {
  /** The answer for `ds` (a data source, or what the query is for), or undefined once the source stopped. */
  query(ds: string, sql: string): Promise<string | undefined>
  /** How many data sources' last query failed. */
  failing(): number
}

export function createRetryingQuery(deps: RetryingQueryDeps): RetryingQuery {
  const { name, client, clock, log, outcomes, signal } = deps
  const failing = new Set<string>()
  return {
    async query(ds, sql) {
      for (let attempt = 0; !signal.aborted; attempt++) {
        const r = await client.query(sql, signal)
        if (r.ok) {
          outcomes.inc([name, 'ok'])
          failing.delete(ds)
          return r.text
        }
        if (signal.aborted) return undefined
        outcomes.inc([name, 'error'])
        failing.add(ds)
        const delay = backoffDelay(QUERY_BACKOFF, attempt, clock.random)
        log.warnOncePerBurst(`${name}:query`, 'ClickHouse query failed; retrying', {
          source: name,
          data_source: ds,
          error: r.error,
          retry_in_ms: delay,
        })
        await clock.sleep(delay, signal)
      }
      return undefined
    },
    failing: () => failing.size,
  }
}
