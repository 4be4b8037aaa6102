// deepflow-server's three exporters at once, as its server.yaml template lists them (kafka,
// prometheus, opentelemetry): the compiled binary, given a DeepFlow server.yaml, exports to a real
// Kafka, a real Prometheus and a real OTLP/gRPC receiver (@grpc/grpc-js serving the upstream
// opentelemetry-proto TraceService), fed by HTTP ingest and by the ClickHouse source at once.
import test, { after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isolatedBinary, start } from '../helpers/binary.ts'
import { startGrpcReceiver } from '../helpers/otlp-receiver.ts'
import { otlpTapLines } from '../../src/encode/otlp/span-tap.ts'
import { startKafka } from '../../scripts/services/kafka.ts'
import { startPrometheus } from '../../scripts/services/prometheus.ts'
import { startClickHouse } from '../../scripts/services/clickhouse.ts'

const [kafka, prom, otlp, ch] = await Promise.all([startKafka(), startPrometheus(), startGrpcReceiver(), startClickHouse()])
after(async () => {
  await Promise.all([kafka.destroy(), prom.stop(), otlp.close(), ch.stop()])
})

const BASE = Math.floor(Date.now() / 1000 / 60) * 60 - 600
const HTTP_SPANS = 12
const CH_ROWS = 9
await ch.query('CREATE DATABASE flow_log')
await ch.query(`CREATE TABLE flow_log.l7_flow_log (
  time DateTime, _id UInt64, l7_protocol UInt8, request_type String, request_resource String, endpoint String,
  response_code Nullable(Int32), response_status UInt8, end_time UInt64, start_time UInt64, signal_source UInt16,
  trace_id String, span_id String, observation_point String, pod_id_0 UInt32
) ENGINE = MergeTree ORDER BY (time, _id)`)
// Names from DeepFlow's flow_tag dictionaries (relay.universal-tags: clickhouse): a pod_map only, as
// a table (the other maps are missing: their ids stay raw).
await ch.query('CREATE DATABASE flow_tag')
await ch.query('CREATE TABLE flow_tag.pod_map (id UInt64, name String, pod_cluster_id UInt64) ENGINE = MergeTree ORDER BY id')
await ch.query(`INSERT INTO flow_tag.pod_map VALUES (153, 'productpage-v1-7f9c', 1)`)
const chRow = (i: number) =>
  `(${BASE + i}, ${9000 + i}, 20, 'GET', '/ch/${i}', '/ch', 200, 0, ${(BASE + i) * 1_000_000 + 500}, ${(BASE + i) * 1_000_000}, 3, 'ab${
    String(i).padStart(30, '0')
  }', '', 's-p', 153)`
await ch.query(`INSERT INTO flow_log.l7_flow_log VALUES ${Array.from({ length: CH_ROWS }, (_, i) => chRow(i)).join(', ')}`)

const SERVER_YAML = `# deepflow-server's server.yaml, with its three exporters (the template's keys)
ingester:
  exporters:
    - protocol: kafka
      enabled: true
      endpoints: [${kafka.plaintext}]
      data-sources: [flow_log.l7_flow_log]
      queue-count: 4
      queue-size: 100000
      batch-size: 1024
      export-fields: [$tag, $metrics]
    - protocol: prometheus
      enabled: true
      endpoints: [${prom.writeUrl}]
      data-sources: [flow_metrics.network.1m]
      batch-size: 1024
      export-fields: [$tag, $metrics]
    - protocol: opentelemetry
      enabled: true
      endpoints: [${otlp.endpoint}]
      data-sources: [flow_log.l7_flow_log]
      queue-count: 4
      queue-size: 100000
      batch-size: 32
      export-fields: [$tag, $metrics, $k8s.label]
      export-empty-tag: false
      export-empty-metrics-disabled: false
      enum-translate-to-name-disabled: false
      universal-tag-translate-to-name-disabled: false
sources:
  - clickhouse:
      url: ${ch.url}
      data-sources: [flow_log.l7_flow_log]
      since: ${BASE - 60}
      interval: 0.2
relay:
  shutdown-timeout: 5
  universal-tags: clickhouse
`

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

test('the binary runs a server.yaml with kafka, prometheus and opentelemetry exporters, fed by HTTP and ClickHouse', {
  timeout: 180_000,
}, async () => {
  const { dir, bin } = isolatedBinary()
  writeFileSync(join(dir, 'server.yaml'), SERVER_YAML)
  const relay = await start(bin, dir, ['--config', 'server.yaml', '--listen', '127.0.0.1:0'])
  try {
    const l7 = Array.from({ length: HTTP_SPANS }, (_, i) =>
      JSON.stringify({
        time: BASE + i,
        _id: 1000 + i,
        l7_protocol: 20,
        request_type: 'POST',
        request_resource: `/http/${i}`,
        response_code: 201,
        response_status: 0,
        start_time: (BASE + i) * 1_000_000,
        end_time: (BASE + i) * 1_000_000 + 250,
        observation_point: 'c',
        signal_source: 3,
        span_id: i % 2 === 0 ? 'aabbccddeeff0011' : '',
      }))
    const posted = await fetch(`${relay.url}v1/records/flow_log.l7_flow_log`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: l7.join('\n'),
    })
    assert.equal(posted.status, 202, await posted.text())
    const metrics = await fetch(`${relay.url}v1/records/flow_metrics.network.1m`, {
      method: 'POST',
      body: JSON.stringify({ time: BASE, byte_tx: 15320, ip4: '10.1.2.3', protocol: 6, role: 0 }),
    })
    assert.equal(metrics.status, 202, await metrics.text())

    // OTLP: every record of both feeds is one span, sent in Export calls of at most 32.
    const spans = await until('the spans', () => {
      const lines = otlp.requests.flatMap((r) => otlpTapLines(r.raw))
      return Promise.resolve(lines.length >= HTTP_SPANS + CH_ROWS ? lines : undefined)
    })
    assert.equal(spans.length, HTTP_SPANS + CH_ROWS)
    const parsed = spans.map((l) =>
      JSON.parse(l) as { resource: Record<string, unknown>; span: { name: string; parentSpanId: string; spanId: string } }
    )
    const ids = parsed.map((s) => Number(s.resource['df.flow_info.id'])).sort((a, b) => a - b)
    assert.deepEqual(ids, [
      ...Array.from({ length: HTTP_SPANS }, (_, i) => 1000 + i),
      ...Array.from({ length: CH_ROWS }, (_, i) => 9000 + i),
    ])
    const http3 = parsed.find((s) => s.resource['df.flow_info.id'] === 1003)!
    assert.equal(http3.span.name, 'POST /http/3')
    // No span is its own parent (#4252): without span_id there is none.
    assert.equal(http3.span.parentSpanId, '')
    assert.equal(parsed.find((s) => s.resource['df.flow_info.id'] === 1002)!.span.parentSpanId, 'aabbccddeeff0011')
    assert.ok(otlp.requests.every((r) => (r.request.resource_spans ?? []).length <= 32))

    // Kafka: the same records as DeepFlow's JSON lines.
    const messages = await kafka.consume('deepflow.flow_log.l7_flow_log', HTTP_SPANS + CH_ROWS)
    const kafkaIds = messages.map((m) => (JSON.parse(m.value) as { _id: number })._id).sort((a, b) => a - b)
    assert.deepEqual(kafkaIds, ids)
    // The ClickHouse rows' pod id has its name from flow_tag.pod_map, under the _id-less key.
    const fromClickHouse = messages.map((m) => JSON.parse(m.value) as Record<string, unknown>).filter((m) => (m._id as number) >= 9000)
    assert.deepEqual(fromClickHouse.map((m) => [m.pod_0, m.pod_id_0]), Array(CH_ROWS).fill(['productpage-v1-7f9c', undefined]))

    // Prometheus: the metric record as a series.
    const series = await until('the series', async () => {
      const r = await prom.query('byte_tx', BASE + 30)
      return r.length > 0 ? r : undefined
    })
    assert.deepEqual(series.map((s) => [s.metric.datasource, s.metric.ip4, s.value[1]]), [['flow_metrics.network.1m', '10.1.2.3', '15320']])

    const m = await (await fetch(`${relay.url}metrics`)).text()
    for (const exporter of ['kafka-0', 'prometheus-1', 'opentelemetry-2']) {
      assert.match(m, new RegExp(`deepflow_relay_records_sent_total\\{exporter="${exporter}"\\} [1-9]`), exporter)
    }
    assert.match(m, /deepflow_relay_records_sent_total\{exporter="opentelemetry-2"\} 21\b/)
    assert.match(m, /deepflow_relay_dictionary_refreshes_total\{outcome="ok"\} [1-9]/)
    assert.match(m, /deepflow_relay_dictionary_age_seconds \d/)
  } finally {
    assert.equal(await relay.stop(), 0, relay.stderr())
  }
})
