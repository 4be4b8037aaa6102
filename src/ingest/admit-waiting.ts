// Admission for an entrance that cannot answer 429 (the ClickHouse source): it tries the records
// through the entry and, while a queue is full or a durable buffer cannot be written, waits (50 ms
// doubling to 2 s, no jitter) and tries again; a group larger than the queues is split in halves. Resolves with how many records got in:
// a prefix, all of them unless `signal` aborted first.
import type { BackoffPolicy } from '../pipeline/backoff.ts'
import { backoffDelay } from '../pipeline/backoff.ts'
import type { DeepFlowRecord } from '../record/normalize.ts'
import type { Clock } from '../util/clock.ts'
import type { Admit, Entry } from './entry.ts'

export const ADMIT_WAIT_BACKOFF: BackoffPolicy = { initialMs: 50, maxMs: 2000, jitter: 'none' }

export interface WaitingDeps {
  readonly entry: Entry
  readonly admit: Admit
  readonly clock: Clock
  readonly signal: AbortSignal
  /** Called before each wait on a full queue. */
  readonly onWait: () => void
}

export async function admitWaiting(deps: WaitingDeps, ds: string, records: readonly DeepFlowRecord[]): Promise<number> {
  for (let attempt = 0;; attempt++) {
    if (deps.signal.aborted) return 0
    const a = deps.entry.tryAdmit([{ ds, records }], deps.admit)
    // In the queues, and (a durable buffer with sync-interval 0) on stable storage: only then does
    // the source move its cursor. A failed sync is tried again (the records may be sent twice).
    if (a.status === 'accepted' && (a.durable === undefined || (await a.durable).ok)) return records.length
    if (a.status === 'never') {
      if (records.length === 1) return 1 // cannot happen for one record: the exporter drops it as too large
      const half = Math.ceil(records.length / 2)
      const first = await admitWaiting(deps, ds, records.slice(0, half))
      return first < half ? first : half + (await admitWaiting(deps, ds, records.slice(half)))
    }
    deps.onWait()
    await deps.clock.sleep(backoffDelay(ADMIT_WAIT_BACKOFF, attempt, deps.clock.random), deps.signal)
  }
}
