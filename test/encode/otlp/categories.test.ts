// Which attributes export-fields lets through: only the category bits DeepFlow's
// StringsToCategoryBits computes (server/ingester/exporters/config/config.go L696-720) gate OTLP
// attributes; plain field names do nothing; df.span.type / df.span.endpoint are always written.
import test from 'node:test'
import assert from 'node:assert/strict'
import { stringsToCategoryBits } from '../../../src/encode/otlp/categories.ts'
import { assertGolden, decodeOne, DICT, encode, type Expected, hex } from './helpers.ts'
import { HTTP_RECORD } from './records.ts'

const METRICS_ONLY: Expected = {
  resource: [],
  traceId: '', // TRACING_INFO off: no ids at all (pdata's empty ids)
  spanId: '',
  parentSpanId: '',
  name: '',
  kind: 0,
  start: 0n, // FLOW_INFO off: no times
  end: 0n,
  attributes: [
    ['df.span.type', 'session'],
    ['df.span.endpoint', '/reviews/{id}'],
    ['df.metrics.request_length', 178n],
    ['df.metrics.response_length', 295n],
    ['df.metrics.response_duration_us', 3512n],
    ['df.metrics.direction_score', 255n],
    ['cpu', { d: 0.25 }],
  ],
  events: [],
  status: 0, // APPLICATION_LAYER off: Status left unset (but written, empty)
}

test('[$metrics]: the metrics and the always-written span attributes only', () => {
  assertGolden('categories-metrics', encode(['$metrics'], HTTP_RECORD, { dictionary: DICT }), METRICS_ONLY)
})

test("DeepFlow's default list resolves to $metrics alone (its $service_info etc. are not category keys)", () => {
  const metrics = hex(encode(['$metrics'], HTTP_RECORD, { dictionary: DICT }))
  const defaults = ['$service_info', '$tracing_info', '$network_layer', '$flow_info', '$transport_layer', '$application_layer', '$metrics']
  assert.equal(hex(encode(defaults, HTTP_RECORD, { dictionary: DICT })), metrics)
  // An empty list is replaced by the default one (Validate L568-570).
  assert.equal(hex(encode([], HTTP_RECORD, { dictionary: DICT })), metrics)
})

test('$universal_tag alone is no category (looked up as "$universal_tag"): nothing gated is written', () => {
  const s = decodeOne(encode(['$universal_tag'], HTTP_RECORD, { dictionary: DICT }))
  assert.deepEqual(s.resource, [])
  assert.deepEqual(s.attributes, [['df.span.type', 'session'], ['df.span.endpoint', '/reviews/{id}']])
  assert.equal(stringsToCategoryBits(['$universal_tag']), 0)
})

test('$tag.universal_tag: the universal tags alone; $metrics.universal_tag is the same bit', () => {
  const s = decodeOne(encode(['$tag.universal_tag'], HTTP_RECORD, { dictionary: DICT }))
  assert.ok(s.resource.length > 0)
  assert.ok(s.resource.every(([k]) => k.startsWith('df.universal_tag.')))
  assert.equal(
    hex(encode(['$metrics.universal_tag'], HTTP_RECORD, { dictionary: DICT })),
    hex(encode(['$tag.universal_tag'], HTTP_RECORD, { dictionary: DICT })),
  )
})

test('k8s labels: only with "$k8s.label" itself (K8S_LABEL); $k8s.label.<name> and ~$k8s.label.<re> set no bit', () => {
  const labels = (fields: string[]) =>
    decodeOne(encode(fields, HTTP_RECORD, { dictionary: DICT })).resource.filter(([k]) => k.startsWith('df.custom_tag.'))
  assert.deepEqual(labels(['$k8s.label']), [
    ['df.custom_tag.k8s.labels.app_0', 'productpage'],
    ['df.custom_tag.k8s.labels.version_0', 'v1'],
    ['df.custom_tag.k8s.labels.app_1', 'reviews'],
  ])
  assert.deepEqual(labels(['$tag', '$metrics']), [])
  assert.deepEqual(labels(['$k8s.label.app']), []) // "label" is looked up: unknown
  assert.deepEqual(labels(['~$k8s.label.app']), []) // does not start with "$"
  assert.deepEqual(decodeOne(encode(['$k8s.label'], HTTP_RECORD)).resource, []) // no dictionary, no labels
  // pod 0 has no labels (L130: PodID0 != 0)
  assert.deepEqual(decodeOne(encode(['$k8s.label'], { time: 1, pod_id_0: 0, pod_id_1: 177 }, { dictionary: DICT })).resource, [
    ['df.custom_tag.k8s.labels.app_1', 'reviews'],
  ])
})

test('plain field names and unknown categories gate nothing', () => {
  const s = decodeOne(encode(['end_point', 'request_type', '$nonsense', '$tag.nonsense'], HTTP_RECORD, { dictionary: DICT }))
  assert.deepEqual(s.resource, [])
  assert.deepEqual(s.attributes, [['df.span.type', 'session'], ['df.span.endpoint', '/reviews/{id}']])
})

test('each sub-category gates its own section', () => {
  const keys = (field: string) => {
    const s = decodeOne(encode([field], HTTP_RECORD, { dictionary: DICT }))
    return [...s.resource.map(([k]) => k), ...s.attributes.map(([k]) => k)].filter((k) => k !== 'df.span.type' && k !== 'df.span.endpoint')
  }
  assert.deepEqual(keys('$tag.native_tag'), ['peer.service'])
  assert.deepEqual(keys('$tag.service_info'), [
    'service.instance.id',
    'service.name',
    'process.pid_0',
    'process.pid_1',
    'thread.name_0',
    'thread.name_1',
  ])
  assert.deepEqual(keys('$tag.flow_info'), ['df.flow_info.id', 'df.flow_info.time', 'df.flow_info.flow_id'])
  assert.deepEqual(keys('$tag.transport_layer'), ['df.transport.client_port', 'df.transport.server_port'])
  assert.deepEqual(keys('$tag.tunnel_info'), []) // tunnel_type 0
  const flow = decodeOne(encode(['$tag.flow_info'], HTTP_RECORD))
  assert.deepEqual([flow.start, flow.end], [1715133600120000000n, 1715133600123512000n])
  // $tag is every tag sub-category; with $metrics and $k8s.label: the full golden (http-full.test.ts)
  assert.equal(
    stringsToCategoryBits(['$tag']),
    2 | 4 | 8 | 16 | 32 | 64 | 128 | 256 | 512 | 1024 | 2048 | 8192, // TAG (config.go L653)
  )
})

test('StringsToCategoryBits splits on "." and takes the second part when it is not empty', () => {
  assert.equal(stringsToCategoryBits(['$tag.flow_info.extra']), stringsToCategoryBits(['$tag.flow_info']))
  assert.equal(stringsToCategoryBits(['$tag.']), stringsToCategoryBits(['$tag'])) // empty second part: "$tag"
  assert.equal(stringsToCategoryBits(['$metrics.flow_info']), 2) // FLOW_INFO, from a "$metrics" prefix
  assert.equal(stringsToCategoryBits(['tag.flow_info']), 0) // no "$": skipped
})

test('times: µs × 1000 wraps in int64 as Go multiplies Durations', () => {
  // 9223372036854776 µs × 1000 = 2^63 + 192: int64 -9223372036854775616 (the same 64 bits as a Timestamp)
  const s = decodeOne(encode(['$tag.flow_info'], { time: 1, end_time: '9223372036854776' }))
  assert.deepEqual(s.resource, [['df.flow_info.time', -9223372036854775616n]])
  assert.equal(s.end, 9223372036854776000n)
})
