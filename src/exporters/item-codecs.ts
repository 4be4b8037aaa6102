// How each kind of queue item is written into a durable buffer (buffer/entry.ts holds these bytes)
// and read back: exactly what the queue holds, nothing re-encoded.
//   JSON line (kafka, stdout): ds length u8 | ds | timestamp f64 (ms) | line
//   remote-write fragment:     raw length u32 | series u32 | snappy ops
//   span (opentelemetry):      the ExportTraceServiceRequest bytes
// A read-back item owns its bytes (no slab): the sinks' release() lets such views go untouched.
import type { ItemCodec } from '../pipeline/disk-queue.ts'
import type { JsonItem } from './json-plan.ts'
import type { SeriesItem } from './remote-write/rw-plan.ts'
import type { SpanItem } from './otlp/span-item.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export const jsonItemCodec: ItemCodec<JsonItem> = {
  encode(item) {
    const ds = encoder.encode(item.dataSource)
    const out = new Uint8Array(1 + ds.length + 8 + item.line.length)
    out[0] = ds.length
    out.set(ds, 1)
    new DataView(out.buffer).setFloat64(1 + ds.length, item.timestampMs, true)
    out.set(item.line, 1 + ds.length + 8)
    return out
  },
  decode(bytes) {
    if (bytes.length < 1 || bytes.length < 1 + bytes[0]! + 8) return undefined
    const dsEnd = 1 + bytes[0]!
    const line = bytes.subarray(dsEnd + 8)
    return {
      dataSource: decoder.decode(bytes.subarray(1, dsEnd)),
      timestampMs: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(dsEnd, true),
      line,
      bytes: line.length,
      units: 1,
    }
  },
}

export const seriesItemCodec: ItemCodec<SeriesItem> = {
  encode(item) {
    const out = new Uint8Array(8 + item.payload.ops.length)
    const view = new DataView(out.buffer)
    view.setUint32(0, item.payload.rawLength, true)
    view.setUint32(4, item.units, true)
    out.set(item.payload.ops, 8)
    return out
  },
  decode(bytes) {
    if (bytes.length < 8) return undefined
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const ops = bytes.subarray(8)
    return { payload: { ops, rawLength: view.getUint32(0, true) }, bytes: ops.length, units: view.getUint32(4, true) }
  },
}

export const spanItemCodec: ItemCodec<SpanItem> = {
  encode: (item) => item.payload,
  decode: (bytes) => ({ payload: bytes, bytes: bytes.length, units: 1 }),
}
