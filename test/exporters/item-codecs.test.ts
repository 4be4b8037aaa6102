// The durable buffer's item codecs: what a queue holds comes back from its bytes as it was.
import test from 'node:test'
import assert from 'node:assert/strict'
import { jsonItemCodec, seriesItemCodec, spanItemCodec } from '../../src/exporters/item-codecs.ts'
import type { ItemCodec } from '../../src/pipeline/disk-queue.ts'

function roundTrip<T>(codec: ItemCodec<T>, item: T): T | undefined {
  const out = new Uint8Array(codec.size(item) + 5)
  codec.write(item, out, 5)
  return codec.decode(out.subarray(5))
}

test('a Kafka/stdout JSON line: data source, timestamp and line', () => {
  const line = new TextEncoder().encode('{"datasource":"flow_log.l7_flow_log","time":1}')
  const item = { dataSource: 'flow_log.l7_flow_log', line, timestampMs: 1715133600123.5, bytes: line.length, units: 1 as const }
  assert.deepEqual(roundTrip(jsonItemCodec, item), item)
  assert.equal(jsonItemCodec.size(item), 1 + 20 + 8 + line.length)
  assert.equal(jsonItemCodec.decode(new Uint8Array([30, 1, 2])), undefined)
})

test('a remote-write fragment: raw length, series and snappy ops', () => {
  const ops = new Uint8Array([0x0c, 1, 2, 3, 4])
  const item = { payload: { ops, rawLength: 1234 }, bytes: ops.length, units: 7 }
  assert.deepEqual(roundTrip(seriesItemCodec, item), item)
  assert.equal(seriesItemCodec.decode(new Uint8Array(3)), undefined)
})

test('a span: its request bytes', () => {
  const payload = new Uint8Array([0x0a, 3, 1, 2, 3])
  assert.deepEqual(roundTrip(spanItemCodec, { payload, bytes: 5, units: 1 }), { payload, bytes: 5, units: 1 })
})
