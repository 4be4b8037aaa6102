// The remote-write 1.0 protobuf types, loaded from the generated descriptor (proto/ → prompb.gen.ts).
import protobuf from 'protobufjs/light.js'
import { PROMPB_DESCRIPTOR } from './prompb.gen.ts'
import type { Label, TimeSeries } from './prompb-types.ts'
import { encodeSeriesFragment, type SeriesFragment } from './series-fragment.ts'

const root = protobuf.Root.fromJSON(PROMPB_DESCRIPTOR as unknown as protobuf.INamespace)

export const WriteRequest = root.lookupType('prometheus.WriteRequest')
const TimeSeriesType = root.lookupType('prometheus.TimeSeries')
const SampleType = root.lookupType('prometheus.Sample')

export type { Label, Sample, TimeSeries } from './prompb-types.ts'

/** Encodes series as WriteRequest bytes; concatenated encodings are again one WriteRequest. */
export function encodeWriteRequest(timeseries: readonly TimeSeries[]): Uint8Array {
  return WriteRequest.encode({ timeseries }).finish()
}

export function decodeWriteRequest(bytes: Uint8Array): { timeseries: TimeSeries[] } {
  const message = WriteRequest.decode(bytes)
  return WriteRequest.toObject(message, { longs: Number, defaults: true }) as { timeseries: TimeSeries[] }
}

/**
 * The series of WriteRequest bytes one at a time, in order (each decoded only when its turn comes,
 * so a request's series are never all alive at once); other fields (metadata) are skipped. Throws
 * as decodeWriteRequest does on bytes that are not a WriteRequest; `visit` may throw to stop.
 * `length`: the series' bytes in the request.
 */
export function forEachTimeSeries(bytes: Uint8Array, visit: (series: TimeSeries, index: number, length: number) => void): void {
  const next = seriesReader(bytes)
  for (let index = 0; next(visit, index); index++);
}

/**
 * Reads the next series of a WriteRequest's bytes (skipping other fields) and hands it to `visit`;
 * false once the bytes end. Shared by forEachTimeSeries and forEachTimeSeriesPaced.
 */
function seriesReader(bytes: Uint8Array): (visit: (series: TimeSeries, index: number, length: number) => void, index: number) => boolean {
  const reader = protobuf.Reader.create(bytes)
  return (visit, index) => {
    while (reader.pos < reader.len) {
      const tag = reader.uint32()
      if (tag !== TIMESERIES_TAG) {
        reader.skipType(tag & 7)
        continue
      }
      const length = reader.uint32()
      const message = TimeSeriesType.decode(reader, length)
      visit(TimeSeriesType.toObject(message, { longs: Number, defaults: true }) as TimeSeries, index, length)
      return true
    }
    return false
  }
}

/** Series read between two pauses of forEachTimeSeriesPaced. */
export const SERIES_PER_PAUSE = 1000

/**
 * forEachTimeSeries, awaiting `pause` every SERIES_PER_PAUSE series: a body of tens of thousands of
 * series does not hold the event loop for seconds. The visitor may throw to stop.
 */
export async function forEachTimeSeriesPaced(
  bytes: Uint8Array,
  visit: (series: TimeSeries, index: number, length: number) => void,
  pause: () => Promise<void>,
): Promise<void> {
  const next = seriesReader(bytes)
  for (let index = 0; next(visit, index); index++) {
    if ((index + 1) % SERIES_PER_PAUSE === 0) await pause()
  }
}

/** WriteRequest field 1 (timeseries), length-delimited. */
const TIMESERIES_TAG = (1 << 3) | 2

/** TimeSeries bytes holding only the `__name__` label: cached per metric name (a few dozen names). */
const nameBytes = new Map<string, Uint8Array>()

function nameHead(name: string): Uint8Array {
  let head = nameBytes.get(name)
  if (head === undefined) {
    head = TimeSeriesType.encode({ labels: [{ name: '__name__', value: name }] }).finish()
    nameBytes.set(name, head)
  }
  return head
}

/**
 * The series of one record, which share every label but `__name__`, as a snappy fragment of
 * WriteRequest bytes (series-fragment.ts): the shared labels are encoded once. Inflated, the same
 * bytes as encodeWriteRequest of the full series (`__name__` sorts first). protobufjs writes the
 * labels here: the reference the exporter's own writer (encode/to-series.ts
 * compileSeriesFragmentEncoder, labels-writer.ts) is checked against, byte for byte, in the tests.
 */
export function encodeSeriesSet(
  shared: readonly Label[],
  metrics: readonly { readonly name: string; readonly value: number }[],
  timestamp: number,
): SeriesFragment {
  const heads: Uint8Array[] = new Array(metrics.length)
  const values: number[] = new Array(metrics.length)
  for (let i = 0; i < metrics.length; i++) {
    heads[i] = nameHead(metrics[i]!.name)
    values[i] = metrics[i]!.value
  }
  return encodeSeriesFragment(heads, values, TimeSeriesType.encode({ labels: shared }).finish(), SampleType.encode({ timestamp }).finish())
}
