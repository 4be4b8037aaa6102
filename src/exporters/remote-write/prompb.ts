// The remote-write 1.0 protobuf types, loaded from the generated descriptor (proto/ → prompb.gen.ts).
import protobuf from 'protobufjs/light.js'
import { PROMPB_DESCRIPTOR } from './prompb.gen.ts'
import type { TimeSeries } from './prompb-types.ts'

const root = protobuf.Root.fromJSON(PROMPB_DESCRIPTOR as unknown as protobuf.INamespace)

export const WriteRequest = root.lookupType('prometheus.WriteRequest')

export type { Label, Sample, TimeSeries } from './prompb-types.ts'

/** Encodes series as WriteRequest bytes; concatenated encodings are again one WriteRequest. */
export function encodeWriteRequest(timeseries: readonly TimeSeries[]): Uint8Array {
  return WriteRequest.encode({ timeseries }).finish()
}

export function decodeWriteRequest(bytes: Uint8Array): { timeseries: TimeSeries[] } {
  const message = WriteRequest.decode(bytes)
  return WriteRequest.toObject(message, { longs: Number, defaults: true }) as { timeseries: TimeSeries[] }
}
