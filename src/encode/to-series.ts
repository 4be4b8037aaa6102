// DeepFlow's flow_metrics document → remote-write series (flow_metrics/unmarshaller/exporter.go
// EncodeToPrometheus), compiled once per (exporter, data source):
// - one series per exported metric field present in the record: __name__ = the field name, one
//   sample = the value as float64 at `time` × 1000 ms; zeros are sent unless
//   export-empty-metrics-disabled;
// - labels: datasource="<ds>" plus every exported tag except `time`, translated as in the Kafka
//   line (enum names, device types, dictionary names) but under the field's own name (`pod_id_0`,
//   `agent_id`: the `_id` stays), empty values dropped, sorted by name.
import type { ExporterConfig } from '../config/types.ts'
import type { DataSourceSpec } from '../deepflow/schema.ts'
import { parseExportFields, selectFields } from '../export-fields/export-fields.ts'
import type { DeepFlowRecord } from '../record/normalize.ts'
import type { Value } from '../record/values.ts'
import { type DictionaryHolder, dictionaryOfOrg } from '../translate/dictionary.ts'
import { compileTranslator, type TranslateContext } from '../translate/translators.ts'
import type { TimeSeries } from '../wire/remote-write/prompb-types.ts'
import { fnv1aBytes, FNV_OFFSET } from '../util/fnv.ts'
import { fragmentSeries } from '../wire/remote-write/prompb-loader.ts'
import { labelKey, LabelsWriter } from '../wire/remote-write/labels-writer.ts'
import {
  encodeSeriesFragment,
  fragmentLane,
  metricHead,
  sampleTimestampField,
  type SeriesFragment,
} from '../wire/remote-write/series-fragment.ts'

export interface RecordSeries {
  readonly series: TimeSeries[]
  /** FNV-1a of the label bytes without __name__: picks the queue, so a series keeps its order. */
  readonly seriesHash: number
}

export type SeriesEncoder = (record: DeepFlowRecord) => RecordSeries

function labelText(v: Value): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'bigint') return String(v)
  return v.join(',')
}

/**
 * The full series of a record (each with all its labels), for the tests and the benchmark's inputs:
 * its fragment inflated and decoded, as a receiver sees it (the exporter queues the fragment).
 * Needs loadPrompb() first.
 */
export function compileSeriesEncoder(exporter: ExporterConfig, ds: DataSourceSpec, dictionary: DictionaryHolder): SeriesEncoder {
  const toFragment = compileSeriesFragmentEncoder(exporter, ds, dictionary)
  return (record) => {
    const { fragment, seriesHash } = toFragment(record)
    return { series: fragmentSeries(fragment), seriesHash }
  }
}

/** What a (exporter, data source) exports as series, compiled once: label fields sorted by name, metric fields. */
function compileSeriesFields(exporter: ExporterConfig, ds: DataSourceSpec) {
  const { selection } = parseExportFields(exporter.exportFields)
  const selected = selectFields(ds, selection)
  const opts = { enumNames: !exporter.enumTranslateToNameDisabled, universalNames: !exporter.universalTagTranslateToNameDisabled }
  const tags = ds.fields
    .filter((f) => selected[f.index] && f.kind === 'tag' && f.name !== 'time')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((field) => ({ field, translate: compileTranslator(ds, field, opts) }))
  const metrics = ds.fields.filter((f) => selected[f.index] && f.kind === 'metric')
  return {
    tags,
    metrics,
    timeIndex: ds.byName.get('time')!.index,
    labelNames: ['__name__', 'datasource', ...tags.map((t) => t.field.name)],
  }
}

/** A record's series as its queue item needs them: the snappy fragment, the number of series, the queue's hash. */
export interface RecordFragment {
  readonly fragment: SeriesFragment
  readonly units: number
  /** FNV-1a of the shared label bytes: picks the queue, so a series keeps its order. */
  readonly seriesHash: number
}

/**
 * A record's series written straight into their snappy fragment (the queue item): the labels every
 * series shares as bytes into one reused buffer (wire/remote-write/labels-writer.ts, the bytes
 * protobufjs writes), each metric's `__name__` head made once, the values into a reused array.
 * `labelNames`: every label name a series of this encoder can have, `__name__` and `datasource` included.
 */
export function compileSeriesFragmentEncoder(
  exporter: ExporterConfig,
  ds: DataSourceSpec,
  dictionary: DictionaryHolder,
): ((record: DeepFlowRecord) => RecordFragment) & { readonly labelNames: readonly string[] } {
  const { tags, metrics, timeIndex, labelNames } = compileSeriesFields(exporter, ds)
  const keyed = tags.map((t) => ({ ...t, key: labelKey(t.field.name) }))
  const dsKey = labelKey('datasource')
  const dsAt = keyed.findIndex((t) => t.field.name > 'datasource')
  const heads = metrics.map((f) => metricHead(f.name))
  const dropZeros = exporter.exportEmptyMetricsDisabled
  const ctx: TranslateContext = { dict: dictionary.current, universalKey: false }
  const orgIndex = ds.byName.get('org_id')?.index ?? -1
  const labels = new LabelsWriter()
  const foundHeads: Uint8Array[] = []
  const foundValues: number[] = []
  // A lane of slabs per queue: the record's queue is its hash modulo queue-count (pipeline/exporter.ts).
  const lanes = Array.from({ length: Math.max(1, exporter.queueCount) }, fragmentLane)

  const encode = (record: DeepFlowRecord): RecordFragment => {
    const values = record.values
    ctx.dict = dictionaryOfOrg(dictionary, orgIndex < 0 ? undefined : values[orgIndex])
    labels.reset()
    for (let i = 0; i < keyed.length; i++) {
      if (i === dsAt) labels.text(dsKey, ds.name)
      const { field, translate, key } = keyed[i]!
      const raw = values[field.index]
      if (raw === undefined) continue
      const v = translate === null ? raw : translate(values, ctx)
      if (v === undefined) continue
      if (typeof v === 'number') labels.number(key, v)
      else {
        const text = labelText(v)
        if (text !== '') labels.text(key, text)
      }
    }
    if (dsAt === -1) labels.text(dsKey, ds.name)
    const shared = labels.view()
    let n = 0
    for (let i = 0; i < metrics.length; i++) {
      const v = values[metrics[i]!.index]
      if (typeof v !== 'number' && typeof v !== 'bigint') continue
      const value = Number(v)
      if (dropZeros && value === 0) continue
      foundHeads[n] = heads[i]!
      foundValues[n++] = value
    }
    foundHeads.length = n
    foundValues.length = n
    const seriesHash = fnv1aBytes(FNV_OFFSET, shared, 0, shared.length)
    const lane = lanes[seriesHash % lanes.length]
    const fragment = encodeSeriesFragment(foundHeads, foundValues, shared, sampleTimestampField(Number(values[timeIndex]) * 1000), lane)
    return { fragment, units: n, seriesHash }
  }
  return Object.assign(encode, { labelNames })
}
