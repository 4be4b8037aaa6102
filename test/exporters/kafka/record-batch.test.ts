// The Kafka record batch the relay writes (record-batch.ts), read back by an independent reader
// (test/helpers/kafka-batch.ts): header fields as Kafka's v2 format wants them for a plain producer,
// the CRC-32C as kafkajs computes it, each record's deltas, null key, value and no headers, for each
// codec; and the Produce request body around it. The broker tests send these batches to a real broker.
import test from 'node:test'
import assert from 'node:assert/strict'
import { crc32c } from '../../../src/util/crc32c.ts'
import { encodeRecordBatch, produceRequestBody } from '../../../src/exporters/kafka/record-batch.ts'
import { snappyBlockUncompress } from '../../../src/util/snappy.ts'
import { decodeRecordBatch } from '../../helpers/kafka-batch.ts'

const utf8 = new TextEncoder()
const T0 = 1_715_133_600_000

test('CRC-32C: the standard check value, and kafkajs agrees on every length and offset', async () => {
  assert.equal(crc32c(utf8.encode('123456789')), 0xe3069283)
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa) // RFC 3720 B.4: 32 bytes of zeros
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43) // and of ones
  const { default: kafkajs } = await import('kafkajs/src/protocol/recordBatch/crc32C/index.js')
  const bytes = new Uint8Array(300).map((_, i) => (i * 131 + 7) & 0xff)
  for (let from = 0; from < 9; from++) {
    for (const to of [from, from + 1, from + 7, from + 8, from + 9, 150, 300]) {
      assert.equal(crc32c(bytes, from, to), kafkajs(Buffer.from(bytes.subarray(from, to))), `[${from}, ${to})`)
    }
  }
})

const records = [
  { line: utf8.encode('{"a":1}'), timestampMs: T0 + 5 },
  { line: utf8.encode('{"b":"ü"}'), timestampMs: T0 },
  { line: utf8.encode('x'.repeat(300)), timestampMs: T0 + 3_000_000_000 }, // a delta past 2^31 ms
]

for (const codec of ['none', 'gzip', 'snappy'] as const) {
  test(`record batch (${codec}): a plain producer's header, kafkajs's CRC, every record back in order`, async () => {
    const batch = await encodeRecordBatch(records, codec)
    const d = decodeRecordBatch(batch)
    assert.equal(d.baseOffset, 0n)
    assert.equal(d.partitionLeaderEpoch, -1)
    assert.equal(d.magic, 2)
    assert.equal(d.crcOk, true)
    assert.equal(d.codec, { none: 0, gzip: 1, snappy: 2 }[codec])
    assert.equal(d.lastOffsetDelta, 2)
    assert.equal(d.baseTimestamp, T0)
    assert.equal(d.maxTimestamp, T0 + 3_000_000_000)
    assert.deepEqual([d.producerId, d.producerEpoch, d.baseSequence], [-1n, -1, -1])
    assert.deepEqual(d.records, [
      { offsetDelta: 0, timestampMs: T0 + 5, key: null, value: '{"a":1}', headers: 0 },
      { offsetDelta: 1, timestampMs: T0, key: null, value: '{"b":"ü"}', headers: 0 },
      { offsetDelta: 2, timestampMs: T0 + 3_000_000_000, key: null, value: 'x'.repeat(300), headers: 0 },
    ])
  })
}

test('record batch bytes: the first record of an uncompressed batch, byte for byte', async () => {
  const batch = await encodeRecordBatch([{ line: utf8.encode('{}'), timestampMs: T0 }], 'none')
  // length 8 (zig-zag 16), attributes 0, timestamp delta 0, offset delta 0, key -1 (zig-zag 1),
  // value length 2 (zig-zag 4), "{}", 0 headers
  assert.deepEqual([...batch.subarray(61)], [16, 0, 0, 0, 1, 4, 0x7b, 0x7d, 0])
  assert.equal(batch.length, 61 + 9)
})

test('snappy: the records section is one raw snappy block (as sarama writes it), not xerial-framed', async () => {
  const lines = Array.from(
    { length: 40 },
    (_, i) => ({ line: utf8.encode(`{"datasource":"flow_log.l7_flow_log","i":${i}}`), timestampMs: T0 }),
  )
  const d = decodeRecordBatch(await encodeRecordBatch(lines, 'snappy'))
  const plain = decodeRecordBatch(await encodeRecordBatch(lines, 'none'))
  assert.deepEqual([...snappyBlockUncompress(d.section)], [...plain.section]) // snappyjs reads it as one block
  assert.ok(d.section.length < plain.section.length / 3)
  assert.notDeepEqual([...d.section.subarray(0, 8)], [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
})

test('Produce request body (v3–v7): null transactional id, acks, timeout, one topic, one partition, the batch', () => {
  const batch = new Uint8Array([9, 8, 7])
  assert.deepEqual([...produceRequestBody('t1', 5, -1, 30_000, batch)], [
    0xff,
    0xff, // transactional_id null
    0xff,
    0xff, // acks -1
    0,
    0,
    0x75,
    0x30, // timeout 30000
    0,
    0,
    0,
    1, // one topic
    0,
    2,
    0x74,
    0x31, // "t1"
    0,
    0,
    0,
    1, // one partition
    0,
    0,
    0,
    5, // partition 5
    0,
    0,
    0,
    3,
    9,
    8,
    7, // records
  ])
})

test('batches made one after another (reused buffers) are each whole; a batch over the buffers is too', async () => {
  const line = (i: number, n: number) => ({ line: utf8.encode(`{"i":${i},"pad":"${'p'.repeat(n)}"}`), timestampMs: T0 + i })
  const small = Array.from({ length: 30 }, (_, i) => line(i, 40))
  const large = Array.from({ length: 3000 }, (_, i) => line(i, 1500)) // ~4.6 MB: past the 4 MiB the buffers keep
  const first = await encodeRecordBatch(small, 'snappy')
  const second = await encodeRecordBatch(large, 'snappy')
  const third = await encodeRecordBatch(small.slice(0, 5), 'snappy')
  for (const [batch, want] of [[first, small], [second, large], [third, small.slice(0, 5)]] as const) {
    const d = decodeRecordBatch(batch)
    assert.equal(d.crcOk, true)
    assert.deepEqual(d.records.map((r) => r.value), want.map((r) => new TextDecoder().decode(r.line)))
  }
})
