// POST /api/v1/write: remote write 1.0 as deepflow-server sends it (snappy + protobuf, DeepFlow's
// series shape) through the relay's prometheus exporters into a scripted receiver.
import test from 'node:test'
import assert from 'node:assert/strict'
import { snappyBlockCompress as compress } from '../../src/util/snappy.ts'
import { encodeWriteRequest, type TimeSeries } from '../../src/wire/remote-write/prompb.ts'
import { until } from '../helpers/manual-clock.ts'
import { type Harness, startHarness } from '../helpers/relay-harness.ts'
import { seriesText, startReceiver } from '../helpers/rw-receiver.ts'

const APP_MAP = 'flow_metrics.application_map.1s'
const NET = 'flow_metrics.network.1m'
const T_MS = 1715133600000

/** The labels deepflow-server writes for one application_map.1s document (reference §3.4). */
const APP_MAP_LABELS: Record<string, string> = {
  agent_id: 'node-1-V3',
  app_instance: '10.1.2.4:9080',
  app_service: 'reviews',
  auto_instance_id_0: 'productpage-v1-7f9c',
  auto_instance_id_1: 'reviews-v2-5d8f',
  auto_instance_type_0: 'pod',
  auto_instance_type_1: 'pod',
  az_id_0: 'az-1',
  az_id_1: 'az-1',
  biz_type: '0',
  capture_network_type_id: '3',
  capture_nic: '0',
  capture_nic_type: 'eBPF',
  datasource: APP_MAP,
  endpoint: '/reviews/0',
  ip4_0: '10.1.2.3',
  ip4_1: '10.1.2.4',
  is_ipv4: '1',
  l3_device_id_0: 'productpage-v1-7f9c',
  l3_device_type_0: 'pod',
  l3_epc_id_0: 'vpc-1',
  l7_protocol: 'HTTP',
  nat_source: 'NONE',
  observation_point: 'Client Process',
  org_id: '1',
  pod_id_0: 'productpage-v1-7f9c',
  pod_id_1: 'reviews-v2-5d8f',
  pod_ns_id_0: 'default',
  protocol: 'TCP',
  server_port: '9080',
  signal_source: 'eBPF',
  team_id: '1',
  thread_id: '1',
  tunnel_type: 'N/A',
}
const NET_LABELS: Record<string, string> = { datasource: NET, ip4: '10.1.2.3', protocol: 'TCP', role: 'Server', server_port: '80' }

/** One series as DeepFlow builds it: __name__ + labels sorted by name, one sample at time × 1000. */
function series(name: string, value: number, labels: Record<string, string> = APP_MAP_LABELS, timestamp = T_MS): TimeSeries {
  const all = Object.entries({ __name__: name, ...labels }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return { labels: all.map(([n, v]) => ({ name: n, value: v })), samples: [{ value, timestamp }] }
}

const RW_HEADERS = { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf', 'X-Prometheus-Remote-Write-Version': '0.1.0' }

function write(h: Harness, body: Uint8Array | string, headers: Record<string, string> = RW_HEADERS): Promise<Response> {
  return Promise.resolve(h.relay.app.request('/api/v1/write', { method: 'POST', body: body as string | Uint8Array<ArrayBuffer>, headers }))
}

function writeSeries(h: Harness, list: TimeSeries[]): Promise<Response> {
  return write(h, compress(encodeWriteRequest(list)))
}

const exporter = (name: string, url: string, dss: string, extra = '') =>
  `  - {protocol: prometheus, enabled: true, name: ${name}, endpoints: [${url}], data-sources: [${dss}], export-fields: [$tag, $metrics], queue-count: 1${extra}}\n`

async function flushUntil(h: Harness, cond: () => boolean, what: string): Promise<void> {
  await h.clock.advance(1000)
  await until(cond, what)
}

test('DeepFlow-shaped application_map.1s series come out of the exporter exactly as they went in: labels, value, timestamp', async () => {
  const rx = await startReceiver()
  const h = await startHarness(`exporters:\n${exporter('rw', rx.url, APP_MAP)}`)
  const sent = [series('request', 12), series('response', 12), series('rrt_max', 830), series('rrt_sum', 1664), series('server_error', 0)]
  const res = await writeSeries(h, sent)
  assert.equal(res.status, 204)
  assert.equal(await res.text(), '')
  await flushUntil(h, () => rx.requests.length === 1, 'one remote-write request')
  assert.deepEqual(seriesText(rx.requests[0]!.series).sort(), seriesText(sent).sort())
  assert.equal(h.metric(`deepflow_relay_remote_write_series_received_total{data_source="${APP_MAP}"}`), 5)
  assert.equal(h.metric(`deepflow_relay_records_received_total{data_source="${APP_MAP}"}`), 5)
  assert.equal(h.metric('deepflow_relay_remote_write_ingest_requests_total{code="204"}'), 1)
  assert.equal(h.metric(`deepflow_relay_unknown_fields_total{data_source="${APP_MAP}"}`), 0)
  await h.relay.stop()
  await rx.close()
})

test("a sample timestamp with milliseconds leaves as the whole second it falls in (a record's time is whole seconds)", async () => {
  const rx = await startReceiver()
  const h = await startHarness(`exporters:\n${exporter('rw', rx.url, NET)}`)
  const res = await writeSeries(h, [series('byte_tx', 7, NET_LABELS, T_MS + 999), series('packet_tx', 3, NET_LABELS, T_MS + 1001)])
  assert.equal(res.status, 204)
  await flushUntil(h, () => rx.requests.length === 1, 'one remote-write request')
  assert.deepEqual(seriesText(rx.requests[0]!.series).sort(), [
    `byte_tx{datasource="${NET}",ip4="10.1.2.3",protocol="TCP",role="Server",server_port="80"} 7 @${T_MS}`,
    `packet_tx{datasource="${NET}",ip4="10.1.2.3",protocol="TCP",role="Server",server_port="80"} 3 @${T_MS + 1000}`,
  ])
  await h.relay.stop()
  await rx.close()
})

test('tag-filters see the label text as the raw value (l7_protocol in [HTTP] matches l7_protocol="HTTP"), export-fields select labels and __name__', async () => {
  const rx = await startReceiver()
  const h = await startHarness(`exporters:
  - protocol: prometheus
    enabled: true
    name: rw
    endpoints: [${rx.url}]
    data-sources: [${APP_MAP}]
    export-fields: [l7_protocol, server_port, request]
    queue-count: 1
    tag-filters-groups:
      - tag-filters: [{field-name: l7_protocol, operator: in, field-values: [HTTP]}]
`)
  const grpc = { ...APP_MAP_LABELS, l7_protocol: 'gRPC' }
  const res = await writeSeries(h, [series('request', 12), series('rrt_max', 830), series('request', 7, grpc)])
  assert.equal(res.status, 204)
  await flushUntil(h, () => rx.requests.length === 1, 'one remote-write request')
  assert.deepEqual(seriesText(rx.requests[0]!.series), [
    `request{datasource="${APP_MAP}",l7_protocol="HTTP",server_port="9080"} 12 @${T_MS}`,
  ])
  assert.equal(h.metric(`deepflow_relay_records_filtered_total{exporter="rw",data_source="${APP_MAP}"}`), 1)
  await h.relay.stop()
  assert.equal(rx.requests.length, 1)
  await rx.close()
})

test('series of two data sources in one request go to the prometheus exporters that take them, and only those', async () => {
  const rxApp = await startReceiver()
  const rxNet = await startReceiver()
  const h = await startHarness(`exporters:
${exporter('app', rxApp.url, APP_MAP)}${
    exporter('net', rxNet.url, `${NET}, ${APP_MAP}`, ', tag-filters: [{field-name: l7_protocol, operator: "=", field-values: [gRPC]}]')
  }  - {protocol: stdout, enabled: true, name: out, data-sources: [${NET}, ${APP_MAP}], export-fields: [$tag, $metrics]}
`)
  const res = await writeSeries(h, [series('byte_tx', 15320, NET_LABELS), series('request', 12), series('rtt_max', 830, NET_LABELS)])
  assert.equal(res.status, 204)
  await flushUntil(h, () => rxApp.requests.length === 1 && rxNet.requests.length === 1, 'a request at each receiver')
  const netLabels = 'datasource="flow_metrics.network.1m",ip4="10.1.2.3",protocol="TCP",role="Server",server_port="80"'
  assert.deepEqual(seriesText(rxNet.requests[0]!.series).sort(), [
    `byte_tx{${netLabels}} 15320 @${T_MS}`,
    `rtt_max{${netLabels}} 830 @${T_MS}`,
  ])
  assert.deepEqual(seriesText(rxApp.requests[0]!.series), seriesText([series('request', 12)]))
  assert.equal(h.metric(`deepflow_relay_records_filtered_total{exporter="net",data_source="${APP_MAP}"}`), 1)
  assert.equal(h.metric(`deepflow_relay_remote_write_series_received_total{data_source="${NET}"}`), 2)
  assert.equal(h.metric(`deepflow_relay_remote_write_series_received_total{data_source="${APP_MAP}"}`), 1)
  await h.relay.stop()
  assert.deepEqual(h.lines(), [], 'remote-write series go to prometheus exporters only')
  await rxApp.close()
  await rxNet.close()
})

test('a series whose data source no prometheus exporter takes is not queued and is counted as unrouted', async () => {
  const rx = await startReceiver()
  const h = await startHarness(`exporters:\n${exporter('rw', rx.url, APP_MAP)}`)
  const res = await writeSeries(h, [series('byte_tx', 1, NET_LABELS), series('rtt_max', 2, NET_LABELS)])
  assert.equal(res.status, 204)
  assert.equal(h.metric(`deepflow_relay_remote_write_series_unrouted_total{data_source="${NET}"}`), 2)
  assert.equal(h.metric(`deepflow_relay_remote_write_series_received_total{data_source="${NET}"}`), 2)
  assert.equal(h.metric('deepflow_relay_queue_records{exporter="rw"}'), 0)
  await h.relay.stop()
  assert.equal(rx.requests.length, 0)
  await rx.close()
})

test('invalid series are skipped and counted; the valid ones of the request are delivered; unknown labels are ignored and counted', async () => {
  const rx = await startReceiver()
  const h = await startHarness(`exporters:\n${exporter('rw', rx.url, APP_MAP)}`)
  const { datasource: _, ...noDs } = APP_MAP_LABELS
  const res = await writeSeries(h, [
    series('request', 1, noDs),
    series('request', 2, { ...APP_MAP_LABELS, datasource: 'flow_log.l7_flow_log' }),
    series('server_port', 3),
    series('request', 4, { ...APP_MAP_LABELS, ip4_0: '300.1.1.1' }),
    series('request', 5, { ...APP_MAP_LABELS, k8s_cluster: 'prod', rrt_max: '9' }),
    series('request', 1.5),
    series('request', Number.NaN),
  ])
  assert.equal(res.status, 204)
  await flushUntil(h, () => rx.requests.length === 1, 'one remote-write request')
  assert.deepEqual(seriesText(rx.requests[0]!.series), seriesText([series('request', 5)]))
  const rejected = (ds: string, reason: string) =>
    h.metric(`deepflow_relay_remote_write_series_rejected_total{data_source="${ds}",reason="${reason}"}`)
  assert.equal(rejected('', 'missing_datasource'), 1)
  assert.equal(rejected('', 'unknown_datasource'), 1)
  assert.equal(rejected(APP_MAP, 'not_a_metric'), 1)
  assert.equal(rejected(APP_MAP, 'invalid_value'), 3)
  assert.equal(h.metric(`deepflow_relay_remote_write_series_received_total{data_source="${APP_MAP}"}`), 1)
  assert.equal(h.metric(`deepflow_relay_unknown_fields_total{data_source="${APP_MAP}"}`), 2)
  assert.deepEqual(h.logs.filter((l) => l.msg === 'remote-write series rejected').map((l) => [l.rejected, l.first]), [[6, {
    series: 0,
    error: 'no datasource label',
  }]])
  await h.relay.stop()
  await rx.close()
})

test('400 with every reason when no series of the body is valid', async () => {
  const h = await startHarness(`exporters:\n${exporter('rw', 'http://127.0.0.1:9/api/v1/write', APP_MAP)}`)
  const { datasource: _, ...noDs } = APP_MAP_LABELS
  const res = await writeSeries(h, [
    series('request', 1, noDs),
    series('request', 2, { ...APP_MAP_LABELS, datasource: 'flow_log.l7_flow_log' }),
    series('bogus', 3),
    series('request', 4, { ...APP_MAP_LABELS, ip4_0: '300.1.1.1' }),
    series('request', -1),
    series('request', Number.POSITIVE_INFINITY),
    {
      labels: [{ name: '__name__', value: 'request' }, { name: 'datasource', value: APP_MAP }, { name: 'datasource', value: APP_MAP }],
      samples: [{ value: 1, timestamp: T_MS }],
    },
    { labels: series('request', 0).labels, samples: [] },
  ])
  assert.equal(res.status, 400)
  assert.deepEqual(await res.json(), {
    accepted: 0,
    rejected: 8,
    error: 'no valid series in the request',
    errors: [
      { series: 0, error: 'no datasource label' },
      {
        series: 1,
        error:
          'datasource "flow_log.l7_flow_log" is not a flow_metrics data source (valid: flow_metrics.network.1m, flow_metrics.network.1s, flow_metrics.network_map.1m, flow_metrics.network_map.1s, flow_metrics.application.1m, flow_metrics.application.1s, flow_metrics.application_map.1m, flow_metrics.application_map.1s)',
      },
      { series: 2, field: '__name__', error: `"bogus" is not a metric field of ${APP_MAP}` },
      { series: 3, field: 'ip4_0', error: 'expected an IPv4 address (dotted text or uint32), got "300.1.1.1"' },
      { series: 4, field: 'request', error: '-1 is out of range for an unsigned 32-bit integer' },
      { series: 5, field: 'request', error: 'sample value Infinity is not a finite number (a staleness marker or NaN/Inf)' },
      { series: 6, field: 'datasource', error: 'label name given twice' },
      { series: 7, error: 'series without samples' },
    ],
  })
  assert.equal(h.metric(`deepflow_relay_remote_write_series_rejected_total{data_source="${APP_MAP}",reason="duplicate_label"}`), 1)
  assert.equal(h.metric(`deepflow_relay_remote_write_series_rejected_total{data_source="${APP_MAP}",reason="no_samples"}`), 1)
  assert.equal(h.metric('deepflow_relay_remote_write_ingest_requests_total{code="400"}'), 1)
  await h.relay.stop()
})

test('400 for bodies that are not snappy or not a WriteRequest; 415 for other encodings and remote write 2.0; 204 for an empty WriteRequest', async () => {
  const h = await startHarness(`exporters:\n${exporter('rw', 'http://127.0.0.1:9/api/v1/write', APP_MAP)}`)
  const cases: [Uint8Array | string, Record<string, string>, number, string | null][] = [
    ['', RW_HEADERS, 400, 'empty body; expected a snappy-compressed remote-write WriteRequest'],
    [new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), RW_HEADERS, 400, 'body is not snappy (block format): no valid length preamble'],
    [encodeWriteRequest([series('request', 1)]), RW_HEADERS, 400, 'body is not snappy (block format): Invalid Snappy bitstream'],
    ['{"time":1715133600}', RW_HEADERS, 400, 'body is not snappy (block format): Invalid Snappy bitstream'],
    [
      compress(new Uint8Array([0x0f])),
      RW_HEADERS,
      400,
      'body is not a remote-write 1.0 WriteRequest (protobuf): invalid wire type 7 at offset 1',
    ],
    [
      compress(new Uint8Array([0x0a, 0x05, 0x01])),
      RW_HEADERS,
      400,
      'body is not a remote-write 1.0 WriteRequest (protobuf): index out of range',
    ],
    [
      compress(encodeWriteRequest([series('request', 1)])),
      { ...RW_HEADERS, 'Content-Encoding': 'gzip' },
      415,
      'unsupported Content-Encoding "gzip"; remote write bodies are snappy (block format)',
    ],
    [
      compress(encodeWriteRequest([series('request', 1)])),
      { ...RW_HEADERS, 'Content-Type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request' },
      415,
      'remote write 2.0 (io.prometheus.write.v2.Request) is not supported; send remote write 1.0 (prometheus.WriteRequest)',
    ],
    [compress(encodeWriteRequest([])), RW_HEADERS, 204, null],
  ]
  for (const [body, headers, status, error] of cases) {
    const res = await write(h, body, headers)
    assert.equal(res.status, status, String(body))
    if (error === null) assert.equal(await res.text(), '')
    else assert.deepEqual(await res.json(), { error }, String(body))
  }
  assert.equal(h.metric('deepflow_relay_remote_write_ingest_requests_total{code="400"}'), 6)
  assert.equal(h.metric('deepflow_relay_remote_write_ingest_requests_total{code="415"}'), 2)
  assert.equal(h.metric('deepflow_relay_queue_records{exporter="rw"}'), 0)
  await h.relay.stop()
})

test('413 for a body over relay.max-body-bytes, on the wire or once snappy-uncompressed, and for a request beyond the queue bounds', async () => {
  const h = await startHarness(`relay: {max-body-bytes: 2000}
exporters:\n${exporter('rw', 'http://127.0.0.1:9/api/v1/write', APP_MAP, ', queue-size: 2')}`)
  const big = new Uint8Array(2001)
  let res = await write(h, big)
  assert.equal(res.status, 413)
  assert.deepEqual(await res.json(), { error: 'body is larger than the limit of 2000 bytes (relay.max-body-bytes)' })

  const bomb = encodeWriteRequest([series('request', 1, { ...APP_MAP_LABELS, app_service: 'a'.repeat(5000) })])
  const squeezed = compress(bomb)
  assert.ok(squeezed.byteLength < 2000)
  res = await write(h, squeezed)
  assert.equal(res.status, 413)
  assert.deepEqual(await res.json(), {
    error: `snappy-uncompressed body (${bomb.byteLength} bytes) is larger than the limit of 2000 bytes (relay.max-body-bytes)`,
  })

  const small = { datasource: APP_MAP, l7_protocol: 'HTTP' }
  res = await writeSeries(h, [series('request', 1, small), series('response', 1, small), series('rrt_max', 1, small)])
  assert.equal(res.status, 413)
  assert.deepEqual(await res.json(), {
    accepted: 0,
    rejected: 0,
    errors: [],
    error: 'this request alone exceeds the queue bounds of exporter "rw" (queue-size, queue-max-bytes); send fewer series per request',
  })
  assert.equal(h.metric(`deepflow_relay_records_refused_total{data_source="${APP_MAP}"}`), 3)
  assert.equal(h.metric('deepflow_relay_remote_write_ingest_requests_total{code="413"}'), 3)
  await h.relay.stop()
})

test('429 with Retry-After: 1 while an exporter queue is full behind a failing receiver; nothing of the refused request is queued, for any exporter', async () => {
  const rx = await startReceiver()
  const rxNet = await startReceiver()
  rx.script({ status: 503 })
  const h = await startHarness(`exporters:\n${exporter('rw', rx.url, APP_MAP, ', queue-size: 2')}${exporter('net', rxNet.url, NET)}`)
  const small = { datasource: APP_MAP, l7_protocol: 'HTTP' }
  assert.equal((await writeSeries(h, [series('request', 1, small), series('response', 2, small)])).status, 204)
  await flushUntil(h, () => rx.requests.length === 1, 'the first (failing) attempt')
  assert.equal(rx.requests[0]!.status, 503)

  // Two data sources, all or nothing: exporter "net" has room, "rw" has not, so neither takes any.
  const res = await writeSeries(h, [series('byte_tx', 5, NET_LABELS), series('rrt_max', 3, small)])
  assert.equal(res.status, 429)
  assert.equal(res.headers.get('Retry-After'), '1')
  assert.deepEqual(await res.json(), { accepted: 0, rejected: 0, errors: [], error: 'queues of exporter "rw" are full; retry later' })
  assert.equal(h.metric(`deepflow_relay_records_refused_total{data_source="${APP_MAP}"}`), 1)
  assert.equal(h.metric(`deepflow_relay_records_refused_total{data_source="${NET}"}`), 1)
  assert.equal(h.metric('deepflow_relay_queue_records{exporter="rw"}'), 2)
  assert.equal(h.metric('deepflow_relay_queue_records{exporter="net"}'), 0)

  for (let i = 0; i < 20 && rx.requests.length < 2; i++) {
    await h.clock.advance(100)
    await new Promise((r) => setTimeout(r, 10))
  }
  await until(() => h.metric('deepflow_relay_series_sent_total{exporter="rw"}') === 2, 'the retry delivered')
  assert.deepEqual(seriesText(rx.requests[1]!.series).sort(), [
    `request{datasource="${APP_MAP}",l7_protocol="HTTP"} 1 @${T_MS}`,
    `response{datasource="${APP_MAP}",l7_protocol="HTTP"} 2 @${T_MS}`,
  ])
  assert.equal(h.metric('deepflow_relay_remote_write_ingest_requests_total{code="429"}'), 1)
  await h.relay.stop()
  assert.equal(rxNet.requests.length, 0)
  await rx.close()
  await rxNet.close()
})

test('503 while shutting down', async () => {
  const h = await startHarness(`exporters:\n${exporter('rw', 'http://127.0.0.1:9/api/v1/write', APP_MAP)}`)
  await h.relay.stop()
  const res = await writeSeries(h, [series('request', 1)])
  assert.equal(res.status, 503)
  assert.deepEqual(await res.json(), { error: 'shutting down: not accepting series' })
})
