// An exporter's durable buffer (buffer: {type: disk, path, max-bytes, sync-interval}): one disk
// queue per exporter queue, in `<path>/<exporter name>/q<index>/`, synced every sync-interval (0:
// before each 202, one fsync for all the requests waiting on it), its ledgers written at the same
// pace, bounded by max-bytes over all its files. A disk error (ENOSPC, EIO, EROFS) puts the buffer in
// error until a later write succeeds: admission answers 503 meanwhile and /readyz says why.
import type { Logger } from '../observe/log.ts'
import type { Counter } from '../observe/metrics.ts'
import type { LogResult, Skipped } from '../buffer/segment-log.ts'
import type { LogFiles } from '../runtime/log-files.ts'
import type { Clock } from '../util/clock.ts'
import { DiskQueue, type ItemCodec } from './disk-queue.ts'
import type { Sized } from './send-result.ts'

/** How often ledgers are written when sync-interval is 0 (entries are synced before each 202). */
export const CHECKPOINT_MS = 500
/** After a disk error, admission answers 503 this long before it tries the disk again. */
export const ERROR_RETRY_MS = 1000

export interface DurableBufferMetrics {
  readonly corrupt: Counter<'exporter'>
  readonly replayed: Counter<'exporter'>
  readonly errors: Counter<'exporter' | 'code'>
}

export interface DurableBufferOptions<T> {
  readonly exporter: string
  /** `<path>/<exporter name>`. */
  readonly dir: string
  readonly queueCount: number
  readonly maxBytes: number
  readonly syncIntervalMs: number
  readonly files: LogFiles
  readonly codec: ItemCodec<T>
  readonly clock: Clock
  readonly log: Logger
  readonly metrics: DurableBufferMetrics
}

export interface DurableBuffer<T extends Sized> {
  readonly queues: readonly DiskQueue<T>[]
  readonly maxBytes: number
  /** Bytes of the exporter's files on disk. */
  bytes(): number
  /** Why the buffer cannot be written now, or null. */
  error(): string | null
  /** Records a failed write (counted, logged once per burst, 503 for ERROR_RETRY_MS). */
  failed(r: LogResult & { readonly ok: false }): void
  /** sync-interval 0: resolves once everything appended so far is on stable storage. Otherwise undefined. */
  durable(): Promise<LogResult> | undefined
  /** Syncs and writes ledgers every sync-interval until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>
  /** Syncs, writes the ledgers and closes the files. */
  close(): Promise<void>
}

/** Segment size: small enough that acknowledged space is given back soon, large enough to be few files. */
export function segmentBytesFor(maxBytes: number, queueCount: number): number {
  return Math.max(64 * 1024, Math.min(16 * 1024 * 1024, Math.floor(maxBytes / (8 * Math.max(1, queueCount)))))
}

export function openDurableBuffer<T extends Sized>(opts: DurableBufferOptions<T>): DurableBuffer<T> {
  const { exporter, clock, log, metrics } = opts
  metrics.corrupt.touch(exporter)
  metrics.replayed.touch(exporter)
  const onSkipped = (s: Skipped) => {
    metrics.corrupt.inc([exporter])
    log.warn('durable buffer: entry skipped', { exporter, segment: s.segment, offset: s.offset, error: s.why })
  }
  const segmentBytes = segmentBytesFor(opts.maxBytes, opts.queueCount)
  const queues = Array.from(
    { length: opts.queueCount },
    (_, i) => new DiskQueue<T>({ dir: `${opts.dir}/q${i}`, files: opts.files, segmentBytes, codec: opts.codec, clock, onSkipped }),
  )
  let failure: { readonly error: string; readonly at: number } | null = null
  /** sync-interval 0: the sync in progress, and the one that follows it for what came meanwhile. */
  let inFlight: Promise<LogResult> | undefined
  let queued: Promise<LogResult> | undefined

  const failed = (r: LogResult & { readonly ok: false }) => {
    failure = { error: `${r.code}: ${r.error}`, at: clock.now() }
    metrics.errors.inc([exporter, r.code])
    log.warnOncePerBurst(`${exporter}:buffer`, 'durable buffer: write failed; answering 503 until it can be written again', {
      exporter,
      code: r.code,
      error: r.error,
    })
  }

  const syncAll = async (): Promise<LogResult> => {
    for (const q of queues) {
      const r = await q.sync()
      if (!r.ok) {
        failed(r)
        return r
      }
    }
    return { ok: true }
  }
  const checkpointAll = async (): Promise<void> => {
    for (const q of queues) {
      const r = await q.checkpoint()
      if (!r.ok) failed(r)
    }
  }

  const startSync = (): Promise<LogResult> => {
    const p = syncAll().finally(() => {
      if (inFlight === p) inFlight = undefined
    })
    inFlight = p
    return p
  }

  const buffer: DurableBuffer<T> = {
    queues,
    maxBytes: opts.maxBytes,
    bytes: () => queues.reduce((n, q) => n + q.bytes(), 0),
    error() {
      if (failure !== null && clock.now() - failure.at >= ERROR_RETRY_MS) failure = null
      return failure?.error ?? null
    },
    failed,
    durable() {
      if (opts.syncIntervalMs > 0) return undefined
      // Group commit: a sync in progress may have started before these entries; the next one, which
      // starts when it ends, covers them and every other request that came meanwhile.
      if (queued !== undefined) return queued
      if (inFlight === undefined) return startSync()
      queued = inFlight.then(() => {
        queued = undefined
        return startSync()
      })
      return queued
    },
    async run(signal) {
      const every = opts.syncIntervalMs > 0 ? opts.syncIntervalMs : CHECKPOINT_MS
      while (!signal.aborted) {
        await clock.sleep(every, signal)
        if (signal.aborted) return
        if ((await syncAll()).ok) await checkpointAll()
      }
    },
    async close() {
      await syncAll()
      await checkpointAll()
      for (const q of queues) await q.close()
    },
  }
  return buffer
}
