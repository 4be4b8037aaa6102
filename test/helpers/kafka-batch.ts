// A Kafka v2 record batch read back, independently of the relay's writer (record-batch.ts): the
// header fields, whether its CRC-32C holds (kafkajs's byte-wise implementation), the records with
// their deltas, key, value and headers, the records section inflated per its codec (snappy as a
// raw block or xerial-framed chunks, as Kafka's readers accept; gzip).
import { gunzipSync } from 'node:zlib'
/// <reference path="./kafkajs-crc32c.d.ts" />
import kafkajsCrc32c from 'kafkajs/src/protocol/recordBatch/crc32C/index.js'
import { snappyBlockUncompress } from '../../src/util/snappy.ts'

export interface DecodedRecord {
  readonly offsetDelta: number
  readonly timestampMs: number
  readonly key: Uint8Array | null
  readonly value: string
  readonly headers: number
}

export interface DecodedBatch {
  readonly baseOffset: bigint
  readonly partitionLeaderEpoch: number
  readonly magic: number
  readonly crcOk: boolean
  readonly codec: number
  readonly lastOffsetDelta: number
  readonly baseTimestamp: number
  readonly maxTimestamp: number
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly baseSequence: number
  readonly records: DecodedRecord[]
  /** The records section as sent (compressed when codec ≠ 0). */
  readonly section: Uint8Array
}

const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]

function snappyInflate(bytes: Uint8Array): Uint8Array {
  if (!XERIAL_MAGIC.every((b, i) => bytes[i] === b)) return snappyBlockUncompress(bytes)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const parts: Uint8Array[] = []
  for (let at = 16; at + 4 <= bytes.length;) {
    const size = view.getUint32(at)
    parts.push(snappyBlockUncompress(bytes.subarray(at + 4, at + 4 + size)))
    at += 4 + size
  }
  return Buffer.concat(parts)
}

export function decodeRecordBatch(batch: Uint8Array): DecodedBatch {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength)
  const length = view.getInt32(8)
  if (length !== batch.length - 12) throw new Error(`batchLength ${length}, but ${batch.length - 12} bytes follow it`)
  const codec = view.getInt16(21) & 7
  const count = view.getInt32(57)
  const section = batch.subarray(61)
  const raw = codec === 0 ? section : codec === 1 ? new Uint8Array(gunzipSync(section)) : codec === 2 ? snappyInflate(section) : null
  if (raw === null) throw new Error(`codec ${codec} not read here`)
  let at = 0
  const varint = (): number => {
    let shift = 0
    let v = 0
    for (;;) {
      const b = raw[at++]!
      v += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) break
      shift += 7
    }
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2
  }
  const base = Number(view.getBigInt64(27))
  const records: DecodedRecord[] = []
  for (let i = 0; i < count; i++) {
    const len = varint()
    const end = at + len
    if (raw[at++] !== 0) throw new Error(`record ${i}: attributes ${raw[at - 1]}`)
    const timestampMs = base + varint()
    const offsetDelta = varint()
    const keyLen = varint()
    const key = keyLen < 0 ? null : raw.slice(at, at += keyLen)
    const valueLen = varint()
    const value = new TextDecoder().decode(raw.subarray(at, at += valueLen))
    const headers = varint()
    if (at !== end) throw new Error(`record ${i}: length ${len} but ${at - (end - len)} bytes read`)
    records.push({ offsetDelta, timestampMs, key, value, headers })
  }
  if (at !== raw.length) throw new Error(`${raw.length - at} bytes after the last record`)
  return {
    baseOffset: view.getBigInt64(0),
    partitionLeaderEpoch: view.getInt32(12),
    magic: batch[16]!,
    crcOk: view.getUint32(17) === kafkajsCrc32c(Buffer.from(batch.subarray(21))),
    codec,
    lastOffsetDelta: view.getInt32(23),
    baseTimestamp: base,
    maxTimestamp: Number(view.getBigInt64(35)),
    producerId: view.getBigInt64(43),
    producerEpoch: view.getInt16(51),
    baseSequence: view.getInt32(53),
    records,
    section,
  }
}
