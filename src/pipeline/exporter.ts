// One exporter at run time: per data source a compiled filter and encoder; `queue-count` bounded
// queues, each drained by one worker that batches (batch-size or flush-timeout), sends through the
// exporter's sink, and retries what may be retried. Records of one series hash to one queue, so
// their order holds. Admission is staged so that a request is queued whole or not at all.
//
// relay.overflow decides what happens when a queue lacks room. `reject`: fits() answers 'full' and
// the request is refused (429). `drop-oldest` (DeepFlow's ring buffer): fits() never answers 'full'
// (only 'never' when the request alone exceeds queue-size or queue-max-bytes); commit() appends the
// records, then evicts the oldest WAITING records until the bounds hold again:
//   - queue-size (records held, per queue): from that same queue, oldest first;
//   - queue-max-bytes (bytes held, across the exporter): the exporter's oldest waiting record,
//     whichever queue holds it (admission order, exporter-wide), so no queue is favoured and eviction
//     follows age alone.
// In-flight batches belong to the worker and are never evicted; when they take the room, the oldest
// records of the request itself go (they were accepted, so they count as evicted too). Every eviction
// is counted as dropped{reason="evicted"} (and series_dropped for remote write), logged once per burst.
//
// The tap (pipeline/tap-hub.ts, served as GET /v1/tap by http/tap-route.ts) sees the items at commit,
// i.e. about to be sent (drop-oldest may still evict them later). Its only cost while nobody listens
// is one boolean check in commit().
//
// endpoints() reports where the exporter sends, for the status page and deepflow_relay_endpoint_up:
// each endpoint's own state when the sink keeps one (remote write), else the configured endpoints
// sharing the exporter's health (Kafka brokers; `stdout`).
import type { ExporterConfig, Overflow } from '../config/types.ts'
import { dataSource } from '../deepflow/schema.ts'
import type { RecordPredicate } from '../filter/compile-filter.ts'
import type { Logger } from '../observe/log.ts'
import { createTapHub, type ExporterTap } from './tap-hub.ts'
import type { RelayMetrics } from '../observe/relay-metrics.ts'
import type { DeepFlowRecord } from '../record/normalize.ts'
import type { Clock } from '../util/clock.ts'
import { BatchQueue } from './batch-queue.ts'
import type { Sized } from './send-result.ts'
import type { Sink } from './send-result.ts'
import { createWorker, type RetryPolicy, type Worker } from './worker.ts'
import type { LogResult } from '../buffer/segment-log.ts'
import type { DurableBuffer } from './durable-buffer.ts'

export interface RecordPlan<T> {
  /** null: every record passes. */
  readonly filter: RecordPredicate | null
  /** Encodes a record into a queue item and the hash that picks its queue. */
  readonly encode: (record: DeepFlowRecord) => { item: T; seriesHash: number }
  /** The tap's NDJSON lines of an item (only called for items a tap subscriber takes). Default: the item as JSON. */
  readonly tapLines?: (item: T) => readonly string[]
}

/** A request's records for this exporter, sorted into queues but not yet queued. */
export interface Staged<T> {
  readonly perQueue: T[][]
  /** Bytes of the staged items (what the queues would take). */
  readonly bytes: number
  readonly filtered: number
  readonly tooLarge: number
  /** Staging stopped early because this was already certain: what fits() answers (the items were let go). */
  readonly settled?: 'full' | 'never'
}

/** Stages one request's records one at a time (each is encoded and let go at once). */
export interface Stager<T> {
  add(record: DeepFlowRecord): void
  /**
   * True once the request can no longer be admitted, whatever follows: what is staged alone passes
   * queue-size or queue-max-bytes (413), or (relay.overflow reject) it no longer fits beside what
   * the queues hold (429: a remote-write body pauses between its series, and the queues may drain
   * meanwhile, but the sender retries after Retry-After anyway). add() then encodes nothing more:
   * a refused request costs its parse, not its encoding.
   */
  readonly settled: boolean
  /** What was added, sorted into queues. */
  done(): Staged<T>
}

/** 'unavailable': the exporter's durable buffer cannot be written (a disk error): 503. */
export type Fit = 'ok' | 'full' | 'never' | 'unavailable'

/** What committing a request did: when its entries are on stable storage (buffer sync-interval 0), or why they could not be written. */
export type Committed =
  | undefined
  | { readonly durable: Promise<LogResult> }
  | { readonly failed: LogResult & { readonly ok: false } }

/** One endpoint of an exporter and its state. */
export interface EndpointHealth {
  /** As shown in logs, metrics and the status page (remote write: user info masked). */
  readonly endpoint: string
  readonly up: boolean
  readonly lastError: string | null
  /** true: `up` is the last request to this endpoint (remote write); false: the exporter's health, shared by its endpoints. */
  readonly ownState: boolean
}

export interface Exporter<T extends Sized> {
  readonly config: ExporterConfig
  wants(ds: string): boolean
  stage(ds: string, records: readonly DeepFlowRecord[]): Staged<T>
  /** stage(), one record at a time. */
  stager(ds: string): Stager<T>
  fits(staged: Staged<T>): Fit
  /** Queues the staged items; with a durable buffer, says when they are on stable storage or that they could not be written. */
  commit(ds: string, staged: Staged<T>): Committed
  /** Records and bytes held (waiting and in flight). */
  held(): { records: number; bytes: number }
  /** No record could be queued now (relay.overflow reject, and queue-max-bytes or every queue's queue-size is reached). */
  isFull(): boolean
  /** Bytes the queues can take now before a request is refused (relay.overflow reject; drop-oldest: Infinity). */
  roomBytes(): number
  /** false when the last send attempt failed (and no send succeeded since). */
  healthy(): boolean
  /** The durable buffer's bytes on disk and why it cannot be written now (null: it can); null without one. */
  buffer(): { readonly bytes: number; readonly maxBytes: number; readonly error: string | null } | null
  /** Its endpoints with their state (GET /v1/status, deepflow_relay_endpoint_up). */
  endpoints(): readonly EndpointHealth[]
  stop(deadlineMs: number): Promise<void>
  /** What this exporter is about to send, for GET /v1/tap. */
  readonly tap: ExporterTap
}

export interface ExporterDeps<T extends Sized> {
  readonly config: ExporterConfig
  /** relay.overflow: what a full queue does (reject: 429; drop-oldest: evict, counted). Default reject. */
  readonly overflow?: Overflow
  readonly plans: ReadonlyMap<string, RecordPlan<T>>
  /** The sink a queue sends through (one per queue where the sink keeps per-queue state). */
  readonly sinkFor: (queue: number) => Sink<T>
  /** Overrides "the last attempt succeeded" as the exporter's health (e.g. any endpoint up). */
  readonly healthy?: () => boolean
  /** Each endpoint's own state (remote write), or the endpoints that share the exporter's health (Kafka brokers, `stdout`). */
  readonly endpoints: (() => readonly EndpointHealth[]) | readonly string[]
  /** Releases the sinks' resources after the queues drained. */
  readonly close: () => Promise<void>
  /** The sink counts series: also keep series_sent/series_dropped. */
  readonly countsSeries?: boolean
  /** Largest single item the sink can deliver (Kafka max-message-bytes); larger ones are dropped as too_large. */
  readonly maxItemBytes?: number
  readonly clock: Clock
  readonly log: Logger
  readonly metrics: RelayMetrics
  readonly retry: RetryPolicy
  /** Runs when a batch left a queue (the memory limiter's pace: sends turn queued bytes into garbage). */
  readonly afterBatch?: () => void
  /** buffer: {type: disk}: the exporter's durable buffer (pipeline/durable-buffer.ts). */
  readonly disk?: DurableBuffer<T>
}

export function createExporter<T extends Sized>(deps: ExporterDeps<T>): Exporter<T> {
  const { config, plans, clock, metrics } = deps
  const name = config.name
  const queues = Array.from({ length: config.queueCount }, () => new BatchQueue<T>())
  const sinks = queues.map((_, index) => deps.sinkFor(index))
  const disk = deps.disk
  let lastAttemptOk = true
  const onAttempt = (ok: boolean) => {
    lastAttemptOk = ok
  }
  const workers: Worker<T>[] = queues.map((queue, index) =>
    createWorker({
      ...deps,
      sink: sinks[index]!,
      queue,
      index,
      batchSize: config.batchSize,
      flushMs: config.flushTimeout * 1000,
      onAttempt,
      ...(disk === undefined ? {} : {
        durable: {
          settled: (batch: readonly T[]) => {
            disk.queues[index]!.settled(batch)
            refill(index)
          },
          keepsUnsent: true,
        },
      }),
    })
  )
  const diskRun = new AbortController()
  for (const reason of ['evicted', 'rejected_by_endpoint', 'too_large', 'retries_exhausted', 'shutdown']) {
    metrics.dropped.touch(name, reason)
  }
  metrics.sent.touch(name)
  metrics.batches.touch(name)
  for (const ds of config.dataSources) if (dataSource(ds) !== undefined) metrics.filtered.touch(name, ds)
  if (deps.countsSeries) metrics.seriesDropped.touch(name, 'evicted')
  const dropOldest = deps.overflow === 'drop-oldest'
  /** Exporter-wide admission order of queued items: "oldest" across queues. */
  let seq = 0
  let stopping: Promise<void> | undefined
  const maxItemBytes = Math.min(config.queueMaxBytes, deps.maxItemBytes ?? Infinity)
  const tap = createTapHub<T>({
    now: () => clock.now(),
    render: (ds, item) => plans.get(ds)?.tapLines?.(item) ?? [JSON.stringify(item)],
  })

  const healthy = () => (deps.healthy === undefined ? lastAttemptOk : deps.healthy())
  /** Records and bytes in memory (waiting and in flight): what queue-size and queue-max-bytes bound. */
  const heldRecords = (i: number) => queues[i]!.length + workers[i]!.inFlight().records
  const heldBytes = () => queues.reduce((sum, q, i) => sum + q.bytes + workers[i]!.inFlight().bytes, 0)
  /** A durable buffer's estimate of what items take on disk (frame, entry head, codec fields). */
  const diskBytesOf = (bytes: number, items: number) => bytes + 64 * items

  /** Durable buffer: reads what waits on disk back into memory, as far as the queue's bounds allow. */
  const refill = (i: number) => {
    const dq = disk?.queues[i]
    if (dq === undefined || !dq.waiting()) return
    const records = config.queueSize - heldRecords(i)
    const bytes = config.queueMaxBytes - heldBytes()
    if (records <= 0 || bytes <= 0) return
    const { items, replayed } = dq.readBack(records, bytes)
    if (replayed > 0) metrics.replayed.inc([name], replayed)
    if (items.length === 0) return
    const now = clock.now()
    for (const item of items) queues[i]!.push(item, now, seq++)
    workers[i]!.notify()
  }

  /** Durable buffer at max-bytes under drop-oldest: drops the oldest segments (their entries evicted, counted). */
  const dropOldestOnDisk = (ds: string) => {
    if (disk === undefined) return
    let evicted = 0
    while (disk.bytes() > disk.maxBytes) {
      let fullest = -1
      for (let i = 0; i < disk.queues.length; i++) if (fullest < 0 || disk.queues[i]!.bytes() > disk.queues[fullest]!.bytes()) fullest = i
      const dq = disk.queues[fullest]!
      const dropped = dq.dropOldest()
      if (dropped === undefined) break
      evicted += dropped.entries
      // The items of that segment held in memory (waiting, not in flight) go with it.
      const queue = queues[fullest]!
      for (;;) {
        const oldest = queue.peekOldest()
        if (oldest === undefined || !dq.inSegmentUpTo(oldest, dropped.segment)) break
        const item = queue.evictOldest()!
        sinks[fullest]!.release?.([item])
      }
      refill(fullest)
    }
    if (evicted === 0) return
    metrics.dropped.inc([name, 'evicted'], evicted)
    deps.log.warnOncePerBurst(`${name}:evicted`, 'records dropped', {
      exporter: name,
      reason: 'evicted',
      data_source: ds,
      records: evicted,
      error: 'durable buffer at max-bytes (relay.overflow: drop-oldest): its oldest segment evicted',
    })
  }

  /** Durable buffer: appends the staged items; those the memory bounds allow are queued in memory too. */
  const commitToDisk = (buffer: DurableBuffer<T>, staged: Staged<T>): Committed => {
    const now = clock.now()
    let failure: (LogResult & { readonly ok: false }) | undefined
    staged.perQueue.forEach((items, i) => {
      const dq = buffer.queues[i]!
      /** Items held in memory too, once their entries are written. */
      const loaded: T[] = []
      let bytes = heldBytes()
      for (const item of items) {
        if (failure !== undefined) {
          sinks[i]!.release?.([item])
          continue
        }
        const load = !dq.waiting() && heldRecords(i) + loaded.length < config.queueSize && bytes + item.bytes <= config.queueMaxBytes
        const r = dq.append(item, load)
        if (!r.ok) {
          failure = r
          buffer.failed(r)
        }
        if (r.ok && load) {
          loaded.push(item)
          bytes += item.bytes
        } else sinks[i]!.release?.([item])
      }
      if (failure === undefined && items.length > 0) {
        const written = dq.flush()
        if (!written.ok) {
          failure = written
          buffer.failed(written)
        }
      }
      // A request whose entries could not be written is answered 503: nothing of it stays in memory.
      if (failure === undefined) { for (const item of loaded) queues[i]!.push(item, now, seq++) }
      else sinks[i]!.release?.(loaded)
    })
    if (failure !== undefined) return { failed: failure }
    const durable = buffer.durable()
    return durable === undefined ? undefined : { durable }
  }

  /** drop-oldest: evicts waiting records, oldest first, until queue-size and queue-max-bytes hold. */
  const evictOverflow = (ds: string) => {
    const evicted: T[] = []
    queues.forEach((queue, i) => {
      while (heldRecords(i) > config.queueSize) {
        const item = queue.evictOldest()
        if (item === undefined) break
        evicted.push(item)
      }
    })
    let bytes = heldBytes()
    while (bytes > config.queueMaxBytes) {
      let oldest: BatchQueue<T> | undefined
      let oldestSeq = Infinity
      for (const queue of queues) {
        const s = queue.oldestSeq()
        if (s !== undefined && s < oldestSeq) {
          oldest = queue
          oldestSeq = s
        }
      }
      const item = oldest?.evictOldest()
      if (item === undefined) break
      bytes -= item.bytes
      evicted.push(item)
    }
    if (evicted.length === 0) return
    metrics.dropped.inc([name, 'evicted'], evicted.length)
    if (deps.countsSeries) metrics.seriesDropped.inc([name, 'evicted'], evicted.reduce((n, item) => n + item.units, 0))
    deps.log.warnOncePerBurst(`${name}:evicted`, 'records dropped', {
      exporter: name,
      reason: 'evicted',
      data_source: ds,
      records: evicted.length,
      error: 'queue full (relay.overflow: drop-oldest): oldest waiting records evicted',
    })
  }

  const stagerFor = (ds: string): Stager<T> => {
    const plan = plans.get(ds)!
    const perQueue: T[][] = queues.map(() => [])
    let filtered = 0
    let tooLarge = 0
    let bytes = 0
    let settled: 'full' | 'never' | undefined
    /** After queue q took an item: is the verdict already certain? Then the items are let go. */
    const settle = (q: number) => {
      if (disk !== undefined) {
        // A durable buffer takes what its files have room for (fits() decides); only a request
        // larger than max-bytes alone is certain to be refused.
        if (diskBytesOf(bytes, perQueue.reduce((n, items) => n + items.length, 0)) > disk.maxBytes) settled = 'never'
      } else if (bytes > config.queueMaxBytes || perQueue[q]!.length > config.queueSize) settled = 'never'
      else if (!dropOldest && (heldRecords(q) + perQueue[q]!.length > config.queueSize || heldBytes() + bytes > config.queueMaxBytes)) {
        settled = 'full'
      }
      if (settled !== undefined) { for (const items of perQueue) items.length = 0 }
    }
    return {
      add(record) {
        if (settled !== undefined) return
        if (plan.filter !== null && !plan.filter(record.values)) {
          filtered++
          return
        }
        const { item, seriesHash } = plan.encode(record)
        if (item.units === 0) return
        if (item.bytes > maxItemBytes) {
          tooLarge++
          return
        }
        const q = seriesHash % queues.length
        perQueue[q]!.push(item)
        bytes += item.bytes
        settle(q)
      },
      get settled() {
        return settled !== undefined
      },
      done: () => (settled === undefined ? { perQueue, bytes, filtered, tooLarge } : { perQueue, bytes, filtered, tooLarge, settled }),
    }
  }

  const exporter: Exporter<T> = {
    config,
    wants: (ds) => plans.has(ds),
    stage(ds, records) {
      const stager = stagerFor(ds)
      for (const record of records) stager.add(record)
      return stager.done()
    },
    stager: (ds) => stagerFor(ds),
    roomBytes: () => (dropOldest ? Infinity : disk !== undefined ? disk.maxBytes - disk.bytes() : config.queueMaxBytes - heldBytes()),
    isFull() {
      if (dropOldest) return false
      if (disk !== undefined) return disk.bytes() >= disk.maxBytes
      return heldBytes() >= config.queueMaxBytes || queues.every((_, i) => heldRecords(i) >= config.queueSize)
    },
    fits(staged) {
      if (staged.settled !== undefined) return staged.settled
      if (disk !== undefined) {
        if (disk.error() !== null) return 'unavailable'
        const onDisk = diskBytesOf(staged.bytes, staged.perQueue.reduce((n, items) => n + items.length, 0))
        if (onDisk > disk.maxBytes) return 'never'
        return !dropOldest && disk.bytes() + onDisk > disk.maxBytes ? 'full' : 'ok'
      }
      let bytes = 0
      let verdict: Fit = 'ok'
      staged.perQueue.forEach((items, i) => {
        for (const item of items) bytes += item.bytes
        if (items.length > config.queueSize) verdict = 'never'
        else if (!dropOldest && verdict === 'ok' && heldRecords(i) + items.length > config.queueSize) verdict = 'full'
      })
      if (bytes > config.queueMaxBytes) return 'never'
      if (!dropOldest && verdict === 'ok' && heldBytes() + bytes > config.queueMaxBytes) return 'full'
      return verdict
    },
    commit(ds, staged) {
      if (staged.filtered > 0) metrics.filtered.inc([name, ds], staged.filtered)
      if (staged.tooLarge > 0) {
        metrics.dropped.inc([name, 'too_large'], staged.tooLarge)
        deps.log.warnOncePerBurst(
          `${name}:too_large`,
          `record larger than ${maxItemBytes} bytes (queue-max-bytes${
            deps.maxItemBytes === undefined ? '' : ' or max-message-bytes'
          }) dropped`,
          { exporter: name, data_source: ds, records: staged.tooLarge },
        )
      }
      if (tap.listening) { for (const items of staged.perQueue) tap.offer(ds, items) }
      let committed: Committed
      if (disk !== undefined) {
        committed = commitToDisk(disk, staged)
        if (dropOldest) dropOldestOnDisk(ds)
        // What went to disk only while memory had room (behind older entries on disk) is read now.
        for (let i = 0; i < queues.length; i++) refill(i)
      } else {
        const now = clock.now()
        staged.perQueue.forEach((items, i) => {
          const queue = queues[i]!
          for (const item of items) queue.push(item, now, seq++)
        })
        if (dropOldest) evictOverflow(ds)
      }
      staged.perQueue.forEach((items, i) => {
        if (items.length > 0) workers[i]!.notify()
      })
      return committed
    },
    held: () => {
      let records = queues.reduce((n, _q, i) => n + heldRecords(i), 0)
      if (disk !== undefined) { for (const dq of disk.queues) records += dq.waitingOnDisk().records }
      return { records, bytes: heldBytes() }
    },
    healthy,
    buffer: () => (disk === undefined ? null : { bytes: disk.bytes(), maxBytes: disk.maxBytes, error: disk.error() }),
    endpoints: () =>
      typeof deps.endpoints === 'function'
        ? deps.endpoints()
        : deps.endpoints.map((endpoint) => ({ endpoint, up: healthy(), lastError: null, ownState: false })),
    tap,
    stop(deadlineMs) {
      tap.close()
      stopping ??= (async () => {
        await Promise.all(workers.map((w) => w.drain(deadlineMs)))
        diskRun.abort()
        // What is left unsent stays in the durable buffer for the next start.
        await disk?.close()
        await deps.close()
      })()
      return stopping
    },
  }
  if (disk !== undefined) {
    metrics.replayed.touch(name)
    void disk.run(diskRun.signal)
    // What an earlier process left: read back at once (counted as replayed).
    for (let i = 0; i < queues.length; i++) refill(i)
  }
  return exporter
}
