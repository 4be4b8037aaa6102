// The ClickHouse source against a real ClickHouse (Debian's clickhouse-server, started by
// scripts/services/clickhouse.ts) with tables shaped like DeepFlow's.
import test, { after } from 'node:test'
import assert from 'node:assert/strict'
import { createManualClock, createRealClock, until } from '../helpers/manual-clock.ts'
import { startHarness } from '../helpers/relay-harness.ts'
import { startClickHouse } from '../../scripts/services/clickhouse.ts'
import { freePort } from '../../scripts/services/process.ts'

const ch = await startClickHouse()
after(() => ch.stop())

await ch.query('CREATE DATABASE flow_log')
await ch.query('CREATE DATABASE flow_metrics')
// DeepFlow's column names and ClickHouse types, as far as ClickHouse 18.16 has them: ip4 as UInt32
// or String (no IPv4 type), end_time as UInt64 µs (no DateTime64).
await ch.query(`CREATE TABLE flow_log.l7_flow_log (
  time DateTime, _id UInt64, l7_protocol UInt8, endpoint String, ip4_0 UInt32, ip4_1 String,
  response_code Nullable(Int32), request_id Nullable(UInt64), end_time UInt64, pod_id_0 UInt32,
  attribute_names Array(String), _trace_id_2 String, signal_source UInt16
) ENGINE = MergeTree ORDER BY (time, _id)`)
await ch.query(`CREATE TABLE flow_metrics.\`network.1m\` (
  time DateTime, ip4 UInt32, region_id UInt16, l3_epc_id Int32, protocol UInt8, byte_tx UInt64, rtt_max UInt32,
  server_port UInt16, _tid UInt8
) ENGINE = MergeTree ORDER BY time`)

const BASE = 1715133600
const L7_ROWS = 57
const NET_ROWS = 23
// Several rows share a second, so the cursor must break ties inside a second.
const l7 = Array.from(
  { length: L7_ROWS },
  (_, i) =>
    `(${BASE + Math.floor(i / 4)}, ${18446744073709551000n + BigInt(i)}, 20, '/r/${i}', ${167838211 + i}, '10.9.9.${i}', ${
      i % 3 === 0 ? 'NULL' : 200
    }, NULL, ${(BASE + Math.floor(i / 4)) * 1_000_000 + i}, 153, ['a${i}'], 'tr${i}', 3)`,
)
await ch.query(`INSERT INTO flow_log.l7_flow_log VALUES ${l7.join(', ')}`)
const net = Array.from(
  { length: NET_ROWS },
  (_, i) => `(${BASE + 60 * Math.floor(i / 5)}, ${167838211 + i}, 1, -2, 6, ${1000 + i}, ${i}, 9080, 1)`,
)
await ch.query(`INSERT INTO flow_metrics.\`network.1m\` VALUES ${net.join(', ')}`)

function config(url: string, extra = ''): string {
  return `sources:
  - clickhouse:
      url: ${url}
      data-sources: [flow_log.l7_flow_log, flow_metrics.network.1m]
      since: ${BASE - 3600}
      batch-rows: 10
      interval: 0.1
      cursor-file: /var/lib/relay/cursor.json
${extra}
exporters:
  - {protocol: stdout, enabled: true, data-sources: [flow_log.l7_flow_log, flow_metrics.network.1m], export-fields: [$tag, $metrics], flush-timeout: 0.02, queue-count: 1}
`
}

const l7Line = (i: number) => {
  const t = BASE + Math.floor(i / 4)
  const code = i % 3 === 0 ? '' : ',"response_code":200'
  return `{"datasource":"flow_log.l7_flow_log","_id":${
    18446744073709551000n + BigInt(i)
  },"l7_protocol":"HTTP","end_point":"/r/${i}"${code},"trace_id_2":"tr${i}","attribute_names":["a${i}"],"time":${t},"ip4_0":"${`10.1.2.${
    3 + i
  }`}","ip4_1":"10.9.9.${i}","signal_source":"eBPF","end_time":${t * 1_000_000 + i},"pod_id_0":153,"time_str":"${
    new Date(t * 1000).toISOString().replace('T', ' ').replace('.000Z', '')
  }.${String(i).padStart(6, '0').replace(/0+$/, '')} +0000 UTC"}`.replace('.0 +0000', ' +0000').replace('. +0000', ' +0000')
}

test('a backfill delivers every row exactly once across a relay restart in the middle', { timeout: 120_000 }, async () => {
  const files: Record<string, string> = {}
  // The first relay's output stalls after 25 lines, so its small queue fills and the source waits
  // in the middle of the backfill (catching up, it would otherwise read all 80 rows between two
  // looks of the test); then it is stopped and its queue drains.
  const small = config(ch.url).replace('queue-count: 1}', 'queue-count: 1, queue-size: 5, batch-size: 5}')
  const first = await startHarness(small, { files, clock: createRealClock() })
  let release = () => {}
  const stalled = new Promise<void>((r) => (release = r))
  first.setWriter(async (text) => {
    first.stdout.push(text)
    if (first.lines().length >= 25) await stalled
  })
  await until(
    () => first.lines().length >= 25 && (first.metric('deepflow_relay_source_waits_total{source="clickhouse-0"}') ?? 0) > 0,
    'part of the backfill, then the source waiting',
    30_000,
  )
  const stopped = first.relay.stop()
  release()
  await stopped
  const firstLines = first.lines()
  assert.ok(firstLines.length >= 25 && firstLines.length < L7_ROWS + NET_ROWS, `stopped in the middle: ${firstLines.length} lines`)
  const cursor = JSON.parse(files['/var/lib/relay/cursor.json']!) as {
    version: number
    data_sources: Record<string, { time: number; tie: string | null }>
  }
  assert.equal(cursor.version, 1)

  const second = await startHarness(config(ch.url), { files, clock: createRealClock() })
  await until(() => firstLines.length + second.lines().length >= L7_ROWS + NET_ROWS, 'the rest of the backfill', 30_000)
  await new Promise((r) => setTimeout(r, 500))
  await second.relay.stop()
  const all = [...firstLines, ...second.lines()]
  const l7Lines = all.filter((l) => l.includes('"flow_log.l7_flow_log"'))
  const netLines = all.filter((l) => l.includes('"flow_metrics.network.1m"'))
  assert.equal(l7Lines.length, L7_ROWS)
  assert.equal(netLines.length, NET_ROWS)
  assert.deepEqual([...l7Lines].sort(), Array.from({ length: L7_ROWS }, (_, i) => l7Line(i)).sort())
  assert.deepEqual(
    netLines.map((l) => Number(/"byte_tx":(\d+)/.exec(l)![1])).sort((a, b) => a - b),
    Array.from({ length: NET_ROWS }, (_, i) => 1000 + i),
  )
  // region_id has no name without a dictionary: raw id, same key; l3_epc_id -2 (Internet) likewise.
  assert.equal(
    netLines.find((l) => l.includes('"byte_tx":1000,')),
    `{"datasource":"flow_metrics.network.1m","time":${BASE},"byte_tx":1000,"rtt_max":0,"ip4":"10.1.2.3","l3_epc_id":-2,"region_id":1,"protocol":"TCP","server_port":9080,"time_str":"2024-05-08 02:00:00 +0000 UTC"}`,
  )
  assert.equal(
    second.metric('deepflow_relay_records_received_total{data_source="flow_log.l7_flow_log"}')! +
      first.metric('deepflow_relay_records_received_total{data_source="flow_log.l7_flow_log"}')!,
    L7_ROWS,
  )
  assert.ok(
    first.metric('deepflow_relay_unknown_fields_total{data_source="flow_metrics.network.1m"}')! > 0,
    '_tid is not an exporter field',
  )
})

test(
  'while the queues are full the source waits instead of dropping; everything arrives once they drain',
  { timeout: 60_000 },
  async () => {
    const yaml = config(ch.url).replace('cursor-file: /var/lib/relay/cursor.json', 'cursor-file: /c2.json').replace(
      'queue-count: 1}',
      'queue-count: 1, queue-size: 5, batch-size: 5}',
    )
    const h = await startHarness(yaml, { clock: createRealClock() })
    let release = () => {}
    const blocked = new Promise<void>((r) => (release = r))
    const written: string[] = []
    h.setWriter(async (text) => {
      await blocked
      written.push(text)
    })
    await until(() => (h.metric('deepflow_relay_source_waits_total{source="clickhouse-0"}') ?? 0) > 3, 'the source waiting', 20_000)
    assert.equal(h.metric('deepflow_relay_records_refused_total{data_source="flow_log.l7_flow_log"}'), 0)
    release()
    await until(() => written.join('').split('\n').filter((l) => l !== '').length >= L7_ROWS + NET_ROWS, 'all rows', 30_000)
    await h.relay.stop()
    assert.equal(written.join('').split('\n').filter((l) => l !== '').length, L7_ROWS + NET_ROWS)
  },
)

test('ClickHouse down: queries are retried, /readyz says so, the relay keeps serving', { timeout: 30_000 }, async () => {
  const h = await startHarness(config(`http://127.0.0.1:${await freePort()}/`), { clock: createRealClock() })
  await until(
    () => (h.metric('deepflow_relay_source_queries_total{source="clickhouse-0",outcome="error"}') ?? 0) >= 2,
    'failed queries',
    20_000,
  )
  const ready = await h.relay.app.request('/readyz')
  assert.equal(ready.status, 503)
  assert.match(((await ready.json()) as { reason: string }).reason, /ClickHouse queries failing for source\(s\): clickhouse-0/)
  assert.equal((await h.relay.app.request('/healthz')).status, 200)
  await h.relay.stop()
})

const JUMP_DS = 'flow_metrics.network.1s'
const NOW = BASE + 40 * 86400
/** The relay of the jump test: a backfill from five years before the rows, 40 s of settle for *.1s tables. */
const JUMP_CONFIG = `sources:
  - clickhouse:
      url: ${ch.url}
      data-sources: [${JUMP_DS}]
      since: ${BASE - 5 * 365 * 86400}
      batch-rows: 5
      interval: 60
      cursor-file: /c3.json
      settle: {1s: 40, 1m: 0}
exporters:
  - {protocol: stdout, enabled: true, data-sources: [${JUMP_DS}], export-fields: [$metrics], flush-timeout: 0.02, queue-count: 1}
`

test('a backfill from years before the rows jumps over empty time: a few queries, every row once and in order, none younger than settle', {
  timeout: 60_000,
}, async () => {
  await ch.query(`CREATE TABLE flow_metrics.\`network.1s\` (
    time DateTime, ip4 UInt32, region_id UInt16, l3_epc_id Int32, protocol UInt8, byte_tx UInt64, rtt_max UInt32, server_port UInt16
  ) ENGINE = MergeTree ORDER BY time`)
  // Three clusters with empty days between them: 12 rows within two minutes, 7 rows ten minutes
  // apart (across two windows), and four rows near now, two of them not older than settle (40 s).
  const times = [
    ...Array.from({ length: 12 }, (_, i) => BASE + 10 * 86400 + 7 * i),
    ...Array.from({ length: 7 }, (_, i) => BASE + 25 * 86400 + 7200 + 600 * i),
    NOW - 45,
    NOW - 41,
    NOW - 40,
    NOW - 10,
  ]
  const values = times.map((t, i) => `(${t}, 167838211, 1, 3, 6, ${2000 + i}, 1, 80)`)
  await ch.query(`INSERT INTO flow_metrics.\`network.1s\` VALUES ${values.join(', ')}`)
  const h = await startHarness(JUMP_CONFIG, { clock: createManualClock(NOW * 1000) })
  const cursor = () => h.relay.sources[0]!.cursors().get(JUMP_DS)
  const okQueries = () => h.metric('deepflow_relay_source_queries_total{source="clickhouse-0",outcome="ok"}')
  const sent = () => h.lines().map((l) => Number(/"byte_tx":(\d+)/.exec(l)![1]) - 2000)
  const lag = () => h.metric(`deepflow_relay_source_lag_seconds{source="clickhouse-0",data_source="${JUMP_DS}"}`)
  await until(() => cursor()?.time === NOW - 40, 'the cursor at now − settle', 30_000)
  assert.equal(lag(), 40)
  await h.clock.advance(20) // the exporter's flush-timeout
  // timezone; describe; the first window (empty) and the next row; three pages of the first
  // cluster, an empty window and the next row; two pages of the second (the second one's window
  // starts at the first one's last row), an empty window and the next row; one page up to the
  // bound. An hour at a time (before the jump) it took 44,765 queries and 42 s.
  assert.equal(okQueries(), 14)
  assert.deepEqual(sent(), Array.from({ length: 21 }, (_, i) => i))
  assert.deepEqual(cursor(), { time: NOW - 40, tie: null })
  // A minute later the two younger rows are old enough.
  await h.clock.advance(60_000)
  await until(() => cursor()?.time === NOW + 20, 'the next poll', 30_000)
  assert.equal(lag(), 40.02) // now is NOW + 60.02 s
  await h.clock.advance(20)
  assert.equal(okQueries(), 15)
  assert.deepEqual(sent(), Array.from({ length: 23 }, (_, i) => i))
  await h.relay.stop()
})
