// The ClickHouse source's loop for one data source: learns the table's columns, then reads pages of
// rows ordered by (time, tie) after its cursor, one time window at a time, feeds their records
// through the ingest core's entry (waiting while the queues are full), and only then moves and saves
// the cursor. Catching up runs as fast as the queues allow; an empty window is followed by one
// query for the next row's time, where the next window starts (a backfill from years ago does not
// read an empty hour at a time). Once caught up it polls every `interval`. Rows younger than a
// settle delay (the source's `settle`, settle.ts) are left for a later poll, since DeepFlow writes
// them with some delay: no query reads past now − settle. Ends when the source stops.
// A page's memory is reserved with the memory limiter before it is queried (what its text, records
// and encoded items cost: PAGE_COST_FACTOR × its rows × the bytes a row took in the last page) and
// released once the page is queued. When the limiter refuses, the page is halved (down to
// MIN_PAGE_ROWS), then the loop waits; each full page after that doubles it back towards batch-rows.
import type { ClickHouseSourceConfig } from '../../config/types.ts'
import { dataSource } from '../../deepflow/schema.ts'
import type { Entry } from '../../ingest/entry.ts'
import type { Logger } from '../../observe/log.ts'
import type { Counter } from '../../observe/metrics.ts'
import { ADMIT_WAIT_BACKOFF } from '../../ingest/admit-waiting.ts'
import { backoffDelay } from '../../pipeline/backoff.ts'
import { compileNormalizer, type DeepFlowRecord } from '../../record/normalize.ts'
import type { WallClockParser } from '../../time/parse-wall-clock.ts'
import type { Clock } from '../../util/clock.ts'
import type { CursorStore } from './cursor-store.ts'
import { cursorAfterPage, cursorAtNextRow, describedColumns, type Page, readPage } from './page.ts'
import { type Cursor, describeQuery, nextRowQuery, pageQuery, tieExpression } from './query.ts'
import { settleSeconds } from './settle.ts'

/** Seconds of one query's time window (bounds the rows ClickHouse sorts per page). */
export const WINDOW_SECONDS = 3600

/** What a page costs while it is read and queued, per byte of its JSONEachRow text (as an NDJSON body). */
export const PAGE_COST_FACTOR = 6
/** A row's bytes before a page told them (DeepFlow's flow-metrics rows as JSON are 1–3 kB). */
export const ASSUMED_ROW_BYTES = 2048
/** The smallest page the memory limiter halves a page to. */
export const MIN_PAGE_ROWS = 100

export interface PollContext {
  readonly config: ClickHouseSourceConfig
  readonly clock: Clock
  readonly log: Logger
  readonly signal: AbortSignal
  readonly rows: Counter<'source' | 'data_source'>
  /** A query, retried until it answers; undefined once the source stopped. */
  readonly query: (ds: string, sql: string) => Promise<string | undefined>
  readonly cursors: CursorStore
  /** Counts what the normalize step refused and ignored. */
  readonly entry: Entry
  /** Admits records in order, waiting while the queues are full: how many got in (a prefix). */
  readonly admit: (ds: string, records: readonly DeepFlowRecord[]) => Promise<number>
  /** Reserves a page's memory: its release, or null while the memory limiter refuses that much. */
  readonly reserve: (bytes: number) => (() => void) | null
  /** Called before each wait for memory. */
  readonly onWait: () => void
}

export async function pollDataSource(ctx: PollContext, ds: string, wallClock: WallClockParser): Promise<void> {
  const { config, clock, log, signal, cursors } = ctx
  const name = config.name
  const sleep = (seconds: number) => clock.sleep(seconds * 1000, signal)
  const now = () => Math.floor(clock.now() / 1000)
  const described = await ctx.query(ds, describeQuery(ds))
  if (described === undefined) return
  const tie = tieExpression(describedColumns(described))
  const normalize = compileNormalizer(dataSource(ds)!, { wallClock })
  const settle = settleSeconds(config.settle, ds)
  let cursor: Cursor = cursors.cursors.get(ds) ?? { time: config.since ?? now(), tie: null }
  /** Rows per page now: batch-rows, less while the memory limiter refuses a page that large. */
  let limit = config.batchRows
  let rowBytes = ASSUMED_ROW_BYTES
  /** The page's memory, reserved: halving the page while refused, then waiting; undefined once stopped. */
  const reservePage = async (): Promise<(() => void) | undefined> => {
    for (let waits = 0; !signal.aborted;) {
      const release = ctx.reserve(limit * rowBytes * PAGE_COST_FACTOR)
      if (release !== null) return release
      if (limit > MIN_PAGE_ROWS) {
        limit = Math.max(MIN_PAGE_ROWS, Math.floor(limit / 2))
        continue
      }
      ctx.onWait()
      await clock.sleep(backoffDelay(ADMIT_WAIT_BACKOFF, waits++, clock.random), signal)
    }
    return undefined
  }
  cursors.cursors.set(ds, cursor)
  while (!signal.aborted) {
    /** Rows from here on are too young to read yet. */
    const bound = now() - settle
    const until = Math.min(cursor.time + WINDOW_SECONDS, bound)
    if (until <= cursor.time) {
      await sleep(config.interval)
      continue
    }
    const release = await reservePage()
    if (release === undefined) return
    let page: Page
    try {
      const text = await ctx.query(ds, pageQuery({ dataSource: ds, tie, cursor, until, limit }))
      if (text === undefined) return
      page = readPage(text, normalize, wallClock)
      if (page.rows > 0) rowBytes = Math.max(1, Math.ceil(text.length / page.rows))
      ctx.rows.inc([name, ds], page.rows)
      ctx.entry.count(ds, { reasons: page.refused.map((r) => r.reason), unknownFields: page.unknownFields })
      for (const { field, error } of page.refused) {
        log.warnOncePerBurst(`${name}:${ds}:rejected`, 'ClickHouse row rejected', { source: name, data_source: ds, field, error })
      }
      const admitted = page.records.length > 0 ? await ctx.admit(ds, page.records) : 0
      if (admitted < page.records.length) {
        // Stopped while part of a page was queued (a page larger than the queues goes in parts):
        // the cursor moves to the last queued row, so a restart does not repeat that part.
        if (admitted > 0) {
          cursors.cursors.set(ds, page.cursors[admitted - 1]!)
          await cursors.save()
        }
        return
      }
    } finally {
      release()
    }
    cursor = cursorAfterPage(page, limit, until)
    /** Read up to (about) the bound: the next poll is after `interval`. */
    let caughtUp = page.rows < limit && until >= now() - settle - config.interval
    if (page.rows === 0 && until < bound) {
      // An empty window short of the bound: one query finds the next row's second (or none before
      // the bound), instead of one more window per hour of empty time.
      const next = await ctx.query(ds, nextRowQuery({ dataSource: ds, tie, cursor, until: bound }))
      if (next === undefined) return
      cursor = cursorAtNextRow(next, bound)
      caughtUp = cursor.time === bound
    }
    cursors.cursors.set(ds, cursor)
    await cursors.save()
    if (page.rows === limit) limit = Math.min(config.batchRows, limit * 2)
    if (caughtUp) await sleep(config.interval)
  }
}
