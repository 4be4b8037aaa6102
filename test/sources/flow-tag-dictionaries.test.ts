// The refresh loop of the ClickHouse names with a scripted client and a manual clock, for what a
// real ClickHouse does not do on demand (an error on the nth query, a map vanishing between two
// loads); flow-tag-names.test.ts runs it against the real server.
import test from 'node:test'
import assert from 'node:assert/strict'
import { createFlowTagDictionaries, FIRST_LOAD_WAIT_MS } from '../../src/sources/flow-tag-dictionaries.ts'
import type { QueryResult } from '../../src/sources/clickhouse/client.ts'
import { createLogger } from '../../src/observe/log.ts'
import { Registry } from '../../src/observe/metrics.ts'
import { createManualClock, settle } from '../helpers/manual-clock.ts'

const TABLES = /FROM `([^`]+)`\.`([^`]+)`/

function setup(
  answer: (database: string, table: string) => QueryResult | Promise<QueryResult>,
  opts: { database?: string | null; labels?: boolean } = {},
) {
  const clock = createManualClock()
  const queries: string[] = []
  const logs: Record<string, unknown>[] = []
  const registry = new Registry()
  const refreshes = registry.counter('r', 'r', ['outcome'])
  const names = createFlowTagDictionaries(
    { refresh: 60, database: opts.database ?? null, labels: () => (opts.labels === true ? () => true : null) },
    {
      client: {
        query: (sql) => {
          const [, db, table] = TABLES.exec(sql)!
          queries.push(`${db}.${table}`)
          return Promise.resolve(answer(db!, table!))
        },
      },
      clock,
      log: createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>), now: clock.now, level: 'debug' }),
      refreshes,
    },
  )
  return { clock, queries, logs, names, refreshes }
}

const ok = (text: string): QueryResult => ({ ok: true, text })
const POD = (name: string) => (_db: string, table: string) =>
  table === 'pod_map' ? ok(`153\t${name}\n`) : table === 'device_map' ? ok(`6\t5\thost-5\n`) : ok('')

test('a first load that fails leaves raw ids, is retried with backoff (1 s, 2 s, …) and counted, then names appear', async () => {
  let up = false
  const { clock, names, refreshes, logs } = setup((db, t) => (up ? POD('productpage')(db, t) : { ok: false, error: 'connection refused' }))
  const abort = new AbortController()
  await names.start(abort.signal)
  assert.equal(names.holder.current.ids('pod').get(153), undefined)
  assert.equal(names.ageSeconds(), Infinity)
  await clock.advance(1000)
  assert.equal(refreshes.get(['error']), 2)
  await clock.advance(1999)
  assert.equal(refreshes.get(['error']), 2)
  up = true
  await clock.advance(1)
  assert.equal(refreshes.get(['ok']), 1)
  assert.equal(names.holder.current.ids('pod').get(153), 'productpage')
  assert.equal(names.holder.current.deviceName(6, 5), 'host-5')
  assert.equal(names.ageSeconds(), 0)
  // One warning for the burst, then one line when the names came.
  assert.deepEqual(logs.map((l) => l.msg), [
    'universal-tags names not loaded from ClickHouse; ids stay raw until they are',
    'universal-tags names loaded again from ClickHouse',
  ])
  abort.abort()
})

test('a failed refresh keeps the last names and is retried no later than the next refresh', async () => {
  let answer = POD('v1')
  const { clock, names, refreshes } = setup((db, t) => answer(db, t))
  const abort = new AbortController()
  await names.start(abort.signal)
  answer = () => ({ ok: false, error: 'HTTP 500: overloaded' })
  await clock.advance(60_000)
  assert.equal(refreshes.get(['error']), 1)
  assert.equal(names.holder.current.ids('pod').get(153), 'v1')
  assert.equal(names.ageSeconds(), 60)
  assert.deepEqual(names.databases(), [{
    database: 'flow_tag',
    ageSeconds: 60,
    entries: 2,
    error: 'flow_tag.region_map: HTTP 500: overloaded',
  }])
  answer = POD('v2')
  await clock.advance(1000)
  assert.equal(names.holder.current.ids('pod').get(153), 'v2')
  assert.equal(names.ageSeconds(), 0)
  abort.abort()
})

test('a map ClickHouse lacks: never loaded, its ids stay raw; gone after a load, its last names stay', async () => {
  let podMap = true
  const { clock, names, refreshes } = setup((db, t) =>
    t === 'pod_map' && !podMap
      ? { ok: false, error: "HTTP 404: Code: 60, e.displayText() = DB::Exception: Table flow_tag.pod_map doesn't exist." }
      : t === 'gprocess_map'
      ? { ok: false, error: "HTTP 404: Code: 60, e.displayText() = DB::Exception: Table flow_tag.gprocess_map doesn't exist." }
      : POD('productpage')(db, t)
  )
  const abort = new AbortController()
  await names.start(abort.signal)
  assert.equal(refreshes.get(['ok']), 1)
  assert.equal(names.holder.current.ids('gprocess').get(1), undefined)
  podMap = false
  await clock.advance(60_000)
  assert.equal(refreshes.get(['ok']), 2)
  assert.equal(names.holder.current.ids('pod').get(153), 'productpage')
  abort.abort()
})

test('organisations: org N reads %04d_flow_tag from its first record on; past 1024 none; a pinned database serves every org', async () => {
  const { clock, names, queries } = setup((db, t) => POD(db)(db, t))
  const abort = new AbortController()
  await names.start(abort.signal)
  const forOrg = names.holder.forOrg!
  assert.equal(forOrg(12).ids('pod').get(153), undefined)
  await clock.advance(0)
  await settle()
  assert.equal(forOrg(12).ids('pod').get(153), '0012_flow_tag')
  assert.equal(names.holder.current.ids('pod').get(153), 'flow_tag')
  assert.equal(forOrg(1025).ids('pod').get(153), undefined)
  assert.ok(!queries.some((q) => q.startsWith('1025')))
  // pod_k8s_labels_map is read only when an exporter writes labels.
  assert.ok(!queries.some((q) => q.endsWith('pod_k8s_labels_map')))
  abort.abort()

  const pinned = setup((db, t) => POD(db)(db, t), { database: '0002_flow_tag', labels: true })
  await pinned.names.start(new AbortController().signal)
  assert.equal(pinned.names.holder.forOrg, undefined)
  assert.equal(pinned.names.holder.current.ids('pod').get(153), '0002_flow_tag')
  assert.ok(pinned.queries.includes('0002_flow_tag.pod_k8s_labels_map'))
})

test('a ClickHouse that does not answer holds the start up FIRST_LOAD_WAIT_MS at most; the names come when it answers', async () => {
  let answerNow: () => void = () => {}
  const answered = new Promise<void>((r) => (answerNow = r))
  const { clock, names } = setup(async (db, t) => {
    await answered
    return POD('late')(db, t)
  })
  const abort = new AbortController()
  let started = false
  void names.start(abort.signal).then(() => (started = true))
  await clock.advance(FIRST_LOAD_WAIT_MS - 1)
  assert.equal(started, false)
  await clock.advance(1)
  assert.equal(started, true)
  assert.equal(names.holder.current.ids('pod').get(153), undefined)
  answerNow()
  await settle()
  assert.equal(names.holder.current.ids('pod').get(153), 'late')
  abort.abort()
})
