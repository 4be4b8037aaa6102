// The full mapping of one HTTP/1 record with every section on ([$tag, $metrics, $k8s.label]) and a
// dictionary, in both modes. Expected values are derived from otlp_export.go (EncodeToOtlp L124-300)
// and universal_tag.go (QueryUniversalTags L198-267) at 2026e9de3; line numbers in comments.
import test from 'node:test'
import assert from 'node:assert/strict'
import { compileOtlpSpanEncoder } from '../../../src/encode/otlp/to-otlp-span.ts'
import { EMPTY_DICTIONARY } from '../../../src/translate/dictionary.ts'
import { HTTP_RECORD } from './records.ts'
import { assertGolden, type Attrs, decodeOne, DICT, DS, encode, type Expected, exporter, record } from './helpers.ts'

const UNIVERSAL: Attrs = [
  // putUniversalTags L55-79, side 0 (ids 0 and missing names are "": left out)
  ['df.universal_tag.region_0', 'region-1'],
  ['df.universal_tag.az_0', 'az-1'],
  ['df.universal_tag.host_0', 'host-5'], // deviceMap[TYPE_HOST<<32|5] (L211)
  ['df.universal_tag.vpc_0', 'vpc-1'],
  ['df.universal_tag.subnet_0', 'pod-subnet'],
  ['df.universal_tag.pod_cluster_0', 'k8s-1'],
  ['df.universal_tag.pod_ns_0', 'default'],
  ['df.universal_tag.pod_node_0', 'node-1'],
  ['df.universal_tag.pod_group_0', 'productpage-v1'],
  ['df.universal_tag.pod_0', 'productpage-v1-7f9c'],
  ['df.universal_tag.auto_instance_type_0', 'pod'], // deviceTypeStrings[10]
  ['df.universal_tag.auto_instance_0', 'productpage-v1-7f9c'], // deviceMap[10<<32|153]
  ['df.universal_tag.auto_service_type_0', 'pod_group'], // deviceTypeStrings[101]; no device 101:33 -> ""
  // side 1 (L81-103): host_id 0 -> ""; l3_epc -2 has no name; service 176 is device 102:176
  ['df.universal_tag.region_1', 'region-1'],
  ['df.universal_tag.az_1', 'az-2'],
  ['df.universal_tag.subnet_1', 'pod-subnet'],
  ['df.universal_tag.pod_cluster_1', 'k8s-1'],
  ['df.universal_tag.pod_ns_1', 'default'],
  ['df.universal_tag.pod_node_1', 'node-2'],
  ['df.universal_tag.pod_group_1', 'reviews-v2'],
  ['df.universal_tag.pod_1', 'reviews-v2-5d8f'],
  ['df.universal_tag.service_1', 'reviews'],
  ['df.universal_tag.chost_1', 'vm-21'], // fillDevice: l3_device_type 1 (TYPE_VM) -> CHost (L238-239)
  ['df.universal_tag.auto_instance_type_1', 'pod'],
  ['df.universal_tag.auto_instance_1', 'reviews-v2-5d8f'],
  ['df.universal_tag.auto_service_type_1', 'internet_ip'], // absent type = 0 (TYPE_INTERNET)
  ['df.universal_tag.auto_service_1', '10.1.2.4'], // getAuto L256-259: the side's IPv4
]

const resource = (captureNic: boolean): Attrs => [
  ...UNIVERSAL,
  // putK8sLabels L115-122 (labels by name here; the empty value is left out)
  ['df.custom_tag.k8s.labels.app_0', 'productpage'],
  ['df.custom_tag.k8s.labels.version_0', 'v1'],
  ['df.custom_tag.k8s.labels.app_1', 'reviews'],
  // SERVICE_INFO L184-198: client side (c-p) -> tags0; auto_service_0 "" is skipped, so the
  // app_service overwrite lands as a new key after service.instance.id.
  ['service.instance.id', 'productpage-v1-7f9c'],
  ['service.name', 'productpage'],
  ['process.pid_0', 1234n],
  ['process.pid_1', 5678n],
  ['thread.name_0', 'python3'],
  ['thread.name_1', 'java'],
  // FLOW_INFO L202-204: time is the end time in ns
  ['df.flow_info.id', 7376470921311012345n],
  ['df.flow_info.time', 1715133600123512000n],
  ['df.flow_info.flow_id', 7376470921311000001n],
  // CAPTURE_INFO L210-217
  ['df.capture_info.signal_source', 'eBPF'],
  ['df.capture_info.nat_source', 'NONE'],
  ...(captureNic ? [['df.capture_info.capture_nic', 'Invalid TapPort type is 7.'] as const] : []),
  ['df.capture_info.capture_nic_type', 'eBPF'],
  ['df.capture_info.observation_point', 'Client Process'],
  ['df.capture_info.agent', 'node-1-V3'],
  // NETWORK_LAYER L221-232 (bools always)
  ['df.network.is_ipv4', true],
  ['df.network.is_internet_0', false],
  ['df.network.is_internet_1', true], // l3_epc_id_1 == EPC_FROM_INTERNET (-2)
  ['df.network.ip_0', '10.1.2.3'],
  ['df.network.ip_1', '10.1.2.4'],
  ['df.network.protocol', 'TCP'],
  // TUNNEL_INFO: tunnel_type 0, nothing. TRANSPORT_LAYER L242-245: the 0 seqs left out
  ['df.transport.client_port', 43210n],
  ['df.transport.server_port', 9080n],
  // APPLICATION_LAYER L249-251
  ['df.application.l7_protocol', 'HTTP'],
  ['telemetry.sdk.name', 'deepflow'],
  ['telemetry.sdk.version', 'v7.1.7.3'],
]

const ATTRIBUTES: Attrs = [
  ['peer.service', 'reviews'], // NATIVE_TAG L140-144 ("empty" has an empty value)
  // TRACING_INFO L148-157
  ['df.span.x_request_id_0', 'xr-0'],
  ['df.span.syscall_trace_id_request', -1n], // int64(uint64 max)
  ['df.span.syscall_thread_0', 1234n],
  ['df.span.syscall_cap_seq_0', 11n],
  ['df.span.native.trace_id', '4bf92f3577b34da6a3ce929d0e0e4736'],
  // L180-181
  ['df.span.type', 'session'],
  ['df.span.endpoint', '/reviews/{id}'],
  // setHTTP L428-441
  ['http.flavor', '1.1'],
  ['http.method', 'GET'],
  ['net.peer.name', 'vm-21'], // request_domain first, updated in place by chost_1 (L392-393)
  ['df.http.path', '/reviews/0'],
  ['df.global.request_id', 0n], // a present request_id is written even when 0
  ['http.status_code', 200n],
  ['df.http.proxy_client', '10.9.9.9'],
  // setOtherSpanKindHostAndPeer (c-p is not a server side): host = side 0, peer = side 1
  ['net.host.name', 'node-1'], // chost_0 "" -> pod_node_0
  ['net.host.port', 43210n],
  ['net.sock.host.addr', '10.1.2.3'],
  ['net.peer.port', 9080n],
  ['net.sock.peer.addr', '10.1.2.4'],
  // METRICS L284-297 (sql_affected_rows absent: nil)
  ['df.metrics.request_length', 178n],
  ['df.metrics.response_length', 295n],
  ['df.metrics.response_duration_us', 3512n],
  ['df.metrics.direction_score', 255n],
  ['cpu', { d: 0.25 }],
]

const expected = (quirks: boolean): Expected => ({
  resource: resource(quirks),
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '665e7d3880bdc5f9', // _id big-endian (L169)
  // L168: span_id "" -> getSpanID returns _id: its own parent (quirk); the relay: none.
  parentSpanId: quirks ? '665e7d3880bdc5f9' : '',
  name: 'GET /reviews/0', // L442
  kind: 3, // span_kind absent -> observation point c-p -> CLIENT (L172-176)
  start: 1715133600120000000n,
  end: 1715133600123512000n,
  attributes: ATTRIBUTES,
  events: [],
  status: 1, // response_status 0 -> OK
})

const ALL = ['$tag', '$metrics', '$k8s.label']

test('http full: [$tag, $metrics, $k8s.label] with a dictionary, relay fixes', () => {
  assertGolden('http-full', encode(ALL, HTTP_RECORD, { dictionary: DICT }), expected(false))
})

test('http full: deepflowQuirks gives DeepFlow exact bytes (self parent, Invalid TapPort text)', () => {
  assertGolden('http-full-quirks', encode(ALL, HTTP_RECORD, { dictionary: DICT, quirks: true }), expected(true))
})

test('http full: the two modes differ only in the parent and capture_nic', () => {
  const a = decodeOne(encode(ALL, HTTP_RECORD, { dictionary: DICT }))
  const b = decodeOne(encode(ALL, HTTP_RECORD, { dictionary: DICT, quirks: true }))
  assert.deepEqual({ ...a, parentSpanId: '', resource: [] }, { ...b, parentSpanId: '', resource: [] })
  assert.deepEqual(a.resource, b.resource.filter(([k]) => k !== 'df.capture_info.capture_nic'))
})

test('http full: a dictionary reload is seen by the next record (the holder is read per record)', () => {
  const holder = { current: DICT }
  const enc = compileOtlpSpanEncoder(exporter(['$tag.universal_tag']), DS, holder, { deepflowQuirks: false })
  const first = decodeOne(enc(record(HTTP_RECORD)))
  holder.current = EMPTY_DICTIONARY
  const second = decodeOne(enc(record(HTTP_RECORD)))
  assert.equal(first.resource.length, UNIVERSAL.length)
  assert.deepEqual(second.resource, [])
})
