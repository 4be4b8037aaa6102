// GET /v1/tap through the harness relay: the tap shows exactly what the exporter sends (the stdout
// lines; the series a remote-write receiver decodes), after filters and export-fields; it is
// sampled, bounded, and costs nothing while nobody listens. The handler is mounted on a small Hono
// app of the test, with the harness relay's exporters.
import test from 'node:test'
import assert from 'node:assert/strict'
import { Hono } from 'hono'
import { createTapHandler, type TapDeps } from '../../src/http/tap-route.ts'
import { until } from '../helpers/manual-clock.ts'
import { type Harness, startHarness } from '../helpers/relay-harness.ts'
import { startReceiver } from '../helpers/rw-receiver.ts'
import type { TimeSeries } from '../../src/wire/remote-write/prompb-types.ts'

const NET = 'flow_metrics.network.1m'
const L7 = 'flow_log.l7_flow_log'
const rec = (n: number, ip = '10.1.2.3') => ({
  time: 1715133600 + n,
  byte_tx: n,
  packet_tx: n % 3,
  rtt_max: 7,
  ip4: ip,
  server_port: 9080,
  protocol: 6,
})

function tapApp(h: Harness, opts: Omit<TapDeps, 'exporters'> = {}): Hono {
  return new Hono().get('/v1/tap', createTapHandler({ exporters: () => h.relay.exporters, ...opts }))
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '')

const STDOUT = `exporters:
  - protocol: stdout
    enabled: true
    name: out
    data-sources: [${NET}, ${L7}]
    export-fields: [$tag, byte_tx, packet_tx]
    queue-count: 1
    tag-filters-groups:
      - tag-filter-condition: {type: and}
        tag-filters:
          - {field-name: ip4, operator: "!=", field-values: [10.9.9.9]}
`

test('stdout: the tap streams exactly the lines the exporter writes, after filters and export-fields', async () => {
  const h = await startHarness(STDOUT)
  const app = tapApp(h)
  const res = await app.request('/v1/tap?exporter=out&limit=4')
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /application\/x-ndjson/)
  assert.match(res.headers.get('x-tap-sampling') ?? '', /every record while at most 1000 lines\/s/)
  // 6 records, 2 filtered out (ip4 10.9.9.9).
  const body = [rec(1), rec(2, '10.9.9.9'), rec(3), rec(4), rec(5, '10.9.9.9'), rec(6)]
  assert.equal((await h.post(NET, JSON.stringify(body))).status, 202)
  const tapped = lines(await res.text())
  await h.clock.advance(1000)
  const sent = h.lines()
  assert.equal(sent.length, 4)
  assert.deepEqual(tapped, sent)
  // export-fields applied: rtt_max is not exported, byte_tx is.
  for (const l of tapped) {
    assert.doesNotMatch(l, /rtt_max/)
    assert.match(l, /"byte_tx":\d+/)
    assert.doesNotMatch(l, /10\.9\.9\.9/)
  }
  assert.equal(h.relay.exporters[0]!.tap.listening, false)
  await h.relay.stop()
})

test('data-source narrows the tap to one data source', async () => {
  const h = await startHarness(STDOUT)
  const res = await tapApp(h).request(`/v1/tap?exporter=out&data-source=${L7}&limit=1`)
  await h.post(NET, JSON.stringify(rec(1)))
  await h.post(L7, JSON.stringify({ time: 1715133600, l7_protocol: 20, ip4_0: '10.1.2.3', end_time: 1715133600000000 }))
  const tapped = lines(await res.text())
  await h.relay.stop()
  assert.deepEqual(tapped, h.lines().filter((l) => l.startsWith(`{"datasource":"${L7}"`)))
  assert.equal(tapped.length, 1)
})

test('errors: 404 for an unknown exporter (listing the names), 400 for a bad limit, data source or no exporter', async () => {
  const h = await startHarness(STDOUT)
  const app = tapApp(h)
  const unknown = await app.request('/v1/tap?exporter=nope')
  assert.equal(unknown.status, 404)
  assert.deepEqual(await unknown.json(), { error: 'unknown exporter "nope"', exporters: ['out'] })
  const none = await app.request('/v1/tap')
  assert.equal(none.status, 400)
  assert.deepEqual(((await none.json()) as { exporters: string[] }).exporters, ['out'])
  for (const bad of ['0', '-1', 'abc', '1.5', '', '99999999999', '1e3']) {
    const r = await app.request(`/v1/tap?exporter=out&limit=${bad}`)
    assert.equal(r.status, 400, bad)
    assert.match(((await r.json()) as { error: string }).error, /^limit: expected an integer from 1 to/)
  }
  for (const ds of ['flow_log.l4_flow_log', 'no.such', '']) {
    const r = await app.request(`/v1/tap?exporter=out&data-source=${ds}`)
    assert.equal(r.status, 400, ds)
    assert.deepEqual(((await r.json()) as { data_sources: string[] }).data_sources, [NET, L7])
  }
  assert.equal(h.relay.exporters[0]!.tap.subscribers(), 0)
  await h.relay.stop()
})

test('nothing is rendered for the tap while nobody listens, and nothing again once the reader left', async () => {
  const h = await startHarness(STDOUT)
  const tap = h.relay.exporters[0]!.tap
  await h.post(NET, JSON.stringify(Array.from({ length: 50 }, (_, i) => rec(i))))
  assert.equal(tap.listening, false)
  assert.deepEqual(tap.stats(), { offered: 0, rendered: 0 })
  const res = await tapApp(h).request('/v1/tap?exporter=out&limit=2')
  await h.post(NET, JSON.stringify(Array.from({ length: 5 }, (_, i) => rec(i))))
  assert.equal(lines(await res.text()).length, 2)
  assert.deepEqual(tap.stats(), { offered: 2, rendered: 2 })
  assert.equal(tap.listening, false)
  await h.post(NET, JSON.stringify(Array.from({ length: 50 }, (_, i) => rec(i))))
  assert.deepEqual(tap.stats(), { offered: 2, rendered: 2 })
  await h.relay.stop()
  assert.equal(h.lines().length, 105)
})

test('a slow reader is cut off with a final line; ingest never waits for it', async () => {
  const h = await startHarness(STDOUT)
  const tap = h.relay.exporters[0]!.tap
  const res = await tapApp(h, { bufferLines: 5 }).request('/v1/tap?exporter=out')
  // The reader reads nothing while 20 requests of 50 records arrive.
  const started = Date.now()
  for (let i = 0; i < 20; i++) {
    assert.equal((await h.post(NET, JSON.stringify(Array.from({ length: 50 }, (_, j) => rec(i * 50 + j))))).status, 202)
  }
  const elapsed = Date.now() - started
  assert.equal(tap.listening, false)
  // Cut off during the first request: the other 19 never looked at the tap.
  assert.ok(tap.stats().offered <= 50, `offered ${tap.stats().offered}`)
  const tapped = lines(await res.text())
  assert.equal(tapped.length, 6)
  const last = JSON.parse(tapped[5]!) as Record<string, unknown>
  assert.equal(last.tap, 'closed')
  assert.equal(last.reason, 'slow_reader')
  assert.equal(last.lines, 5)
  await h.relay.stop()
  const sent = h.lines()
  assert.equal(sent.length, 1000)
  assert.deepEqual(tapped.slice(0, 5), sent.slice(0, 5))
  assert.ok(elapsed < 10_000, `ingest took ${elapsed} ms`)
})

test('above 1000 records per second the tap samples: at most 1000 lines in a second, then 1 in k', async () => {
  const h = await startHarness(STDOUT.replace('queue-count: 1', 'queue-count: 1\n    batch-size: 100000'))
  const res = await tapApp(h, { bufferLines: 10_000 }).request('/v1/tap?exporter=out')
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  const drain = async (count: number) => {
    while (lines(text).length < count) {
      const { value, done } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
  }
  // Second 0: 3000 records: the first 1000 lines pass, the rest exceed the cap.
  await h.post(NET, JSON.stringify(Array.from({ length: 3000 }, (_, i) => rec(i))))
  await drain(1000)
  assert.equal(lines(text).length, 1000)
  // Second 1: the previous second had 3000: 1 record in 3.
  await h.clock.advance(1000)
  await h.post(NET, JSON.stringify(Array.from({ length: 30 }, (_, i) => rec(10_000 + i))))
  await drain(1010)
  const second = lines(text).slice(1000).map((l) => Number(/"byte_tx":(\d+)/.exec(l)![1]) - 10_000)
  assert.deepEqual(second, [0, 3, 6, 9, 12, 15, 18, 21, 24, 27])
  await reader.cancel()
  await until(() => !h.relay.exporters[0]!.tap.listening, 'the cancelled reader left')
  await h.relay.stop()
})

test('the stream ends with a final line when the exporter stops', async () => {
  const h = await startHarness(STDOUT)
  const res = await tapApp(h).request('/v1/tap?exporter=out')
  await h.post(NET, JSON.stringify(rec(1)))
  await h.relay.stop()
  const tapped = lines(await res.text())
  assert.equal(tapped.length, 2)
  assert.equal(tapped[0], h.lines()[0])
  assert.equal((JSON.parse(tapped[1]!) as { reason: string }).reason, 'exporter_stopped')
})

/** What a receiver decoded, in the tap's shape (built here independently of the tap). */
function receivedShape(series: readonly TimeSeries[]): unknown[] {
  return series.flatMap((s) =>
    s.samples.map((x) => ({
      __name__: s.labels.find((l) => l.name === '__name__')!.value,
      labels: Object.fromEntries(s.labels.filter((l) => l.name !== '__name__').map((l) => [l.name, l.value])),
      value: x.value,
      timestamp: x.timestamp,
    }))
  )
}

test('prometheus: the tap shows the series the receiver decodes, with labels and values, after filters and export-fields', async () => {
  const r = await startReceiver()
  try {
    const h = await startHarness(`exporters:
  - protocol: prometheus
    enabled: true
    name: rw
    endpoints: [${r.url}]
    data-sources: [${NET}]
    export-fields: [byte_tx, packet_tx, ip4, server_port]
    queue-count: 1
    request-timeout: 60
    tag-filters-groups:
      - tag-filter-condition: {type: and}
        tag-filters:
          - {field-name: ip4, operator: "!=", field-values: [10.9.9.9]}
`)
    const tap = h.relay.exporters[0]!.tap
    await h.post(NET, JSON.stringify([rec(1), rec(2)]))
    assert.deepEqual(tap.stats(), { offered: 0, rendered: 0 }) // no decoding without a reader
    await h.clock.advance(1000)
    await until(() => r.requests.length === 1, 'the first request')
    r.requests.length = 0

    const res = await tapApp(h).request('/v1/tap?exporter=rw&limit=6')
    assert.equal(res.status, 200)
    assert.equal((await h.post(NET, JSON.stringify([rec(4), rec(5, '10.9.9.9'), rec(6), rec(7)]))).status, 202)
    const tapped = lines(await res.text()).map((l) => JSON.parse(l) as unknown)
    await h.clock.advance(1000)
    await until(() => r.requests.length === 1, 'the second request')
    const received = receivedShape(r.requests[0]!.series)
    assert.equal(received.length, 6) // 3 records × (byte_tx, packet_tx); 10.9.9.9 filtered out
    assert.deepEqual(tapped, received)
    // Series in schema order: packet_tx, then byte_tx.
    assert.deepEqual(tapped[1], {
      __name__: 'byte_tx',
      labels: { datasource: NET, ip4: '10.1.2.3', server_port: '9080' },
      value: 4,
      timestamp: (1715133600 + 4) * 1000,
    })
    assert.equal(tap.listening, false)
    await h.relay.stop()
  } finally {
    await r.close()
  }
})

test('opentelemetry: the tap shows each span as the OTLP receiver decodes it, after filters', async () => {
  const { startGrpcReceiver } = await import('../helpers/otlp-receiver.ts')
  const { otlpTapLines } = await import('../../src/encode/otlp/span-tap.ts')
  const r = await startGrpcReceiver()
  try {
    const h = await startHarness(`exporters:
  - protocol: opentelemetry
    enabled: true
    name: otlp
    endpoints: [${r.endpoint}]
    data-sources: [${L7}]
    export-fields: [$tag, $metrics]
    queue-count: 1
    request-timeout: 60
    tag-filters-groups:
      - tag-filter-condition: {type: and}
        tag-filters:
          - {field-name: request_type, operator: "!=", field-values: [DELETE]}
`)
    const span = (n: number, type: string) => ({
      time: 1715133600 + n,
      _id: 100 + n,
      l7_protocol: 20,
      request_type: type,
      request_resource: `/r/${n}`,
      end_time: (1715133600 + n) * 1_000_000,
    })
    const res = await tapApp(h).request('/v1/tap?exporter=otlp&limit=2')
    assert.equal(res.status, 200)
    assert.equal((await h.post(L7, JSON.stringify([span(1, 'GET'), span(2, 'DELETE'), span(3, 'PUT')]))).status, 202)
    const tapped = lines(await res.text())
    await h.clock.advance(1000)
    await until(() => r.requests.length === 1, 'the Export call')
    assert.deepEqual(tapped, otlpTapLines(r.requests[0]!.raw))
    assert.deepEqual(tapped.map((l) => (JSON.parse(l) as { span: { name: string } }).span.name), ['GET /r/1', 'PUT /r/3'])
    await h.relay.stop()
  } finally {
    await r.close()
  }
})
