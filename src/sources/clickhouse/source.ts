// The ClickHouse source: for each data source, reads pages of rows ordered by (time, tie) after its
// cursor from DeepFlow's ClickHouse (FORMAT JSONEachRow), feeds them through the same validation
// and admission as HTTP ingest, and only then moves and saves the cursor. Catching up runs as fast
// as the queues allow: when admission would answer 429, the source waits. Rows younger than a
// settle delay are left for a later poll, since DeepFlow writes them with some delay.
import type { ClickHouseSourceConfig } from '../../config/types.ts'
import { dataSource } from '../../deepflow/schema.ts'
import type { Logger } from '../../observe/log.ts'
import type { Counter } from '../../observe/metrics.ts'
import type { Admission, RecordGroup } from '../../pipeline/admission.ts'
import { compileNormalizer, type DeepFlowRecord } from '../../record/normalize.ts'
import type { WallClockParser } from '../../time/parse-wall-clock.ts'
import type { Clock } from '../../util/clock.ts'
import type { ClickHouseClient } from './client.ts'
import { parseCursorFile, renderCursorFile, type Cursors } from './cursor-file.ts'
import { describeQuery, pageQuery, TIE_COLUMN, tieExpression, type Cursor } from './query.ts'

/** Seconds of one query's time window (bounds the rows ClickHouse sorts per page). */
export const WINDOW_SECONDS = 3600

/** Rows younger than this are read by a later poll: per-minute tables are written after their minute. */
export function settleSeconds(ds: string): number {
  return ds.endsWith('.1m') ? 180 : 30
}

export interface SourceMetrics {
  readonly rows: Counter<'source' | 'data_source'>
  readonly queries: Counter<'source' | 'outcome'>
  readonly waits: Counter<'source'>
  readonly rejected: Counter<'data_source' | 'reason'>
  readonly received: Counter<'data_source'>
  readonly unknownFields: Counter<'data_source'>
}

export interface SourceDeps {
  readonly config: ClickHouseSourceConfig
  readonly client: ClickHouseClient
  /** The relay's admission (the same as HTTP ingest's). */
  readonly admit: (groups: readonly RecordGroup[]) => Admission
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

const BACKOFF_MIN_MS = 200
const BACKOFF_MAX_MS = 10_000

export function createClickHouseSource(deps: SourceDeps): Source {
  const { config, client, clock, log, metrics } = deps
  const name = config.name
  const stop = new AbortController()
  const cursors: Cursors = new Map()
  const failing = new Set<string>()
  let saving: Promise<void> = Promise.resolve()
  let loops: Promise<void>[] = []
  metrics.queries.touch(name, 'ok')
  metrics.queries.touch(name, 'error')
  metrics.waits.touch(name)

  const sleep = (ms: number) => clock.sleep(ms, stop.signal)

  /** A query, retried with backoff until it answers or the source stops. */
  const query = async (ds: string, sql: string): Promise<string | undefined> => {
    for (let delay = BACKOFF_MIN_MS; !stop.signal.aborted; delay = Math.min(delay * 2, BACKOFF_MAX_MS)) {
      const r = await client.query(sql, stop.signal)
      if (r.ok) {
        metrics.queries.inc([name, 'ok'])
        failing.delete(ds)
        return r.text
      }
      if (stop.signal.aborted) return undefined
      metrics.queries.inc([name, 'error'])
      failing.add(ds)
      log.warnOncePerBurst(`${name}:query`, 'ClickHouse query failed; retrying', { source: name, data_source: ds, error: r.error, retry_in_ms: delay })
      await sleep(delay)
    }
    return undefined
  }

  const save = (): Promise<void> => {
    const file = config.cursorFile
    if (file === null) return Promise.resolve()
    const text = renderCursorFile(cursors)
    saving = saving.then(() => deps.writeTextFileAtomic(file, text)).catch((err: unknown) => {
      log.error('cannot write the cursor file; a restart would repeat rows', { source: name, file, error: err })
    })
    return saving
  }

  /**
   * Admits the records in order, waiting while the queues are full: how many got in (a prefix),
   * all of them unless the source stopped first. A group larger than the queues is split.
   */
  const admitWaiting = async (ds: string, records: readonly DeepFlowRecord[]): Promise<number> => {
    for (let delay = 50; ; delay = Math.min(delay * 2, 2000)) {
      if (stop.signal.aborted) return 0
      const a = deps.admit([{ ds, records }])
      if (a.status === 'accepted') {
        metrics.received.inc([ds], records.length)
        return records.length
      }
      if (a.status === 'never') {
        if (records.length === 1) return 1 // cannot happen for one record: the exporter drops it as too large
        const half = Math.ceil(records.length / 2)
        const first = await admitWaiting(ds, records.slice(0, half))
        return first < half ? first : half + (await admitWaiting(ds, records.slice(half)))
      }
      metrics.waits.inc([name])
      await sleep(delay)
    }
  }

  const runDataSource = async (ds: string, wallClock: WallClockParser): Promise<void> => {
    const described = await query(ds, describeQuery(ds))
    if (described === undefined) return
    const columns = described.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { name: string }).name)
    const tie = tieExpression(columns)
    const normalize = compileNormalizer(dataSource(ds)!, { wallClock })
    const rowTime = (row: Record<string, unknown>): number => {
      const t = row.time
      if (typeof t === 'number') return t
      const us = typeof t === 'string' ? (wallClock(t) ?? Number(t) * 1e6) : Number.NaN
      return Math.floor(us / 1e6)
    }
    let cursor: Cursor = cursors.get(ds) ?? { time: config.since ?? Math.floor(clock.now() / 1000), tie: null }
    cursors.set(ds, cursor)
    while (!stop.signal.aborted) {
      const until = Math.min(cursor.time + WINDOW_SECONDS, Math.floor(clock.now() / 1000) - settleSeconds(ds))
      if (until <= cursor.time) {
        await sleep(config.interval * 1000)
        continue
      }
      const text = await query(ds, pageQuery({ dataSource: ds, tie, cursor, until, limit: config.batchRows }))
      if (text === undefined) return
      const rows = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>)
      metrics.rows.inc([name, ds], rows.length)
      const records: DeepFlowRecord[] = []
      /** The row each record came from. */
      const recordRows: Record<string, unknown>[] = []
      let unknown = 0
      for (const row of rows) {
        const { [TIE_COLUMN]: _tie, ...fields } = row
        const r = normalize(fields)
        if (r.ok) {
          records.push(r.record)
          recordRows.push(row)
          unknown += r.unknownKeys
        } else {
          metrics.rejected.inc([ds, r.field === 'time' && r.error === 'required field is missing' ? 'missing_field' : 'invalid_value'])
          log.warnOncePerBurst(`${name}:${ds}:rejected`, 'ClickHouse row rejected', { source: name, data_source: ds, field: r.field, error: r.error })
        }
      }
      if (unknown > 0) metrics.unknownFields.inc([ds], unknown)
      const admitted = records.length > 0 ? await admitWaiting(ds, records) : 0
      if (admitted < records.length) {
        // Stopped while part of a page was queued (a page larger than the queues goes in parts):
        // the cursor moves to the last queued row, so a restart does not repeat that part.
        if (admitted > 0) {
          const row = recordRows[admitted - 1]!
          cursors.set(ds, { time: rowTime(row), tie: String(row[TIE_COLUMN]) })
          await save()
        }
        return
      }
      const last = rows[rows.length - 1]
      cursor = rows.length === config.batchRows && last !== undefined
        ? { time: rowTime(last), tie: String(last[TIE_COLUMN]) }
        : { time: until, tie: null }
      cursors.set(ds, cursor)
      await save()
      if (rows.length < config.batchRows && until >= Math.floor(clock.now() / 1000) - settleSeconds(ds) - config.interval) {
        await sleep(config.interval * 1000)
      }
    }
  }

  return {
    name,
    async start() {
      if (config.cursorFile !== null) {
        let text: string | undefined
        try {
          text = await deps.readTextFile(config.cursorFile)
        } catch {
          text = undefined // no file yet: start from `since`
        }
        if (text !== undefined) {
          const parsed = parseCursorFile(text)
          if (!parsed.ok) throw new Error(`sources: ${name}: cursor-file ${config.cursorFile}: ${parsed.error}`)
          for (const [ds, c] of parsed.cursors) if (config.dataSources.includes(ds)) cursors.set(ds, c)
        }
      }
      loops = [(async () => {
        const zoneText = await query('(timezone)', 'SELECT timezone() FORMAT TabSeparated')
        if (zoneText === undefined) return
        const wallClock = deps.wallClock(zoneText.trim())
        await Promise.all(config.dataSources.map((ds) => runDataSource(ds, wallClock).catch((err: unknown) => {
          log.error('ClickHouse source stopped on an unexpected error (bug)', { source: name, data_source: ds, error: err })
        })))
      })()]
    },
    healthy: () => failing.size === 0,
    cursors: () => cursors,
    async stop() {
      stop.abort()
      await Promise.all(loops)
      await saving
    },
  }
}
