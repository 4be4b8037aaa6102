// The ClickHouse source: one poll loop per data source (poll-loop.ts) reading pages of rows from
// DeepFlow's ClickHouse and feeding them through the ingest core's entry, as HTTP ingest's records
// go, except that on full queues it waits instead of answering 429. Its pieces: queries retried
// with backoff (retrying-query.ts), JSONEachRow pages (page.ts), the cursors and their file
// (cursor-store.ts), admission that waits (ingest/admit-waiting.ts). Its lag (now − each data
// source's cursor) is readable from the start, its cursors being known then.
import type { ClickHouseSourceConfig } from '../../config/types.ts'
import { admitWaiting } from '../../ingest/admit-waiting.ts'
import { createEntry } from '../../ingest/entry.ts'
import type { Logger } from '../../observe/log.ts'
import type { Counter } from '../../observe/metrics.ts'
import type { SourceLag } from '../../observe/source-lag.ts'
import type { Admission, RecordGroup } from '../../pipeline/admission.ts'
import type { WallClockParser } from '../../time/parse-wall-clock.ts'
import type { Clock } from '../../util/clock.ts'
import type { ClickHouseClient } from './client.ts'
import { createCursorStore } from './cursor-store.ts'
import { type PollContext, pollDataSource } from './poll-loop.ts'
import type { Cursor } from './query.ts'
import { createRetryingQuery } from './retrying-query.ts'

export { WINDOW_SECONDS } from './poll-loop.ts'
export { settleSeconds } from './settle.ts'

export interface SourceMetrics {
  readonly rows: Counter<'source' | 'data_source'>
  readonly queries: Counter<'source' | 'outcome'>
  readonly waits: Counter<'source'>
  readonly rejected: Counter<'data_source' | 'reason'>
  readonly received: Counter<'data_source'>
  readonly unknownFields: Counter<'data_source'>
  readonly lag: Pick<SourceLag, 'attach'>
}

export interface SourceDeps {
  readonly config: ClickHouseSourceConfig
  readonly client: ClickHouseClient
  /** The relay's admission (the same as HTTP ingest's). */
  readonly admit: (groups: readonly RecordGroup[]) => Admission
  /** Reserves a page's memory with the memory limiter: its release, or null while refused (default: always granted). */
  readonly reserve?: (bytes: number) => (() => void) | null
  /** Wall-clock text of the server's zone → µs (learned from `SELECT timezone()`). */
  readonly wallClock: (zone: string) => WallClockParser
  readonly clock: Clock
  readonly log: Logger
  readonly metrics: SourceMetrics
  readonly readTextFile: (path: string) => Promise<string>
  readonly writeTextFileAtomic: (path: string, text: string) => Promise<void>
}

export interface Source {
  readonly name: string
  start(): Promise<void>
  /** false while the last query of any data source failed. */
  healthy(): boolean
  cursors(): ReadonlyMap<string, Cursor>
  stop(): Promise<void>
}

export function createClickHouseSource(deps: SourceDeps): Source {
  const { config, clock, log, metrics } = deps
  const name = config.name
  const stop = new AbortController()
  const signal = stop.signal
  let loops: Promise<void>[] = []
  metrics.queries.touch(name, 'ok')
  metrics.queries.touch(name, 'error')
  metrics.waits.touch(name)

  const store = createCursorStore(deps)
  const queries = createRetryingQuery({ name, client: deps.client, clock, log, outcomes: metrics.queries, signal })
  const entry = createEntry(metrics)
  const waiting = { entry, admit: deps.admit, clock, signal, onWait: () => metrics.waits.inc([name]) }
  const poll: PollContext = {
    config,
    clock,
    log,
    signal,
    rows: metrics.rows,
    query: queries.query,
    cursors: store,
    entry,
    admit: (ds, records) => admitWaiting(waiting, ds, records),
    reserve: deps.reserve ?? (() => () => {}),
    onWait: waiting.onWait,
  }

  /** Learns the server's zone, then polls every data source until the source stops. */
  const run = async (): Promise<void> => {
    const zoneText = await queries.query('(timezone)', 'SELECT timezone() FORMAT TabSeparated')
    if (zoneText === undefined) return
    const wallClock = deps.wallClock(zoneText.trim())
    await Promise.all(config.dataSources.map((ds) =>
      pollDataSource(poll, ds, wallClock).catch((err: unknown) => {
        log.error('ClickHouse source stopped on an unexpected error (bug)', { source: name, data_source: ds, error: err })
      })
    ))
  }

  return {
    name,
    async start() {
      await store.load(Math.floor(clock.now() / 1000))
      metrics.lag.attach(name, () =>
        [...store.cursors].map(([dataSource, c]) => ({
          dataSource,
          cursorTime: c.time,
          lagSeconds: Math.max(0, clock.now() - c.time * 1000) / 1000,
        })))
      loops = [run()]
    },
    healthy: () => queries.failing() === 0,
    cursors: () => store.cursors,
    async stop() {
      stop.abort()
      await Promise.all(loops)
      await store.settled()
    },
  }
}
