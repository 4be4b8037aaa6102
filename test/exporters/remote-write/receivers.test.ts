// flow_metrics of all 8 data sources through the relay into real receivers — Debian's Prometheus
// and VictoriaMetrics, started by the project's scripts — then read back through their HTTP APIs:
// the exact label sets and values stored.
import test from 'node:test'
import assert from 'node:assert/strict'
import { until } from '../../helpers/manual-clock.ts'
import { startHarness } from '../../helpers/relay-harness.ts'
import { startPrometheus } from '../../../scripts/services/prometheus.ts'
import { startVictoriaMetrics } from '../../../scripts/services/victoria-metrics.ts'

const T = Math.floor(Date.now() / 60_000) * 60 - 120
const DICT = JSON.stringify({ agent: { 7: 'node-1-V3' }, pod: { 153: 'productpage-v1-7f9c' }, device: { '10:153': 'productpage-v1-7f9c' } })

const NETWORK = { time: T, byte_tx: 100, rtt_max: 5, ip4: '10.1.2.3', protocol: 6, role: 1, agent_id: 7, pod_id: 153, server_port: 80 }
const NETWORK_LABELS = 'agent_id="node-1-V3",ip4="10.1.2.3",pod_id="productpage-v1-7f9c",protocol="TCP",role="Server",server_port="80"'
const NETWORK_MAP = {
  time: T,
  byte_tx: 200,
  packet_tx: 0,
  ip4: '10.1.2.3',
  ip4_1: '10.1.2.4',
  pod_id_1: 153,
  tunnel_type: 1,
  capture_nic_type: 7,
  observation_point: 's-p',
  protocol: 17,
}
const NETWORK_MAP_LABELS =
  'capture_nic_type="eBPF",ip4_0="10.1.2.3",ip4_1="10.1.2.4",observation_point="Server Process",pod_id_1="productpage-v1-7f9c",protocol="UDP",tunnel_type="VXLAN"'
const APPLICATION = {
  time: T,
  request: 12,
  rrt_max: 830,
  l7_protocol: 20,
  app_service: 'reviews',
  endpoint: '/reviews/0',
  ip4: '10.1.2.4',
  l3_device_type: 10,
  l3_device_id: 153,
}
const APPLICATION_LABELS =
  'app_service="reviews",endpoint="/reviews/0",ip4="10.1.2.4",l3_device_id="productpage-v1-7f9c",l3_device_type="pod",l7_protocol="HTTP"'
const APPLICATION_MAP = {
  time: T,
  request: 3,
  server_error: 1,
  l7_protocol: 21,
  ip4_0: '10.1.2.3',
  ip4_1: '10.1.2.9',
  auto_instance_type_1: 255,
  auto_instance_id_1: 0,
  is_ipv4: 1,
  signal_source: 3,
}
const APPLICATION_MAP_LABELS =
  'auto_instance_id_1="10.1.2.9",auto_instance_type_1="ip",ip4_0="10.1.2.3",ip4_1="10.1.2.9",is_ipv4="1",l7_protocol="HTTP2",signal_source="eBPF"'

const CASES: { ds: string; record: object; labels: string; samples: [string, number][] }[] = []
for (const res of ['1m', '1s']) {
  CASES.push(
    { ds: `flow_metrics.network.${res}`, record: NETWORK, labels: NETWORK_LABELS, samples: [['byte_tx', 100], ['rtt_max', 5]] },
    {
      ds: `flow_metrics.network_map.${res}`,
      record: NETWORK_MAP,
      labels: NETWORK_MAP_LABELS,
      samples: [['packet_tx', 0], ['byte_tx', 200]],
    },
    {
      ds: `flow_metrics.application.${res}`,
      record: APPLICATION,
      labels: APPLICATION_LABELS,
      samples: [['request', 12], ['rrt_max', 830]],
    },
    {
      ds: `flow_metrics.application_map.${res}`,
      record: APPLICATION_MAP,
      labels: APPLICATION_MAP_LABELS,
      samples: [['request', 3], ['server_error', 1]],
    },
  )
}

/** `name{sorted labels} value`, the form both receivers' answers are turned into. */
function expected(c: (typeof CASES)[number]): string[] {
  const withDs = (labels: string) => labels.split(',').concat(`datasource="${c.ds}"`).sort().join(',')
  return c.samples.map(([name, value]) => `${name}{${withDs(c.labels)}} ${value}`).sort()
}

function text(metric: Record<string, string>, value: number): string {
  const labels = Object.entries(metric).filter(([k]) => k !== '__name__').sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) =>
    `${k}="${v}"`
  )
  return `${metric.__name__}{${labels.join(',')}} ${value}`
}

function config(promUrl: string, vmUrl: string): string {
  const dss = CASES.map((c) => c.ds).join(', ')
  return `relay:
  universal-tags: /dict.json
exporters:
  - {protocol: prometheus, enabled: true, name: prom, endpoints: [${promUrl}], data-sources: [${dss}], export-fields: [$tag, $metrics]}
  - {protocol: prometheus, enabled: true, name: vm, endpoints: [${vmUrl}], data-sources: [${dss}], export-fields: [$tag, $metrics]}
`
}

test("series of all 8 flow_metrics data sources are stored in Prometheus and VictoriaMetrics with DeepFlow's labels and values", async () => {
  const prom = await startPrometheus()
  const vm = await startVictoriaMetrics()
  try {
    const h = await startHarness(config(prom.writeUrl, vm.writeUrl), { files: { '/dict.json': DICT } })
    for (const c of CASES) assert.equal((await h.post(c.ds, JSON.stringify(c.record))).status, 202, c.ds)
    await h.clock.advance(1000)
    const total = CASES.reduce((n, c) => n + c.samples.length, 0)
    await until(
      () =>
        h.metric('deepflow_relay_series_sent_total{exporter="prom"}') === total &&
        h.metric('deepflow_relay_series_sent_total{exporter="vm"}') === total,
      'both exporters sent everything',
    )

    for (const c of CASES) {
      const stored = await prom.query(`{datasource="${c.ds}"}`, T)
      assert.deepEqual(stored.map((s) => text(s.metric, Number(s.value[1]))).sort(), expected(c), `prometheus ${c.ds}`)
      assert.ok(stored.every((s) => s.value[0] === T), `prometheus ${c.ds} timestamps`)
      const exported = await vm.exportSeries(`{datasource="${c.ds}"}`)
      assert.deepEqual(exported.map((s) => text(s.metric, s.values[0]!)).sort(), expected(c), `victoria-metrics ${c.ds}`)
      assert.ok(exported.every((s) => s.timestamps.length === 1 && s.timestamps[0] === T * 1000), `victoria-metrics ${c.ds} timestamps`)
    }
    assert.equal(h.metric('deepflow_relay_records_dropped_total{exporter="prom",reason="rejected_by_endpoint"}'), 0)
    await h.relay.stop()
  } finally {
    await prom.stop()
    await vm.stop()
  }
})

test('endpoints [stopped Prometheus, live Prometheus] in both orders: every series reaches the live one', async () => {
  const live = await startPrometheus()
  const gone = await startPrometheus()
  const goneUrl = gone.writeUrl
  await gone.stop()
  try {
    for (const [i, endpoints] of [[goneUrl, live.writeUrl], [live.writeUrl, goneUrl]].entries()) {
      const h = await startHarness(`exporters:
  - {protocol: prometheus, enabled: true, name: rw, endpoints: [${
        endpoints.join(', ')
      }], data-sources: [flow_metrics.network.1s], export-fields: [byte_tx, server_port], queue-count: 1}
`)
      const times = [T + 10 * i, T + 10 * i + 1, T + 10 * i + 2]
      for (const t of times) {
        assert.equal(
          (await h.post('flow_metrics.network.1s', JSON.stringify({ time: t, byte_tx: t - T, server_port: 8000 + i }))).status,
          202,
        )
      }
      for (let k = 0; k < 20 && h.metric('deepflow_relay_series_sent_total{exporter="rw"}') !== 3; k++) {
        await h.clock.advance(1000)
        await new Promise((r) => setTimeout(r, 30))
      }
      assert.equal(h.metric('deepflow_relay_series_sent_total{exporter="rw"}'), 3)
      for (const t of times) {
        const stored = await live.query(`byte_tx{server_port="${8000 + i}"}`, t)
        assert.deepEqual(stored.map((s) => [s.value[0], s.value[1]]), [[t, String(t - T)]], `order ${i}, time ${t}`)
      }
    }
  } finally {
    await live.stop()
  }
})

test('labels over 64 KiB in all (their snappy copies take 4-byte offsets) are stored whole by Prometheus', async () => {
  const prom = await startPrometheus()
  try {
    const h = await startHarness(`exporters:
  - {protocol: prometheus, enabled: true, name: rw, endpoints: [${prom.writeUrl}], data-sources: [flow_metrics.application.1m], export-fields: [$tag, $metrics]}
`)
    const service = `svc-${'s'.repeat(40_000)}`
    const endpoint = `/e/${'e'.repeat(40_000)}`
    const res = await h.post(
      'flow_metrics.application.1m',
      JSON.stringify({ time: T, request: 7, rrt_max: 9, server_error: 1, app_service: service, endpoint }),
    )
    assert.equal(res.status, 202)
    await h.clock.advance(1000)
    await until(() => h.metric('deepflow_relay_series_sent_total{exporter="rw"}') === 3, 'the 3 series sent')
    const stored = await prom.query('{datasource="flow_metrics.application.1m"}', T)
    assert.deepEqual(
      stored.map((s) => [s.metric.__name__, s.value[1], s.metric.app_service === service, s.metric.endpoint === endpoint]).sort(),
      [
        ['request', '7', true, true],
        ['rrt_max', '9', true, true],
        ['server_error', '1', true, true],
      ],
    )
    await h.relay.stop()
  } finally {
    await prom.stop()
  }
})
