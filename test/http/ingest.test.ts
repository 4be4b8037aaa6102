import test from 'node:test'
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { startHarness, STDOUT_EXPORTER } from '../helpers/relay-harness.ts'

const NET = 'flow_metrics.network.1m'
const rec = (extra: Record<string, unknown> = {}) => ({ time: 1715133600, byte_tx: 10, ip4: '10.1.2.3', ...extra })
const LINE =
  '{"datasource":"flow_metrics.network.1m","time":1715133600,"byte_tx":10,"ip4":"10.1.2.3","time_str":"2024-05-08 02:00:00 +0000 UTC"}'

test('a single JSON object is accepted with 202 and written after flush-timeout', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  const res = await h.post(NET, JSON.stringify(rec()))
  assert.equal(res.status, 202)
  assert.deepEqual(await res.json(), { accepted: 1, rejected: 0, errors: [] })
  await h.clock.advance(999)
  assert.deepEqual(h.lines(), [])
  await h.clock.advance(1)
  assert.deepEqual(h.lines(), [LINE])
})

test('a JSON array reports invalid records by index, counting from 0', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  const res = await h.post(NET, JSON.stringify([rec(), { byte_tx: 1 }, rec({ byte_tx: 'many' }), [1]]))
  assert.equal(res.status, 202)
  assert.deepEqual(await res.json(), {
    accepted: 1,
    rejected: 3,
    errors: [
      { index: 1, field: 'time', error: 'required field is missing' },
      { index: 2, field: 'byte_tx', error: 'expected an unsigned 64-bit integer, got "many"' },
      { index: 3, error: 'expected a JSON object, got an array' },
    ],
  })
  assert.equal(h.metric(`deepflow_relay_records_rejected_total{data_source="${NET}",reason="missing_field"}`), 1)
  assert.equal(h.metric(`deepflow_relay_records_rejected_total{data_source="${NET}",reason="invalid_value"}`), 1)
  assert.equal(h.metric(`deepflow_relay_records_rejected_total{data_source="${NET}",reason="not_an_object"}`), 1)
})

test('NDJSON reports invalid lines by line number, counting from 1, and skips blank lines', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  const body = `${JSON.stringify(rec())}\r\n\n{"time": 1715133600, "ip4": "300.1.1.1"}\n{"time":\n${JSON.stringify(rec({ byte_tx: 11 }))}\n`
  const res = await h.post(NET, body, { 'Content-Type': 'application/x-www-form-urlencoded' })
  assert.equal(res.status, 202)
  const json = (await res.json()) as { accepted: number; rejected: number; errors: { line: number; field?: string }[] }
  assert.equal(json.accepted, 2)
  assert.equal(json.rejected, 2)
  assert.deepEqual(json.errors[0], { line: 3, field: 'ip4', error: 'expected an IPv4 address (dotted text or uint32), got "300.1.1.1"' })
  assert.equal(json.errors[1]!.line, 4)
  assert.match(JSON.stringify(json.errors[1]), /invalid JSON/)
  await h.relay.stop()
  assert.equal(h.lines().length, 2)
})

test('gzip bodies are inflated', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  const res = await h.post(NET, gzipSync(JSON.stringify(rec())), { 'Content-Encoding': 'gzip' })
  assert.equal(res.status, 202)
  await h.relay.stop()
  assert.deepEqual(h.lines(), [LINE])
})

test('bad bodies get 400 with the reason, and the relay keeps serving', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  const cases: [BodyInit, RegExp][] = [
    ['', /empty body/],
    ['   \n ', /empty body/],
    ['<record time="1"/>', /not JSON or NDJSON: it starts with "<record/],
    ['time=1715133600&byte_tx=1', /not JSON or NDJSON/],
    ['[{"time": 1715133600},', /not valid JSON/],
    [new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), /not valid UTF-8 \(first invalid byte at offset 2\)/],
    ['{"byte_tx": 1}', /no valid record/],
    ['{"time": 1e400}', /no valid record/],
    ['{"time": "NaN"}', /no valid record/],
    ['{"time": 1715133600, "byte_tx": 18446744073709551616}', /no valid record/],
  ]
  for (const [body, why] of cases) {
    const res = await h.post(NET, body)
    assert.equal(res.status, 400, String(body))
    assert.match(((await res.json()) as { error: string }).error, why)
  }
  assert.equal((await h.relay.app.request('/healthz')).status, 200)
  assert.equal(h.metric('deepflow_relay_ingest_requests_total{code="400"}'), cases.length)
})

test('a gzip body that is not gzip gets 400', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  const res = await h.post(NET, 'plain text', { 'Content-Encoding': 'gzip' })
  assert.equal(res.status, 400)
  assert.match(((await res.json()) as { error: string }).error, /not valid gzip/)
})

test('an unknown data source gets 404 listing the valid ones', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  const res = await h.post('flow_log.l5_flow_log', '{}')
  assert.equal(res.status, 404)
  const json = (await res.json()) as { error: string; data_sources: string[] }
  assert.equal(json.error, 'unknown data source "flow_log.l5_flow_log"')
  assert.equal(json.data_sources.length, 12)
  assert.ok(json.data_sources.includes('event.file_event'))
})

test('an unsupported Content-Encoding gets 415', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  const res = await h.post(NET, JSON.stringify(rec()), { 'Content-Encoding': 'br' })
  assert.equal(res.status, 415)
})

test('bodies over relay.max-body-bytes get 413, before and after gzip inflation', async () => {
  const h = await startHarness(`relay:\n  max-body-bytes: 20000\n${STDOUT_EXPORTER()}`)
  const big = `[${Array.from({ length: 400 }, () => JSON.stringify(rec())).join(',')}]`
  assert.ok(big.length > 20000)
  assert.equal((await h.post(NET, big)).status, 413)
  const bomb = gzipSync(Buffer.alloc(10_000_000, 0x20))
  assert.ok(bomb.length < 20000)
  const res = await h.post(NET, bomb, { 'Content-Encoding': 'gzip' })
  assert.equal(res.status, 413)
  assert.match(((await res.json()) as { error: string }).error, /gzip-inflated body is larger than the limit of 20000 bytes/)
})

test('unknown record keys are ignored and counted', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  const res = await h.post(NET, JSON.stringify(rec({ not_a_field: 1, another: 'x' })))
  assert.equal(res.status, 202)
  assert.equal(h.metric(`deepflow_relay_unknown_fields_total{data_source="${NET}"}`), 2)
  await h.relay.stop()
  assert.deepEqual(h.lines(), [LINE])
})

test('a full queue answers 429 with Retry-After and queues nothing from that request, for any exporter', async () => {
  const yaml = `exporters:
  - {protocol: stdout, enabled: true, name: small, data-sources: [${NET}], export-fields: [$tag, $metrics], queue-count: 1, queue-size: 3, batch-size: 100, flush-timeout: 60}
  - {protocol: stdout, enabled: true, name: big, data-sources: [${NET}], export-fields: [$metrics], queue-count: 1, batch-size: 100, flush-timeout: 60}
`
  const h = await startHarness(yaml)
  assert.equal((await h.post(NET, JSON.stringify([rec(), rec()]))).status, 202)
  const res = await h.post(NET, JSON.stringify([rec(), rec()]))
  assert.equal(res.status, 429)
  assert.equal(res.headers.get('retry-after'), '1')
  assert.match(((await res.json()) as { error: string }).error, /exporter "small" are full/)
  assert.equal(h.metric('deepflow_relay_queue_records{exporter="small"}'), 2)
  assert.equal(h.metric('deepflow_relay_queue_records{exporter="big"}'), 2)
  assert.equal(h.metric(`deepflow_relay_records_refused_total{data_source="${NET}"}`), 2)
  assert.equal(h.metric(`deepflow_relay_records_received_total{data_source="${NET}"}`), 4)
  await h.relay.stop()
  assert.equal(h.lines().length, 4)
  assert.equal(h.metric('deepflow_relay_records_dropped_total{exporter="small",reason="shutdown"}'), 0)
})

test('a request larger than the queue bound itself gets 413, not an endless 429', async () => {
  const h = await startHarness(STDOUT_EXPORTER('queue-count: 1\nqueue-size: 2'))
  const res = await h.post(NET, JSON.stringify([rec(), rec(), rec()]))
  assert.equal(res.status, 413)
  assert.match(((await res.json()) as { error: string }).error, /send fewer records per request/)
})

test('a record larger than queue-max-bytes is dropped and counted as too_large', async () => {
  const h = await startHarness(STDOUT_EXPORTER('queue-max-bytes: 150'))
  const res = await h.post(
    'flow_log.l7_flow_log',
    JSON.stringify([{ time: 1715133600, request_resource: 'x'.repeat(200) }, { time: 1715133600 }]),
  )
  assert.equal(res.status, 202)
  assert.equal(h.metric('deepflow_relay_records_dropped_total{exporter="stdout-0",reason="too_large"}'), 1)
  await h.relay.stop()
  assert.equal(h.lines().length, 1)
})

test('records filtered out by an exporter are counted per exporter and data source', async () => {
  const h = await startHarness(
    STDOUT_EXPORTER(`tag-filters-groups:
  - tag-filters: [{field-name: byte_tx, operator: '>', field-values: [1]}]`).replace("'>'", "'='"),
  )
  await h.post(NET, JSON.stringify([rec({ byte_tx: 1 }), rec({ byte_tx: 2 })]))
  assert.equal(h.metric(`deepflow_relay_records_filtered_total{exporter="stdout-0",data_source="${NET}"}`), 1)
  await h.relay.stop()
  assert.equal(h.lines().length, 1)
})

test('ingest answers 503 while shutting down; readyz follows', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  assert.equal((await h.relay.app.request('/readyz')).status, 200)
  const stopping = h.relay.stop()
  assert.equal((await h.post(NET, JSON.stringify(rec()))).status, 503)
  const ready = await h.relay.app.request('/readyz')
  assert.equal(ready.status, 503)
  assert.deepEqual(await ready.json(), { status: 'not ready', reason: 'shutting down' })
  await stopping
})

test('unknown routes get a JSON 404', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  const res = await h.relay.app.request('/v1/records')
  assert.equal(res.status, 404)
  assert.match(((await res.json()) as { error: string }).error, /no route for GET \/v1\/records/)
})

test('/metrics serves the Prometheus text format with the documented names', async () => {
  const h = await startHarness(STDOUT_EXPORTER())
  await h.post(NET, JSON.stringify(rec()))
  await h.relay.stop()
  const res = await h.relay.app.request('/metrics')
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8')
  const text = await res.text()
  for (
    const name of [
      'deepflow_relay_records_received_total',
      'deepflow_relay_records_rejected_total',
      'deepflow_relay_records_refused_total',
      'deepflow_relay_records_filtered_total',
      'deepflow_relay_records_sent_total',
      'deepflow_relay_records_dropped_total',
      'deepflow_relay_queue_records',
      'deepflow_relay_queue_bytes',
      'deepflow_relay_batches_sent_total',
      'deepflow_relay_send_duration_seconds',
    ]
  ) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name)
  assert.match(text, /^deepflow_relay_records_sent_total\{exporter="stdout-0"\} 1$/m)
  assert.match(text, /^deepflow_relay_send_duration_seconds_count\{exporter="stdout-0"\} 1$/m)
})
