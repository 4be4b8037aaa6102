// The worker of one queue: waits until a batch is full or its oldest record has waited
// flush-timeout, sends it, and retries a retryable failure with exponential backoff and equal
// jitter (backoff.ts: a delay in [d/2, d), never shorter than a Retry-After) until it succeeds or
// max-retry-duration runs out. One batch in flight per queue, so records of a series leave in order.
import type { ExporterConfig } from '../config/types.ts'
import type { Logger } from '../observe/log.ts'
import type { RelayMetrics } from '../observe/relay-metrics.ts'
import { type Clock, NOT_NEEDED } from '../util/clock.ts'
import { backoffDelay, type BackoffPolicy } from './backoff.ts'
import type { BatchQueue } from './batch-queue.ts'
import type { Sized } from './send-result.ts'
import type { DropReason, Sink } from './send-result.ts'

/** The workers' retry: equal-jitter backoff from initialMs up to maxMs, for at most maxDurationMs. */
export interface RetryPolicy {
  readonly initialMs: number
  readonly maxMs: number
  /** Give up on a batch after retrying it this long. */
  readonly maxDurationMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 30, maxMs: 5000, maxDurationMs: 300_000 }

export interface WorkerDeps<T extends Sized> {
  readonly config: ExporterConfig
  readonly queue: BatchQueue<T>
  readonly index: number
  readonly batchSize: number
  readonly flushMs: number
  readonly sink: Sink<T>
  readonly clock: Clock
  readonly log: Logger
  readonly metrics: RelayMetrics
  readonly retry: RetryPolicy
  readonly onAttempt: (ok: boolean) => void
  readonly countsSeries?: boolean
  /** Runs when a batch left the worker (sent, dropped or given up), after Sink.release: the memory limiter's pace. */
  readonly afterBatch?: () => void
  /**
   * A durable buffer's hooks: `settled` runs when a batch left the worker for good (delivered, or
   * dropped with a reason: its entries are acknowledged), before Sink.release; with `keepsUnsent`,
   * what is still unsent at shutdown stays in the buffer for the next start and is not counted as
   * dropped.
   */
  readonly durable?: { readonly settled: (batch: readonly T[]) => void; readonly keepsUnsent: boolean }
}

export interface Worker<T> {
  /** New items were queued. */
  notify(): void
  inFlight(): { records: number; bytes: number }
  /** Sends everything without waiting for flush-timeout; at the deadline, drops the rest as `shutdown`. */
  drain(deadlineMs: number): Promise<void>
  readonly _type?: T
}

export function createWorker<T extends Sized>(deps: WorkerDeps<T>): Worker<T> {
  const { queue, clock, metrics, log } = deps
  const name = deps.config.name
  const backoff: BackoffPolicy = { initialMs: deps.retry.initialMs, maxMs: deps.retry.maxMs, jitter: 'equal' }
  let draining = false
  const abort = new AbortController()
  let wake: (() => void) | null = null
  /** What the sleeping worker waits for: any item, or a full batch (flush-timeout pending). */
  let waitingFor: 'work' | 'full' | null = null
  let flight = { records: 0, bytes: 0 }
  let flightBatch: readonly T[] = []

  const wakeUp = () => {
    const w = wake
    wake = null
    waitingFor = null
    w?.()
  }
  const waitUntil = (ms: number): Promise<void> => {
    const ac = new AbortController()
    wake = () => ac.abort(NOT_NEEDED)
    waitingFor = 'full'
    return clock.sleep(ms, ac.signal)
  }
  const waitForWork = (): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve
      waitingFor = 'work'
    })

  const unitsOf = (batch: readonly T[]) => batch.reduce((n, item) => n + item.units, 0)
  const drop = (batch: readonly T[], reason: DropReason, error: string) => {
    metrics.dropped.inc([name, reason], batch.length)
    if (deps.countsSeries) metrics.seriesDropped.inc([name, reason], unitsOf(batch))
    log.warnOncePerBurst(`${name}:${reason}`, 'records dropped', { exporter: name, reason, records: batch.length, error })
  }

  const keepsUnsent = deps.durable?.keepsUnsent === true
  /** Whether the batch left for good (false: kept unsent in the durable buffer at shutdown). */
  const send = async (batch: T[]): Promise<boolean> => {
    const started = clock.now()
    for (let attempt = 0;; attempt++) {
      if (abort.signal.aborted) {
        if (keepsUnsent) return false
        drop(batch, 'shutdown', 'shutdown timeout reached')
        return true
      }
      const t0 = clock.now()
      const result = await deps.sink.send(batch, abort.signal)
      metrics.sendDuration.observe([name], (clock.now() - t0) / 1000)
      if (result.status === 'ok') {
        deps.onAttempt(true)
        const tooLarge = result.tooLarge ?? 0
        if (tooLarge > 0) {
          metrics.dropped.inc([name, 'too_large'], tooLarge)
          log.warnOncePerBurst(`${name}:too_large`, 'records too large for the receiver dropped; the rest of the batch was delivered', {
            exporter: name,
            records: tooLarge,
          })
        }
        const rejected = Math.min(result.rejected ?? 0, batch.length - tooLarge)
        if (rejected > 0) {
          metrics.dropped.inc([name, 'rejected_by_endpoint'], rejected)
          log.warnOncePerBurst(`${name}:partial`, 'the endpoint rejected part of a batch; the rest was delivered', {
            exporter: name,
            records: rejected,
            error: result.why ?? '',
          })
        }
        metrics.sent.inc([name], batch.length - tooLarge - rejected)
        if (deps.countsSeries) metrics.seriesSent.inc([name], unitsOf(batch))
        metrics.batches.inc([name])
        return true
      }
      deps.onAttempt(false)
      if (result.status === 'failed') {
        drop(batch, result.reason, result.error)
        return true
      }
      if (abort.signal.aborted) {
        if (keepsUnsent) return false
        drop(batch, 'shutdown', result.error)
        return true
      }
      const elapsed = clock.now() - started
      if (elapsed >= deps.retry.maxDurationMs) {
        drop(batch, 'retries_exhausted', result.error)
        return true
      }
      const delay = backoffDelay(backoff, attempt, clock.random, result.retryAfterMs)
      metrics.retries.inc([name])
      log.warnOncePerBurst(`${name}:retry`, 'send failed, retrying', {
        exporter: name,
        queue: deps.index,
        attempt: attempt + 1,
        delay_ms: Math.round(delay),
        error: result.error,
      })
      await clock.sleep(Math.min(delay, deps.retry.maxDurationMs - elapsed), abort.signal)
    }
  }

  const loop = async (): Promise<void> => {
    for (;;) {
      if (queue.length === 0) {
        if (draining) return
        await waitForWork()
        continue
      }
      if (queue.units < deps.batchSize && !draining) {
        const wait = queue.oldestArrival()! + deps.flushMs - clock.now()
        if (wait > 0) {
          await waitUntil(wait)
          continue
        }
      }
      await sendNextBatch()
    }
  }

  /** Takes and sends one batch. (Its own frame: once it returns nothing keeps the batch alive; the
   * loop's suspended frame would hold its last batch until the next one.) */
  const sendNextBatch = async (): Promise<void> => {
    const batch = queue.take(deps.batchSize)
    flight = { records: batch.length, bytes: batch.reduce((n, item) => n + item.bytes, 0) }
    flightBatch = batch
    let left = true
    try {
      left = await send(batch)
    } catch (err) {
      // A sink must not throw; if one does, the batch is lost and said so, the worker goes on.
      drop(batch, 'rejected_by_endpoint', err instanceof Error ? err.message : String(err))
      log.error('sink threw instead of returning a result (bug)', { exporter: name, error: err })
    } finally {
      flight = { records: 0, bytes: 0 }
      flightBatch = []
      if (left) deps.durable?.settled(batch)
      deps.sink.release?.(batch)
      deps.afterBatch?.()
    }
  }
  const running = loop()

  return {
    notify() {
      if (waitingFor === 'work' || (waitingFor === 'full' && queue.units >= deps.batchSize)) wakeUp()
    },
    inFlight: () => flight,
    async drain(deadlineMs) {
      draining = true
      wakeUp()
      const timer = new AbortController()
      const timeout = clock.sleep(Math.max(0, deadlineMs - clock.now()), timer.signal).then(() => 'timeout' as const)
      const outcome = await Promise.race([running.then(() => 'done' as const), timeout])
      timer.abort(NOT_NEEDED)
      if (outcome === 'timeout') {
        abort.abort()
        // A send that ignores the abort (a blocked pipe) gets a short grace, then counts as lost.
        const grace = new AbortController()
        const settled = await Promise.race([running.then(() => true), clock.sleep(1000, grace.signal).then(() => false)])
        grace.abort(NOT_NEEDED)
        if (!settled && flightBatch.length > 0 && !keepsUnsent) drop(flightBatch, 'shutdown', 'send still blocked at shutdown')
        const left = queue.drain()
        if (left.length > 0 && !keepsUnsent) drop(left, 'shutdown', 'shutdown timeout reached')
      }
    },
  }
}
