// The record plan of a prometheus exporter: per data source its filter and series encoder; a
// queue item is the record's series already encoded as WriteRequest bytes and compressed as a
// snappy fragment (series-fragment.ts), so a batch body is their concatenation behind one length.
// batch-size counts series, as in DeepFlow.
//
// The tap (GET /v1/tap) decodes the payload of the items it samples — only while someone listens —
// and shows one NDJSON line per series and sample, labels in the order they are sent (sorted):
//   {"__name__":"byte_tx","labels":{"datasource":"flow_metrics.network.1m","ip4":"10.1.2.3"},"value":15320,"timestamp":1715133600000}
// value is a JSON number ("NaN", "+Inf", "-Inf" as strings), timestamp is in ms.
import type { ExporterConfig } from '../../config/types.ts'
import { dataSource } from '../../deepflow/schema.ts'
import { compileFilter } from '../../filter/compile-filter.ts'
import type { RecordPlan } from '../../pipeline/exporter.ts'
import type { DictionaryHolder } from '../../translate/dictionary.ts'
import type { TimeSeries } from '../../wire/remote-write/prompb-types.ts'
import { fragmentSeries } from '../../wire/remote-write/prompb-loader.ts'
import { compileSeriesFragmentEncoder } from '../../encode/to-series.ts'
import type { SeriesFragment } from '../../wire/remote-write/series-fragment.ts'

const EMPTY: SeriesFragment = { ops: new Uint8Array(0), rawLength: 0 }

export interface SeriesItem {
  /** WriteRequest-encoded series of one record, as a snappy fragment. */
  readonly payload: SeriesFragment
  /** Compressed bytes held in the queue. */
  readonly bytes: number
  /** Number of series. */
  readonly units: number
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** Why no receiver could accept this series (Prometheus answers 500, forever), or null. */
export function invalidSeries(series: TimeSeries): string | null {
  const names = new Set<string>()
  for (const { name, value } of series.labels) {
    if (!LABEL_NAME.test(name)) return `invalid label name ${JSON.stringify(name)}`
    if (names.has(name)) return `duplicate label name ${JSON.stringify(name)}`
    if (value === '') return `empty value of label ${JSON.stringify(name)}`
    names.add(name)
  }
  return names.size === 0 ? 'empty label set' : null
}

function sampleValue(v: number): number | string {
  if (Number.isFinite(v)) return v
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'
}

/** The tap's lines of series: one per sample, `{"__name__","labels":{…},"value","timestamp"}`. */
export function seriesTapLines(series: readonly TimeSeries[]): string[] {
  const lines: string[] = []
  for (const s of series) {
    let name = ''
    const labels: [string, string][] = []
    for (const l of s.labels) {
      if (l.name === '__name__') name = l.value
      else labels.push([l.name, l.value])
    }
    // fromEntries defines own properties: a label called __proto__ stays a label.
    const labelObject = Object.fromEntries(labels)
    for (const x of s.samples) {
      lines.push(JSON.stringify({ __name__: name, labels: labelObject, value: sampleValue(x.value), timestamp: x.timestamp }))
    }
  }
  return lines
}

/** The tap's view of a series item: its payload decoded (what the receiver decodes). */
export function seriesItemTapLines(item: SeriesItem): string[] {
  return seriesTapLines(fragmentSeries(item.payload))
}

export function compileSeriesPlans(
  exporter: ExporterConfig,
  dictionary: DictionaryHolder,
  onInvalid: (count: number, why: string) => void,
): Map<string, RecordPlan<SeriesItem>> {
  const plans = new Map<string, RecordPlan<SeriesItem>>()
  for (const name of exporter.dataSources) {
    const ds = dataSource(name)
    if (ds === undefined || plans.has(name)) continue
    const toFragment = compileSeriesFragmentEncoder(exporter, ds, dictionary)
    // Label names are schema field names and values are never empty (to-series.ts drops empty
    // ones): whether a receiver can accept these series is known here, once, not per record.
    const why = invalidSeries({ labels: toFragment.labelNames.map((name) => ({ name, value: 'x' })), samples: [] })
    plans.set(name, {
      filter: compileFilter(exporter, ds),
      encode(record) {
        const { fragment, units, seriesHash } = toFragment(record)
        if (why !== null) {
          onInvalid(units, why)
          return { item: { payload: EMPTY, bytes: 0, units: 0 }, seriesHash }
        }
        return { item: { payload: fragment, bytes: fragment.ops.byteLength, units }, seriesHash }
      },
      tapLines: seriesItemTapLines,
    })
  }
  return plans
}
