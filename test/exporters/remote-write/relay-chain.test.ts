// deepflow-server → relay → Prometheus: a sender built from the same proto files posts what
// deepflow-server's prometheus exporter would send (snappy + protobuf WriteRequest, DeepFlow's series
// shape) to the relay's POST /api/v1/write; the relay's prometheus exporter, whose first endpoint is
// dead, fails over and stores the series in Debian's Prometheus, read back through its query API.
import test from 'node:test'
import assert from 'node:assert/strict'
import { snappyBlockCompress as compress } from '../../../src/util/snappy.ts'
import { encodeWriteRequest, type TimeSeries } from '../../../src/wire/remote-write/prompb.ts'
import { until } from '../../helpers/manual-clock.ts'
import { startHarness } from '../../helpers/relay-harness.ts'
import { startPrometheus } from '../../../scripts/services/prometheus.ts'
import { freePort } from '../../../scripts/services/process.ts'

// Prometheus refuses samples far in the past: a whole minute shortly before now.
const T = Math.floor(Date.now() / 60_000) * 60 - 120

const APP_MAP = 'flow_metrics.application_map.1m'
const NET = 'flow_metrics.network.1s'
const APP_MAP_LABELS: Record<string, string> = {
  agent_id: 'node-1-V3',
  app_service: 'reviews',
  auto_instance_id_0: 'productpage-v1-7f9c',
  auto_instance_type_0: 'pod',
  datasource: APP_MAP,
  endpoint: '/reviews/0',
  ip4_0: '10.1.2.3',
  ip4_1: '10.1.2.4',
  is_ipv4: '1',
  l7_protocol: 'HTTP',
  observation_point: 'Client Process',
  pod_id_0: 'productpage-v1-7f9c',
  protocol: 'TCP',
  server_port: '9080',
  signal_source: 'eBPF',
}
const NET_LABELS: Record<string, string> = {
  agent_id: 'node-1-V3',
  datasource: NET,
  ip4: '10.1.2.3',
  protocol: 'UDP',
  role: 'Client',
  server_port: '53',
}

/** What deepflow-server's EncodeToPrometheus builds: __name__ + sorted labels, one sample at time × 1000. */
function series(name: string, value: number, labels: Record<string, string>, time = T): TimeSeries {
  const all = Object.entries({ __name__: name, ...labels }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return { labels: all.map(([n, v]) => ({ name: n, value: v })), samples: [{ value, timestamp: time * 1000 }] }
}

function text(metric: Record<string, string>, value: string): string {
  const labels = Object.entries(metric).filter(([k]) => k !== '__name__').sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) =>
    `${k}="${v}"`
  )
  return `${metric.__name__}{${labels.join(',')}} ${value}`
}

function expected(list: readonly TimeSeries[]): string[] {
  return list.map((s) => {
    const metric = Object.fromEntries(s.labels.map((l) => [l.name, l.value]))
    return text(metric, String(s.samples[0]!.value))
  }).sort()
}

test('series posted as deepflow-server posts them reach Prometheus through the relay, failing over from a dead endpoint', async () => {
  const prom = await startPrometheus()
  const dead = `http://127.0.0.1:${await freePort()}/api/v1/write`
  try {
    // The manual clock's fixed randomness keeps the endpoint order: the dead one is tried first.
    const h = await startHarness(`exporters:
  - {protocol: prometheus, enabled: true, name: rw, endpoints: [${dead}, ${prom.writeUrl}], data-sources: [${APP_MAP}, ${NET}], export-fields: [$tag, $metrics], queue-count: 1}
`)
    const appMap = [
      series('request', 12, APP_MAP_LABELS),
      series('rrt_max', 830, APP_MAP_LABELS),
      series('server_error', 0, APP_MAP_LABELS),
    ]
    const net = [0, 1, 2].map((i) => series('byte_tx', 100 + i, NET_LABELS, T + i))
    const res = await Promise.resolve(h.relay.app.request('/api/v1/write', {
      method: 'POST',
      body: compress(encodeWriteRequest([...appMap, ...net])) as Uint8Array<ArrayBuffer>,
      headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
    }))
    assert.equal(res.status, 204)
    for (let k = 0; k < 40 && h.metric('deepflow_relay_series_sent_total{exporter="rw"}') !== 6; k++) {
      await h.clock.advance(1000)
      await new Promise((r) => setTimeout(r, 30))
    }
    await until(() => h.metric('deepflow_relay_series_sent_total{exporter="rw"}') === 6, 'six series sent')
    assert.equal(h.metric(`deepflow_relay_remote_write_requests_total{exporter="rw",endpoint="${dead}",status="error"}`), 1)
    assert.equal(h.metric(`deepflow_relay_remote_write_requests_total{exporter="rw",endpoint="${prom.writeUrl}",status="2xx"}`), 1)
    assert.equal(h.metric('deepflow_relay_endpoint_failovers_total{exporter="rw"}'), 1)
    assert.equal(h.metric('deepflow_relay_records_dropped_total{exporter="rw",reason="retries_exhausted"}'), 0)

    const stored = await prom.query(`{datasource="${APP_MAP}"}`, T)
    assert.deepEqual(stored.map((s) => text(s.metric, s.value[1])).sort(), expected(appMap))
    assert.ok(stored.every((s) => s.value[0] === T), 'timestamps')
    for (const [i, s] of net.entries()) {
      const at = await prom.query(`byte_tx{datasource="${NET}"}`, T + i)
      assert.deepEqual(at.map((x) => [x.value[0], text(x.metric, x.value[1])]), [[T + i, expected([s])[0]]], `time ${T + i}`)
    }
    await h.relay.stop()
  } finally {
    await prom.stop()
  }
})
