// Remote-write series → record groups. Each sample of each series becomes the DeepFlow record it
// came from — { time: ⌊ms / 1000⌋, <label>: <value>, …, <__name__>: <sample value> } of the series'
// `datasource` — through that data source's normaliser, as POST /v1/records records are. A series
// is valid whole or rejected whole (with a reason and an error naming its index). Pure.
// createSeriesReader takes the series one at a time (as a WriteRequest is decoded) and hands each
// valid series' records on at once; seriesToGroups collects them.
import type { IngestLimits } from '../config/types.ts'
import type { RecordGroup } from '../pipeline/admission.ts'
import { describe } from '../record/field-parsers.ts'
import { longerThan } from '../record/limits.ts'
import type { DeepFlowRecord } from '../record/normalize.ts'
import type { TimeSeries } from '../wire/remote-write/prompb-types.ts'
import type { PrometheusSource } from './remote-write-sources.ts'

/** Labels of deepflow_relay_remote_write_series_rejected_total. */
export type SeriesReason =
  | 'missing_datasource'
  | 'unknown_datasource'
  | 'not_a_metric'
  | 'duplicate_label'
  | 'no_samples'
  | 'invalid_value'
  | 'too_many_fields'
  | 'string_too_long'

export interface SeriesError {
  /** Index of the series in the request. */
  readonly series: number
  readonly field?: string
  readonly error: string
}

export interface SeriesGroups {
  /** The records of the valid series, by data source (in order of first appearance). */
  readonly groups: RecordGroup[]
  /** Valid series by data source. */
  readonly series: ReadonlyMap<string, number>
  /** Labels of valid series that are not tags of the data source (ignored), by data source. */
  readonly unknownFields: ReadonlyMap<string, number>
  /** Rejected series by data source ('' when the datasource label is missing or unknown) and reason, in order of first rejection. */
  readonly rejected: readonly { readonly ds: string; readonly reason: SeriesReason; readonly count: number }[]
  /** One per rejected series, in request order. */
  readonly errors: SeriesError[]
}

type Rejection = { readonly ds: string; readonly reason: SeriesReason; readonly error: SeriesError }
type Converted = { readonly ds: string; readonly records: DeepFlowRecord[]; readonly unknown: number }

/** What a request's series came to, beside their records. */
export type SeriesOutcome = Omit<SeriesGroups, 'groups'>

export interface SeriesReader {
  /** One series of the request (`index`: its position). */
  read(series: TimeSeries, index: number): void
  result(): SeriesOutcome
}

/** Reads series one at a time; the records of each valid one go to `add` at once. */
export function createSeriesReader(
  sources: ReadonlyMap<string, PrometheusSource>,
  limits: Pick<IngestLimits, 'maxFields' | 'maxStringBytes'>,
  add: (ds: string, records: readonly DeepFlowRecord[]) => void,
): SeriesReader {
  const series = new Map<string, number>()
  const unknownFields = new Map<string, number>()
  const rejected = new Map<string, { ds: string; reason: SeriesReason; count: number }>()
  const errors: SeriesError[] = []
  return {
    read(s, index) {
      const r = convertSeries(s, index, sources, limits)
      if ('reason' in r) {
        const key = `${r.ds}\u0000${r.reason}`
        const entry = rejected.get(key)
        if (entry === undefined) rejected.set(key, { ds: r.ds, reason: r.reason, count: 1 })
        else entry.count++
        errors.push(r.error)
        return
      }
      add(r.ds, r.records)
      series.set(r.ds, (series.get(r.ds) ?? 0) + 1)
      if (r.unknown > 0) unknownFields.set(r.ds, (unknownFields.get(r.ds) ?? 0) + r.unknown)
    },
    result: () => ({ series, unknownFields, rejected: [...rejected.values()], errors }),
  }
}

export function seriesToGroups(
  timeseries: readonly TimeSeries[],
  sources: ReadonlyMap<string, PrometheusSource>,
  limits: Pick<IngestLimits, 'maxFields' | 'maxStringBytes'>,
): SeriesGroups {
  const groups = new Map<string, DeepFlowRecord[]>()
  const reader = createSeriesReader(sources, limits, (ds, records) => {
    let group = groups.get(ds)
    if (group === undefined) groups.set(ds, group = [])
    group.push(...records)
  })
  timeseries.forEach((s, index) => reader.read(s, index))
  return { groups: [...groups].map(([ds, records]) => ({ ds, records })), ...reader.result() }
}

/** One series: its records, or why it is rejected. */
function convertSeries(
  series: TimeSeries,
  index: number,
  sources: ReadonlyMap<string, PrometheusSource>,
  { maxFields, maxStringBytes }: Pick<IngestLimits, 'maxFields' | 'maxStringBytes'>,
): Converted | Rejection {
  let name: string | undefined
  let dsName: string | undefined
  const seen = new Set<string>()
  let duplicate: string | undefined
  for (const { name: label, value } of series.labels) {
    if (seen.has(label)) duplicate ??= label
    seen.add(label)
    if (label === '__name__') name = value
    else if (label === 'datasource') dsName = value
  }
  const reject = (ds: string, reason: SeriesReason, error: Omit<SeriesError, 'series'>): Rejection => ({
    ds,
    reason,
    error: { series: index, ...error },
  })
  if (dsName === undefined || dsName === '') return reject('', 'missing_datasource', { error: 'no datasource label' })
  const source = sources.get(dsName)
  if (source === undefined) {
    return reject('', 'unknown_datasource', {
      error: `datasource ${describe(dsName)} is not a flow_metrics data source (valid: ${[...sources.keys()].join(', ')})`,
    })
  }
  if (series.labels.length > maxFields) {
    return reject(dsName, 'too_many_fields', { error: `more than ${maxFields} labels (relay.max-fields)` })
  }
  const long = series.labels.find((l) => longerThan(l.value, maxStringBytes) || longerThan(l.name, maxStringBytes))
  if (long !== undefined) {
    const field = long.name.length > 64 ? `${long.name.slice(0, 61)}...` : long.name
    return reject(dsName, 'string_too_long', {
      field,
      error: `label longer than the limit of ${maxStringBytes} bytes (relay.max-string-bytes)`,
    })
  }
  if (duplicate !== undefined) return reject(dsName, 'duplicate_label', { field: duplicate, error: 'label name given twice' })
  if (name === undefined || !source.metrics.has(name)) {
    return reject(dsName, 'not_a_metric', {
      field: '__name__',
      error: name === undefined ? 'no __name__ label' : `${describe(name)} is not a metric field of ${dsName}`,
    })
  }
  if (series.samples.length === 0) return reject(dsName, 'no_samples', { error: 'series without samples' })

  // The tags: every label but __name__ and datasource; an empty value is an absent label, as in
  // Prometheus. Labels naming `time` or a metric field are not tags: ignored as unknown.
  const tags = Object.create(null) as Record<string, string>
  let ignored = 0
  for (const { name: label, value } of series.labels) {
    if (label === '__name__' || label === 'datasource' || value === '') continue
    if (label === 'time' || source.metricSpellings.has(label)) ignored++
    else tags[label] = value
  }
  const records: DeepFlowRecord[] = []
  let unknown = ignored
  for (const sample of series.samples) {
    if (!Number.isFinite(sample.value)) {
      return reject(dsName, 'invalid_value', {
        field: name,
        error: `sample value ${sample.value} is not a finite number (a staleness marker or NaN/Inf)`,
      })
    }
    const result = source.normalize({ ...tags, time: Math.floor(sample.timestamp / 1000), [name]: sample.value })
    if (!result.ok) {
      return reject(dsName, 'invalid_value', { ...(result.field === undefined ? {} : { field: result.field }), error: result.error })
    }
    records.push(result.record)
    unknown = ignored + result.unknownKeys
  }
  return { ds: dsName, records, unknown }
}
