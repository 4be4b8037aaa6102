// What one remote-write request carries, without sending it: the headers (extra-headers first,
// less the reserved ones, then remote write 1.0's and our User-Agent) and the body (a batch's
// snappy fragments behind one length: one snappy block of a WriteRequest).
import test from 'node:test'
import assert from 'node:assert/strict'
import { requestBody, requestHeaders } from '../../../src/exporters/remote-write/request.ts'
import type { SeriesItem } from '../../../src/exporters/remote-write/rw-plan.ts'
import { snappyBlockUncompress } from '../../../src/util/snappy.ts'
import { loadPrompb } from '../../../src/wire/remote-write/prompb-loader.ts'
import {
  decodeWriteRequest,
  encodeSeriesSet,
  encodeWriteRequest,
  type Label,
  type TimeSeries,
} from '../../../src/wire/remote-write/prompb.ts'
import { snappyBlockOf } from '../../../src/wire/remote-write/series-fragment.ts'

await loadPrompb()

const RW_HEADERS: [string, string][] = [
  ['Content-Encoding', 'snappy'],
  ['Content-Type', 'application/x-protobuf'],
  ['X-Prometheus-Remote-Write-Version', '0.1.0'],
]

test('without extra-headers: the three remote-write 1.0 headers and User-Agent deepflow-relay/<version>, in that order', () => {
  assert.deepEqual(Object.entries(requestHeaders({}, '1.4.2')), [...RW_HEADERS, ['User-Agent', 'deepflow-relay/1.4.2']])
  assert.equal(requestHeaders({}, '0.0.0-dev')['User-Agent'], 'deepflow-relay/0.0.0-dev')
})

test('extra-headers come first, names and values as configured', () => {
  const extra = { 'X-Scope-OrgID': 'tenant-1', Authorization: 'Bearer abc', 'x-lower': 'v' }
  assert.deepEqual(Object.entries(requestHeaders(extra, '1.4.2')), [
    ['X-Scope-OrgID', 'tenant-1'],
    ['Authorization', 'Bearer abc'],
    ['x-lower', 'v'],
    ...RW_HEADERS,
    ['User-Agent', 'deepflow-relay/1.4.2'],
  ])
})

test('extra-headers cannot set the remote-write headers, User-Agent or transport headers, in any case', () => {
  const extra = {
    'content-encoding': 'gzip',
    'CONTENT-TYPE': 'text/plain',
    'X-Prometheus-Remote-Write-Version': '2.0.0',
    'user-agent': 'curl/8',
    'Content-Length': '1',
    Host: 'evil',
    connection: 'close',
    'Transfer-Encoding': 'chunked',
    'X-Kept': 'yes',
  }
  assert.deepEqual(Object.entries(requestHeaders(extra, '1.4.2')), [['X-Kept', 'yes'], ...RW_HEADERS, [
    'User-Agent',
    'deepflow-relay/1.4.2',
  ]])
})

test('the headers are a new object each time; extra-headers are left as they were', () => {
  const extra = { 'X-Scope-OrgID': 'tenant-1', 'Content-Type': 'text/plain' }
  const a = requestHeaders(extra, '1')
  const b = requestHeaders(extra, '1')
  assert.notEqual(a, b)
  assert.notEqual(a, extra)
  assert.deepEqual(extra, { 'X-Scope-OrgID': 'tenant-1', 'Content-Type': 'text/plain' })
})

/** A queue item of one record's series, as rw-plan makes it. */
function item(shared: Label[], metrics: { name: string; value: number }[], timestamp: number): SeriesItem {
  const payload = encodeSeriesSet(shared, metrics, timestamp)
  return { payload, bytes: payload.ops.length, units: metrics.length }
}

/** The series of those items, written out in full. */
function fullSeries(shared: Label[], metrics: { name: string; value: number }[], timestamp: number): TimeSeries[] {
  return metrics.map((m) => ({ labels: [{ name: '__name__', value: m.name }, ...shared], samples: [{ value: m.value, timestamp }] }))
}

const T = 1715133600000
const R1: [Label[], { name: string; value: number }[], number] = [
  [{ name: 'datasource', value: 'flow_metrics.network.1m' }, { name: 'ip4', value: '10.1.2.3' }],
  [{ name: 'byte_tx', value: 15320 }, { name: 'packet_tx', value: 0 }, { name: 'rtt_max', value: 830.5 }],
  T,
]
const R2: [Label[], { name: string; value: number }[], number] = [
  [{ name: 'datasource', value: 'flow_metrics.application.1s' }, { name: 'pod_id', value: 'productpage-v1-7f9c' }],
  [{ name: 'request', value: 12 }],
  T + 1000,
]

test('the body is one snappy block of the batch: the total length, then each item’s fragment as it is', () => {
  const a = item(...R1)
  const b = item(...R2)
  const body = requestBody([a, b])
  assert.deepEqual(body, snappyBlockOf([a.payload, b.payload]))
  // The varint preamble of the inflated length, then the fragments' bytes, concatenated.
  const raw = a.payload.rawLength + b.payload.rawLength
  assert.ok(raw >= 128 && raw < 16384, `raw length ${raw} takes a 2-byte varint`)
  assert.deepEqual([...body.subarray(0, 2)], [(raw & 0x7f) | 0x80, raw >> 7])
  assert.deepEqual(body.subarray(2), new Uint8Array([...a.payload.ops, ...b.payload.ops]))
  assert.equal(body.length, 2 + a.bytes + b.bytes)
  // Its own buffer, exactly the body (what fetch sends).
  assert.equal(body.byteOffset, 0)
  assert.equal(body.buffer.byteLength, body.length)
})

test('the body inflates to the WriteRequest of every series of the batch, in order', () => {
  const body = requestBody([item(...R1), item(...R2)])
  const inflated = snappyBlockUncompress(body)
  const expected = [...fullSeries(...R1), ...fullSeries(...R2)]
  assert.deepEqual(inflated, new Uint8Array(encodeWriteRequest(expected)))
  const decoded = decodeWriteRequest(inflated).timeseries.map((s) => [
    s.labels.map((l) => `${l.name}=${l.value}`).join(','),
    s.samples.map((x) => `${x.value}@${x.timestamp}`).join(' '),
  ])
  assert.deepEqual(decoded, [
    ['__name__=byte_tx,datasource=flow_metrics.network.1m,ip4=10.1.2.3', '15320@1715133600000'],
    ['__name__=packet_tx,datasource=flow_metrics.network.1m,ip4=10.1.2.3', '0@1715133600000'],
    ['__name__=rtt_max,datasource=flow_metrics.network.1m,ip4=10.1.2.3', '830.5@1715133600000'],
    ['__name__=request,datasource=flow_metrics.application.1s,pod_id=productpage-v1-7f9c', '12@1715133601000'],
  ])
})

test('the order of the batch is the order of the series; the same item twice is sent twice', () => {
  const a = item(...R1)
  const b = item(...R2)
  const names = (batch: SeriesItem[]) =>
    decodeWriteRequest(snappyBlockUncompress(requestBody(batch))).timeseries.map((s) => s.labels[0]!.value)
  assert.deepEqual(names([b, a]), ['request', 'byte_tx', 'packet_tx', 'rtt_max'])
  assert.deepEqual(names([b, b]), ['request', 'request'])
})

test('an empty batch, or items without series, make an empty WriteRequest', () => {
  assert.deepEqual(requestBody([]), new Uint8Array([0]))
  const empty: SeriesItem = { payload: { ops: new Uint8Array(0), rawLength: 0 }, bytes: 0, units: 0 }
  assert.deepEqual(requestBody([empty, empty]), new Uint8Array([0]))
  assert.deepEqual(decodeWriteRequest(snappyBlockUncompress(requestBody([empty]))).timeseries, [])
  // Between others, it adds nothing.
  const a = item(...R2)
  assert.deepEqual(requestBody([empty, a, empty]), requestBody([a]))
})
