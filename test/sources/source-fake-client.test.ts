// The ClickHouse source through a fake of its ClickHouseClient seam, on a manual clock: pages of
// rows admitted and the cursor saved after each, failing queries retried with backoff, full queues
// waited on, pages halved then waited on while the memory limiter refuses them, the cursor file read
// at start.
import test from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULTS } from '../../src/config/defaults.ts'
import type { ClickHouseSourceConfig } from '../../src/config/types.ts'
import { createLogger } from '../../src/observe/log.ts'
import { createRelayMetrics } from '../../src/observe/relay-metrics.ts'
import type { Admission, RecordGroup } from '../../src/pipeline/admission.ts'
import type { QueryResult } from '../../src/sources/clickhouse/client.ts'
import { nextRowQuery, pageQuery } from '../../src/sources/clickhouse/query.ts'
import { createClickHouseSource } from '../../src/sources/clickhouse/source.ts'
import { createWallClockParser } from '../../src/time/parse-wall-clock.ts'
import { createManualClock, settle } from '../helpers/manual-clock.ts'

const L7 = 'flow_log.l7_flow_log'
const BASE = 1715133600 // 2024-05-08 02:00:00 UTC
const FILE = '/var/lib/relay/cursor.json'
const TIMEZONE = 'SELECT timezone() FORMAT TabSeparated'
const DESCRIBE = 'DESCRIBE TABLE `flow_log`.`l7_flow_log` FORMAT JSONEachRow'
const COLUMNS = ['time', '_id', 'response_code'].map((name) => JSON.stringify({ name, type: 'x' })).join('\n') + '\n'

const wallClock = (t: number) => new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ')
const row = (t: number, id: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ time: wallClock(t), _id: String(id), response_code: 200, ...extra, __relay_tie: String(id) })
const page = (q: { time: number; tie: string | null; until: number }) =>
  pageQuery({ dataSource: L7, tie: '_id', cursor: { time: q.time, tie: q.tie }, until: q.until, limit: 2 })
const nextRow = (q: { time: number; until: number }) =>
  nextRowQuery({ dataSource: L7, tie: '_id', cursor: { time: q.time, tie: null }, until: q.until })

interface Setup {
  answer: (sql: string) => QueryResult
  admit?: (groups: readonly RecordGroup[]) => Admission
  reserve?: (bytes: number) => (() => void) | null
  files?: Record<string, string>
  config?: Partial<ClickHouseSourceConfig>
}

function setup(s: Setup) {
  // Two hours after BASE: a backfill from BASE reads two windows, then polls.
  const clock = createManualClock((BASE + 7200) * 1000)
  const sleeps: number[] = []
  const sleep = clock.sleep
  clock.sleep = (ms, signal) => (sleeps.push(ms), sleep(ms, signal))
  const metrics = createRelayMetrics()
  const logs: Record<string, unknown>[] = []
  const queries: string[] = []
  const admitted: { ds: string; records: number }[] = []
  const files: Record<string, string> = s.files ?? {}
  const saves: string[] = []
  const source = createClickHouseSource({
    config: {
      name: 'clickhouse-0',
      url: 'http://ch/',
      user: 'u',
      password: 'p',
      dataSources: [L7],
      interval: 10,
      since: BASE,
      batchRows: 2,
      cursorFile: FILE,
      settle: DEFAULTS.clickhouse.settle,
      ...s.config,
    },
    client: { query: (sql) => (queries.push(sql), Promise.resolve(s.answer(sql))) },
    admit: (groups) => {
      const a = s.admit?.(groups) ?? { status: 'accepted' }
      if (a.status === 'accepted') admitted.push(...groups.map((g) => ({ ds: g.ds, records: g.records.length })))
      return a
    },
    ...(s.reserve === undefined ? {} : { reserve: s.reserve }),
    wallClock: (zone) => createWallClockParser(zone),
    clock,
    log: createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>), now: clock.now, level: 'debug' }),
    metrics: {
      rows: metrics.sourceRows,
      queries: metrics.sourceQueries,
      waits: metrics.sourceWaits,
      rejected: metrics.rejected,
      received: metrics.received,
      unknownFields: metrics.unknownFields,
      lag: metrics.sourceLag,
    },
    readTextFile: (path) => (files[path] === undefined ? Promise.reject(new Error('ENOENT')) : Promise.resolve(files[path]!)),
    writeTextFileAtomic: (path, text) => {
      files[path] = text
      saves.push(text)
      return Promise.resolve()
    },
  })
  return { source, clock, sleeps, metrics, logs, queries, admitted, files, saves }
}

const cursorFile = (time: number, tie: string | null) =>
  `${JSON.stringify({ version: 1, data_sources: { [L7]: { time, tie } } }, null, 2)}\n`
const ok = (text: string): QueryResult => ({ ok: true, text })

test('pages of rows are admitted in order and the cursor is saved after each; a row the normaliser refuses is counted and logged', async () => {
  const pages: Record<string, string> = {
    [page({ time: BASE, tie: null, until: BASE + 3600 })]: `${row(BASE + 1, 11)}\n${row(BASE + 2, 12)}\n`,
    [page({ time: BASE + 2, tie: '12', until: BASE + 3602 })]: `${row(BASE + 3, 13, { response_code: 'many', not_a_field: 1 })}\n`,
    // Not a full page: the cursor moves to the window's end; the next window ends at now − 30 s (settle).
    [page({ time: BASE + 3602, tie: null, until: BASE + 7170 })]: '',
  }
  const t = setup({ answer: (sql) => ok(sql === TIMEZONE ? 'UTC\n' : sql === DESCRIBE ? COLUMNS : pages[sql] ?? `unexpected ${sql}`) })
  await t.source.start()
  await settle()
  assert.deepEqual(t.queries, [TIMEZONE, DESCRIBE, ...Object.keys(pages)])
  assert.deepEqual(t.admitted, [{ ds: L7, records: 2 }])
  assert.deepEqual(t.saves, [cursorFile(BASE + 2, '12'), cursorFile(BASE + 3602, null), cursorFile(BASE + 7170, null)])
  assert.deepEqual(t.sleeps, [10_000]) // caught up: the next poll after `interval`
  assert.equal(t.metrics.sourceRows.get(['clickhouse-0', L7]), 3)
  assert.equal(t.metrics.received.get([L7]), 2)
  assert.equal(t.metrics.rejected.get([L7, 'invalid_value']), 1)
  assert.equal(t.metrics.unknownFields.get([L7]), 0) // the refused row's unknown keys are not counted
  assert.deepEqual(t.logs.filter((l) => l.msg === 'ClickHouse row rejected').map(({ ts: _ts, ...l }) => l), [
    {
      level: 'warn',
      msg: 'ClickHouse row rejected',
      source: 'clickhouse-0',
      data_source: L7,
      field: 'response_code',
      error: 'expected a signed 32-bit integer, got "many"',
    },
  ])
  assert.equal(t.source.healthy(), true)
  // Caught up: the lag is the settle delay, then grows until the next poll.
  assert.deepEqual(t.metrics.sourceLag.read(), [{
    source: 'clickhouse-0',
    lags: [{ dataSource: L7, cursorTime: BASE + 7170, lagSeconds: 30 }],
  }])
  await t.clock.advance(2500)
  assert.deepEqual(t.metrics.sourceLag.read()[0]!.lags[0]!.lagSeconds, 32.5)
  await t.source.stop()
  assert.deepEqual(t.source.cursors(), new Map([[L7, { time: BASE + 7170, tie: null }]]))
})

test('an empty window short of the settle bound is followed by one query for the next row; the next window starts at its second', async () => {
  const pages: Record<string, string> = {
    [page({ time: BASE, tie: null, until: BASE + 3600 })]: '',
    // The bound: now (BASE + 7200) − 30 s of settle.
    [nextRow({ time: BASE + 3600, until: BASE + 7170 })]: `{"next_time":${BASE + 5000}}\n`,
    [page({ time: BASE + 5000, tie: null, until: BASE + 7170 })]: `${row(BASE + 5000, 1)}\n`,
  }
  const t = setup({ answer: (sql) => ok(sql === TIMEZONE ? 'UTC\n' : sql === DESCRIBE ? COLUMNS : pages[sql] ?? `unexpected ${sql}`) })
  await t.source.start()
  await settle()
  assert.deepEqual(t.queries, [TIMEZONE, DESCRIBE, ...Object.keys(pages)])
  assert.deepEqual(t.admitted, [{ ds: L7, records: 1 }])
  assert.deepEqual(t.saves, [cursorFile(BASE + 5000, null), cursorFile(BASE + 7170, null)])
  assert.deepEqual(t.sleeps, [10_000])
  await t.source.stop()

  // No row before the bound: the cursor jumps to the bound, and the loop polls after `interval`.
  const empty: Record<string, string> = {
    [page({ time: BASE, tie: null, until: BASE + 3600 })]: '',
    [nextRow({ time: BASE + 3600, until: BASE + 7170 })]: '',
  }
  const u = setup({ answer: (sql) => ok(sql === TIMEZONE ? 'UTC\n' : sql === DESCRIBE ? COLUMNS : empty[sql] ?? `unexpected ${sql}`) })
  await u.source.start()
  await settle()
  assert.deepEqual(u.queries, [TIMEZONE, DESCRIBE, ...Object.keys(empty)])
  assert.deepEqual(u.saves, [cursorFile(BASE + 7170, null)])
  assert.deepEqual(u.sleeps, [10_000])
  await u.source.stop()
})

test("the settle of the data source's kind bounds every query: no row younger than now − settle is read", async () => {
  const pages: Record<string, string> = {
    [page({ time: BASE, tie: null, until: BASE + 3600 })]: '',
    [nextRow({ time: BASE + 3600, until: BASE + 6600 })]: '',
  }
  const t = setup({
    config: { settle: { ...DEFAULTS.clickhouse.settle, flow_log: 600 } },
    answer: (sql) => ok(sql === TIMEZONE ? 'UTC\n' : sql === DESCRIBE ? COLUMNS : pages[sql] ?? `unexpected ${sql}`),
  })
  await t.source.start()
  await settle()
  assert.deepEqual(t.queries, [TIMEZONE, DESCRIBE, ...Object.keys(pages)])
  assert.deepEqual(t.saves, [cursorFile(BASE + 6600, null)])
  // A poll later (10 s), the next window reads up to the new bound.
  await t.clock.advance(10_000)
  assert.equal(t.queries[4], page({ time: BASE + 6600, tie: null, until: BASE + 6610 }))
  await t.source.stop()
})

test('a failing query is retried after 200, 400, 800 … 10000 ms; the source is unhealthy until it answers', async () => {
  let failures = 8
  const t = setup({
    answer: (sql) => (sql === TIMEZONE && failures-- > 0 ? { ok: false, error: 'HTTP 503: busy' } : ok(sql === TIMEZONE ? 'UTC' : '')),
  })
  await t.source.start()
  await settle()
  assert.equal(t.source.healthy(), false)
  await t.clock.advance(200 + 400 + 800 + 1600 + 3200 + 6400 + 10_000 + 10_000)
  assert.deepEqual(t.sleeps.slice(0, 8), [200, 400, 800, 1600, 3200, 6400, 10_000, 10_000])
  assert.equal(t.source.healthy(), true)
  assert.equal(t.metrics.sourceQueries.get(['clickhouse-0', 'error']), 8)
  // Logged once per 10 s burst: at 0 ms, at 12.6 s (5 suppressed), at 22.6 s.
  const failed = {
    level: 'warn',
    msg: 'ClickHouse query failed; retrying',
    source: 'clickhouse-0',
    data_source: '(timezone)',
    error: 'HTTP 503: busy',
  }
  assert.deepEqual(t.logs.filter((l) => l.msg === failed.msg).map(({ ts: _ts, ...l }) => l), [
    { ...failed, retry_in_ms: 200 },
    { ...failed, retry_in_ms: 10_000, suppressed_since_last: 5 },
    { ...failed, retry_in_ms: 10_000 },
  ])
  await t.source.stop()
})

test('while admission answers full the source waits 50, 100, 200 ms and tries again; nothing is refused or counted twice', async () => {
  let full = 3
  const t = setup({
    answer: (sql) =>
      ok(
        sql === TIMEZONE
          ? 'UTC'
          : sql === DESCRIBE
          ? COLUMNS
          : sql === page({ time: BASE, tie: null, until: BASE + 3600 })
          ? `${row(BASE, 1)}\n${row(BASE, 2)}\n`
          : '',
      ),
    admit: () => (full-- > 0 ? { status: 'full', exporter: 'stdout' } : { status: 'accepted' }),
  })
  await t.source.start()
  await settle()
  assert.deepEqual(t.admitted, [])
  await t.clock.advance(50 + 100 + 200)
  assert.deepEqual(t.sleeps.slice(0, 3), [50, 100, 200])
  assert.deepEqual(t.admitted, [{ ds: L7, records: 2 }])
  assert.equal(t.metrics.sourceWaits.get(['clickhouse-0']), 3)
  assert.equal(t.metrics.received.get([L7]), 2)
  assert.equal(t.metrics.refused.get([L7]), 0)
  assert.deepEqual(t.saves[0], cursorFile(BASE, '2'))
  await t.source.stop()
})

test('a page the memory limiter refuses is halved (down to 100 rows), then waited for; its memory is released once it is queued; full pages double it back', async () => {
  const limitOf = (sql: string) => Number(/LIMIT (\d+)/.exec(sql)?.[1])
  const asked: number[] = []
  let held = 0
  let pages = 0
  const t = setup({
    config: { batchRows: 400 },
    // Room for 150 rows of 2048 bytes × 6 (the cost of a page before one told its row size).
    reserve: (bytes) => {
      asked.push(bytes / (2048 * 6))
      if (bytes > 150 * 2048 * 6 || held > 0) return null
      held++
      return () => held--
    },
    answer: (sql) => {
      if (sql === TIMEZONE) return ok('UTC')
      if (sql === DESCRIBE) return ok(COLUMNS)
      // The first page is full; then the window holds no more.
      return ok(pages++ === 0 ? Array.from({ length: limitOf(sql) }, (_, i) => row(BASE + 1, i + 1)).join('\n') : '')
    },
  })
  await t.source.start()
  await settle()
  // 400 rows: refused; 200: refused; 100: granted (queried with LIMIT 100), released after queueing.
  assert.deepEqual(asked.slice(0, 3), [400, 200, 100])
  assert.equal(limitOf(t.queries[2]!), 100)
  assert.deepEqual(t.admitted[0], { ds: L7, records: 100 })
  assert.equal(held, 0)
  // Its rows told their size (~60 bytes): a full page doubles the next one, which fits.
  assert.equal(limitOf(t.queries[3]!), 200)
  await t.source.stop()
})

test('at 100 rows a refused page waits 50, 100 … ms (counted in source waits) until the limiter grants it', async () => {
  let refusals = 3
  const t = setup({
    config: { batchRows: 100 },
    reserve: () => (refusals-- > 0 ? null : () => {}),
    answer: (sql) => ok(sql === TIMEZONE ? 'UTC' : sql === DESCRIBE ? COLUMNS : ''),
  })
  await t.source.start()
  await settle()
  assert.equal(t.queries.length, 2, 'no page queried while refused')
  await t.clock.advance(50 + 100 + 200)
  assert.deepEqual(t.sleeps.slice(0, 3), [50, 100, 200])
  assert.equal(t.metrics.sourceWaits.get(['clickhouse-0']), 3)
  assert.match(t.queries[2]!, /LIMIT 100 /)
  await t.source.stop()
})

test('the cursor file says where to start; stopped while waiting, the cursor stays where it was', async () => {
  const t = setup({
    files: {
      [FILE]: cursorFile(BASE + 600, '7').replace(
        '"data_sources": {',
        '"data_sources": {\n    "flow_log.other": { "time": 1, "tie": null },',
      ),
    },
    answer: (sql) => ok(sql === TIMEZONE ? 'UTC' : sql === DESCRIBE ? COLUMNS : `${row(BASE + 601, 8)}\n`),
    admit: () => ({ status: 'full', exporter: 'stdout' }),
  })
  await t.source.start()
  // The lag is known from the start: the cursor file's position, before any query answered.
  assert.match(
    t.metrics.registry.render(),
    /\ndeepflow_relay_source_lag_seconds\{source="clickhouse-0",data_source="flow_log\.l7_flow_log"\} 6600\n/,
  )
  await settle()
  assert.equal(t.queries[2], page({ time: BASE + 600, tie: '7', until: BASE + 4200 }))
  await t.source.stop()
  assert.deepEqual(t.saves, [])
  assert.deepEqual(t.source.cursors(), new Map([[L7, { time: BASE + 600, tie: '7' }]]))
})

test('without a cursor file or since, every data source starts at the start: lag 0, growing while ClickHouse does not answer', async () => {
  const t = setup({ config: { since: null, cursorFile: null }, answer: () => ({ ok: false, error: 'HTTP 503: busy' }) })
  await t.source.start()
  assert.deepEqual(t.source.cursors(), new Map([[L7, { time: BASE + 7200, tie: null }]]))
  assert.deepEqual(t.metrics.sourceLag.read(), [{
    source: 'clickhouse-0',
    lags: [{ dataSource: L7, cursorTime: BASE + 7200, lagSeconds: 0 }],
  }])
  await t.clock.advance(5000)
  assert.deepEqual(t.metrics.sourceLag.read()[0]!.lags[0]!.lagSeconds, 5)
  await t.source.stop()
})

test('a cursor file that is not one stops the start with the reason', async () => {
  const t = setup({ files: { [FILE]: '{"version": 2}' }, answer: () => ok('') })
  await assert.rejects(t.source.start(), { message: /^sources: clickhouse-0: cursor-file \/var\/lib\/relay\/cursor.json: version: / })
  assert.deepEqual(t.queries, [])
})
