import test from 'node:test'
import assert from 'node:assert/strict'
import { startHarness } from '../helpers/relay-harness.ts'
import { until } from '../helpers/manual-clock.ts'
import { freePort } from '../../scripts/services/process.ts'

const DS = 'flow_metrics.network.1m'

test('GET /v1/status: exporters with endpoints up or down, queue fill, rates over the last minute, drops', async () => {
  const dead = `http://127.0.0.1:${await freePort()}/api/v1/write`
  const h = await startHarness(`exporters:
  - {protocol: stdout, enabled: true, name: out, data-sources: [${DS}], export-fields: [$metrics], queue-count: 1, flush-timeout: 1}
  - {protocol: prometheus, enabled: true, name: rw, endpoints: [${dead}], data-sources: [${DS}], export-fields: [byte_tx], queue-count: 1, request-timeout: 60}
`)
  for (let i = 0; i < 10; i++) await h.post(DS, JSON.stringify({ time: 1715133600 + i, byte_tx: i }))
  await h.clock.advance(1000)
  await until(() => (h.metric('deepflow_relay_send_retries_total{exporter="rw"}') ?? 0) >= 1, 'a failed remote write')
  await h.clock.advance(4000)
  const res = await h.relay.app.request('/v1/status')
  assert.equal(res.status, 200)
  const s = (await res.json()) as {
    version: string
    ready: boolean
    not_ready_reason: string
    uptime_s: number
    config_file: string
    exporters: {
      name: string
      protocol: string
      up: boolean
      endpoints: { endpoint: string; up: boolean; last_error: string | null }[]
      queue: { records: number; capacity_records: number }
      rate: { in_per_s: number; out_per_s: number }
      sent: number
      dropped: Record<string, number>
    }[]
  }
  assert.equal(s.version, '0.1.0')
  assert.equal(s.config_file, 'test.yaml')
  assert.equal(s.uptime_s, 5)
  assert.equal(s.ready, false)
  assert.match(s.not_ready_reason, /rw/)
  const [out, rw] = s.exporters
  assert.deepEqual({
    name: out!.name,
    protocol: out!.protocol,
    up: out!.up,
    endpoints: out!.endpoints,
    sent: out!.sent,
    queue: out!.queue.records,
  }, { name: 'out', protocol: 'stdout', up: true, endpoints: [{ endpoint: 'stdout', up: true, last_error: null }], sent: 10, queue: 0 })
  assert.deepEqual(out!.rate, { in_per_s: 2, out_per_s: 2 })
  assert.equal(rw!.up, false)
  assert.equal(rw!.endpoints[0]!.endpoint, dead)
  assert.equal(rw!.endpoints[0]!.up, false)
  assert.match(rw!.endpoints[0]!.last_error!, /connection error/)
  assert.equal(rw!.queue.records, 10)
  assert.equal(rw!.queue.capacity_records, 100000)
  assert.deepEqual(rw!.rate, { in_per_s: 2, out_per_s: 0 })
  assert.equal(rw!.dropped.retries_exhausted, 0)
})

test('GET / serves the self-contained status page; with a token it follows protect-metrics', async () => {
  const h = await startHarness(`exporters:\n  - {protocol: stdout, enabled: true, data-sources: [${DS}], export-fields: [$metrics]}\n`)
  const page = await h.relay.app.request('/')
  assert.equal(page.status, 200)
  assert.match(page.headers.get('content-type')!, /^text\/html/)
  const html = await page.text()
  assert.match(html, /<title>deepflow-relay<\/title>/)
  assert.doesNotMatch(html, /https?:\/\/(?!127)/, 'no CDN or external resource')
  const locked = await startHarness(
    `relay:\n  auth-token: 0123456789abcdef0123\nexporters:\n  - {protocol: stdout, enabled: true, data-sources: [${DS}], export-fields: [$metrics]}\n`,
  )
  assert.equal((await locked.relay.app.request('/')).status, 401)
  assert.equal((await locked.relay.app.request('/v1/status')).status, 401)
  assert.equal((await locked.relay.app.request('/v1/status', { headers: { Authorization: 'Bearer 0123456789abcdef0123' } })).status, 200)
})

test('GET /v1/tap is served by the relay app: the next record an exporter takes, as it will be sent', async () => {
  const h = await startHarness(
    `exporters:\n  - {protocol: stdout, enabled: true, name: out, data-sources: [${DS}], export-fields: [$metrics], queue-count: 1}\n`,
  )
  const tap = await h.relay.app.request('/v1/tap?exporter=out&limit=1')
  assert.equal(tap.status, 200)
  await h.post(DS, JSON.stringify({ time: 1715133600, byte_tx: 7 }))
  assert.equal(await tap.text(), '{"datasource":"flow_metrics.network.1m","byte_tx":7,"time_str":"2024-05-08 02:00:00 +0000 UTC"}\n')
  assert.equal((await h.relay.app.request('/v1/tap?exporter=nope')).status, 404)
})

test("GET /v1/status: Kafka brokers and stdout share their exporter's health; only remote-write endpoints have deepflow_relay_endpoint_up", async () => {
  const h = await startHarness(`exporters:
  - {protocol: kafka, enabled: true, name: k, endpoints: ["k1:9092", "k2:9092"], data-sources: [${DS}], export-fields: [$metrics]}
  - {protocol: stdout, enabled: true, name: out, data-sources: [${DS}], export-fields: [$metrics]}
  - {protocol: prometheus, enabled: true, name: rw, endpoints: [http://127.0.0.1:1/w], data-sources: [${DS}], export-fields: [byte_tx]}
`)
  const s = (await (await h.relay.app.request('/v1/status')).json()) as { exporters: { name: string; endpoints: unknown[] }[] }
  assert.deepEqual(s.exporters.map((e) => [e.name, e.endpoints]), [
    ['k', [{ endpoint: 'k1:9092', up: true, last_error: null }, { endpoint: 'k2:9092', up: true, last_error: null }]],
    ['out', [{ endpoint: 'stdout', up: true, last_error: null }]],
    ['rw', [{ endpoint: 'http://127.0.0.1:1/w', up: true, last_error: null }]],
  ])
  const metrics = await (await h.relay.app.request('/metrics')).text()
  assert.deepEqual(metrics.split('\n').filter((l) => l.startsWith('deepflow_relay_endpoint_up')), [
    'deepflow_relay_endpoint_up{exporter="rw",endpoint="http://127.0.0.1:1/w"} 1',
  ])
})

test('GET /v1/status and /metrics: each ClickHouse source data source with its cursor time and lag, from the start (ClickHouse down)', async () => {
  const START = 1_700_000_000 // the harness clock's start, in seconds
  const cursorFile = JSON.stringify({ version: 1, data_sources: { [DS]: { time: START - 600, tie: '5' } } })
  const down = `http://127.0.0.1:${await freePort()}/`
  const since = START - 3600
  const yaml = `sources:
  - clickhouse: {url: ${down}, data-sources: [flow_log.l7_flow_log, ${DS}], since: ${since}, cursor-file: /c.json}
exporters:
  - {protocol: stdout, enabled: true, name: out, data-sources: [${DS}, flow_log.l7_flow_log], export-fields: [$metrics]}
`
  const h = await startHarness(yaml, { files: { '/c.json': cursorFile } })
  await h.clock.advance(5000)
  const s = (await (await h.relay.app.request('/v1/status')).json()) as { sources: unknown }
  assert.deepEqual(s.sources, [{
    name: 'clickhouse-0',
    data_sources: [
      { name: 'flow_log.l7_flow_log', cursor_time: '2023-11-14T21:13:20.000Z', lag_s: 3605 },
      { name: DS, cursor_time: '2023-11-14T22:03:20.000Z', lag_s: 605 },
    ],
  }])
  const metrics = await (await h.relay.app.request('/metrics')).text()
  assert.deepEqual(metrics.split('\n').filter((l) => l.startsWith('deepflow_relay_source_lag_seconds{')), [
    'deepflow_relay_source_lag_seconds{source="clickhouse-0",data_source="flow_log.l7_flow_log"} 3605',
    `deepflow_relay_source_lag_seconds{source="clickhouse-0",data_source="${DS}"} 605`,
  ])
  await h.relay.stop()
})
