// Snappy for Kafka record batches, on snappyjs. Producing writes the raw block format, as sarama
// (DeepFlow's client) does; brokers and librdkafka read it. Reading also accepts the xerial framing
// Java producers write. (kafkajs ships no snappy codec; kafkajs-snappy would be a dependency for
// these few lines.)
import { snappyBlockCompress as compress, snappyBlockUncompress as uncompress } from '../../util/snappy.ts'

const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]
const XERIAL_HEADER = 16

function isXerial(bytes: Uint8Array): boolean {
  return bytes.length >= XERIAL_HEADER && XERIAL_MAGIC.every((b, i) => bytes[i] === b)
}

export function snappyCompress(bytes: Uint8Array): Uint8Array {
  return compress(new Uint8Array(bytes))
}

export function snappyDecompress(bytes: Uint8Array): Uint8Array {
  if (!isXerial(bytes)) return uncompress(new Uint8Array(bytes))
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const parts: Uint8Array[] = []
  let at = XERIAL_HEADER
  while (at + 4 <= bytes.length) {
    const size = view.getUint32(at)
    parts.push(uncompress(bytes.slice(at + 4, at + 4 + size)))
    at += 4 + size
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}
