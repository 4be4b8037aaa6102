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

/** The UTF-8 of each data source name (a dozen of them), made once. */
const dsBytes = new Map<string, Uint8Array>()
const bytesOf = (ds: string) => {
  let b = dsBytes.get(ds)
  if (b === undefined) dsBytes.set(ds, b = encoder.encode(ds))
  return b
}

export const jsonItemCodec: ItemCodec<JsonItem> = {
  size: (item) => 1 + bytesOf(item.dataSource).length + 8 + item.line.length,
  write(item, out, at) {
    const ds = bytesOf(item.dataSource)
    out[at] = ds.length
    out.set(ds, at + 1)
    new DataView(out.buffer, out.byteOffset, out.byteLength).setFloat64(at + 1 + ds.length, item.timestampMs, true)
    out.set(item.line, at + 1 + ds.length + 8)
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
  size: (item) => 8 + item.payload.ops.length,
  write(item, out, at) {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
    view.setUint32(at, item.payload.rawLength, true)
    view.setUint32(at + 4, item.units, true)
    out.set(item.payload.ops, at + 8)
  },
  decode(bytes) {
    if (bytes.length < 8) return undefined
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const ops = bytes.subarray(8)
    return { payload: { ops, rawLength: view.getUint32(0, true) }, bytes: ops.length, units: view.getUint32(4, true) }
  },
}

export const spanItemCodec: ItemCodec<SpanItem> = {
  size: (item) => item.payload.length,
  write: (item, out, at) => out.set(item.payload, at),
  decode: (bytes) => ({ payload: bytes, bytes: bytes.length, units: 1 }),
}
