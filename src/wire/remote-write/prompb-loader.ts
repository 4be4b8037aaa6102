// protobufjs is loaded only when remote write is decoded: the first POST /api/v1/write, or the first
// tap of a prometheus exporter (its series shown decoded). Encoding never needs it (the exporters
// write their own fragments), so no relay starts with it (start-up time and idle memory).
import { snappyBlockUncompress } from '../../util/snappy.ts'
import type { TimeSeries } from './prompb-types.ts'
import { type SeriesFragment, snappyBlockOf } from './series-fragment.ts'

type Prompb = typeof import('./prompb.ts')

let loading: Promise<Prompb> | undefined
let loaded: Prompb | undefined

export function loadPrompb(): Promise<Prompb> {
  loading ??= import('./prompb.ts').then((m) => (loaded = m))
  return loading
}

/** The loaded module; throws when loadPrompb() was not awaited first (a bug). */
export function prompb(): Prompb {
  if (loaded === undefined) throw new Error('remote-write protobuf types used before loadPrompb() (bug)')
  return loaded
}

/** The series a fragment stands for, inflated and decoded as a receiver does (the tap's and the tests' view). */
export function fragmentSeries(fragment: SeriesFragment): TimeSeries[] {
  return prompb().decodeWriteRequest(snappyBlockUncompress(snappyBlockOf([fragment]))).timeseries
}
