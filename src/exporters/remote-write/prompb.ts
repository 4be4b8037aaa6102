// The remote-write 1.0 protobuf types, loaded from the generated descriptor (proto/ → prompb.gen.ts).
import protobuf from 'protobufjs/light.js'
import { PROMPB_DESCRIPTOR } from './prompb.gen.ts'
import type { Label, TimeSeries } from './prompb-types.ts'

const root = protobuf.Root.fromJSON(PROMPB_DESCRIPTOR as unknown as protobuf.INamespace)

export const WriteRequest = root.lookupType('prometheus.WriteRequest')
const TimeSeriesType = root.lookupType('prometheus.TimeSeries')

export type { Label, Sample, TimeSeries } from './prompb-types.ts'

/** Encodes series as WriteRequest bytes; concatenated encodings are again one WriteRequest. */
export function encodeWriteRequest(timeseries: readonly TimeSeries[]): Uint8Array {
  return WriteRequest.encode({ timeseries }).finish()
}

export function decodeWriteRequest(bytes: Uint8Array): { timeseries: TimeSeries[] } {
  const message = WriteRequest.decode(bytes)
  return WriteRequest.toObject(message, { longs: Number, defaults: true }) as { timeseries: TimeSeries[] }
}

/** TimeSeries bytes holding only the `__name__` label: cached per metric name (a few dozen names). */
const nameBytes = new Map<string, Uint8Array>()

/**
 * The series of one record, which share every label but `__name__`, as WriteRequest bytes. The shared
 * labels are encoded once: a TimeSeries message is the concatenation of its fields, so each series
 * is its `__name__` label, the shared labels and its sample, put together (the labels stay sorted:
 * `__name__` sorts first). The same bytes as encodeWriteRequest of the full series.
 */
export function encodeSeriesSet(shared: readonly Label[], metrics: readonly { readonly name: string; readonly value: number }[], timestamp: number): Uint8Array {
  const sharedBytes = TimeSeriesType.encode({ labels: shared }).finish()
  const writer = protobuf.Writer.create()
  for (const m of metrics) {
    let head = nameBytes.get(m.name)
    if (head === undefined) {
      head = TimeSeriesType.encode({ labels: [{ name: '__name__', value: m.name }] }).finish()
      nameBytes.set(m.name, head)
    }
    const tail = TimeSeriesType.encode({ samples: [{ value: m.value, timestamp }] }).finish()
    const body = new Uint8Array(head.length + sharedBytes.length + tail.length)
    body.set(head, 0)
    body.set(sharedBytes, head.length)
    body.set(tail, head.length + sharedBytes.length)
    writer.uint32(10).bytes(body)
  }
  return writer.finish()
}
