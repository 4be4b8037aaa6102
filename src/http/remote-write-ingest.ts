// POST /api/v1/write: Prometheus remote write 1.0 (snappy block format + protobuf
// prometheus.WriteRequest), as deepflow-server's prometheus exporter sends it. Each sample of each
// series becomes the DeepFlow record it came from — { time: ⌊ms / 1000⌋, <label>: <value>, …,
// <__name__>: <sample value> } of the series' `datasource` — through the same normaliser as
// POST /v1/records, and goes to every `prometheus` exporter that takes that data source, whose plan
// then filters, projects, translates and encodes it as it does any record. Invalid series are
// skipped and counted; the valid ones of a request are admitted all-or-nothing.
import type { Context } from 'hono'
import { readLimited } from '../ingest/read-body.ts'
import { snappyBlockUncompress as uncompress } from '../util/snappy.ts'
import { DATA_SOURCES, dataSource } from '../deepflow/schema.ts'
import type { TimeSeries } from '../wire/remote-write/prompb-types.ts'
import { loadPrompb } from '../wire/remote-write/prompb-loader.ts'
import { admitGroups, type RecordGroup } from '../pipeline/admission.ts'
import { describe } from '../record/field-parsers.ts'
import { longerThan } from '../record/limits.ts'
import { compileNormalizer, type DeepFlowRecord, type Normalizer } from '../record/normalize.ts'
import { MAX_REPORTED_ERRORS, type IngestDeps } from './ingest.ts'

const RETRY_AFTER_SECONDS = '1'

type Reason = 'missing_datasource' | 'unknown_datasource' | 'not_a_metric' | 'duplicate_label' | 'no_samples' | 'invalid_value' | 'too_many_fields' | 'string_too_long'

interface SeriesError {
  readonly series: number
  readonly field?: string
  readonly error: string
}

interface Source {
  readonly normalize: Normalizer
  /** Metric field names: the only valid `__name__` values. */
  readonly metrics: ReadonlySet<string>
  /** Every spelling of a metric field: such labels are not tags, and are ignored as unknown. */
  readonly metricSpellings: ReadonlySet<string>
}

/** The uncompressed length a snappy block announces (its varint preamble), or undefined. */
function snappyLength(bytes: Uint8Array): number | undefined {
  let n = 0
  for (let i = 0; i < 5 && i < bytes.length; i++) {
    const b = bytes[i]!
    n += (b & 0x7f) * 2 ** (7 * i)
    if (b < 0x80) return n
  }
  return undefined
}


export function createRemoteWriteHandler(deps: IngestDeps) {
  const { metrics, log } = deps
  const sources = new Map<string, Source>()
  for (const name of DATA_SOURCES) {
    const ds = dataSource(name)!
    if (!ds.prometheus) continue
    const metricFields = ds.fields.filter((f) => f.kind === 'metric')
    sources.set(name, {
      normalize: compileNormalizer(ds),
      metrics: new Set(metricFields.map((f) => f.name)),
      metricSpellings: new Set(metricFields.flatMap((f) => [f.name, f.filterName, ...(f.clickhouseColumn === null ? [] : [f.clickhouseColumn])])),
    })
    metrics.rwSeriesReceived.touch(name)
    metrics.rwSeriesUnrouted.touch(name)
    metrics.unknownFields.touch(name)
  }

  const reply = (c: Context, status: 204 | 400 | 413 | 415 | 429 | 503, body?: Record<string, unknown>, headers?: Record<string, string>) => {
    metrics.rwIngestRequests.inc([String(status)])
    return body === undefined ? c.body(null, 204) : c.json(body, status as Exclude<typeof status, 204>, headers)
  }

  return async (c: Context) => {
    if (deps.shuttingDown()) return reply(c, 503, { error: 'shutting down: not accepting series' })
    const contentType = c.req.header('content-type') ?? ''
    if (/proto=io\.prometheus\.write\.v2\.Request/i.test(contentType)) {
      return reply(c, 415, { error: 'remote write 2.0 (io.prometheus.write.v2.Request) is not supported; send remote write 1.0 (prometheus.WriteRequest)' })
    }
    const encoding = (c.req.header('content-encoding') ?? 'snappy').trim().toLowerCase()
    if (encoding !== 'snappy') {
      return reply(c, 415, { error: `unsupported Content-Encoding ${JSON.stringify(encoding)}; remote write bodies are snappy (block format)` })
    }

    // The body, bounded on the wire and after snappy (whose preamble announces the length).
    const limit = deps.maxBodyBytes
    const tooLarge = (what: string) => reply(c, 413, { error: `${what} is larger than the limit of ${limit} bytes (relay.max-body-bytes)` })
    if (Number(c.req.header('content-length') ?? Number.NaN) > limit) return tooLarge('body')
    const raw = c.req.raw.body === null ? new Uint8Array(0) : await readLimited(c.req.raw.body, limit)
    if (raw === 'too_large') return tooLarge('body')
    if (raw.byteLength === 0) return reply(c, 400, { error: 'empty body; expected a snappy-compressed remote-write WriteRequest' })
    const length = snappyLength(raw)
    if (length === undefined) return reply(c, 400, { error: 'body is not snappy (block format): no valid length preamble' })
    if (length > limit) return tooLarge(`snappy-uncompressed body (${length} bytes)`)
    let bytes: Uint8Array
    try {
      bytes = uncompress(raw, limit)
    } catch (err) {
      return reply(c, 400, { error: `body is not snappy (block format): ${err instanceof Error ? err.message : String(err)}` })
    }
    let timeseries: TimeSeries[]
    try {
      timeseries = (await loadPrompb()).decodeWriteRequest(bytes).timeseries
    } catch (err) {
      return reply(c, 400, { error: `body is not a remote-write 1.0 WriteRequest (protobuf): ${err instanceof Error ? err.message : String(err)}` })
    }
    // Each sample becomes a record: the request is bounded as POST /v1/records is.
    const { maxRecordsPerRequest, maxFields, maxStringBytes } = deps.limits
    let samples = 0
    for (const s of timeseries) samples += s.samples.length
    if (samples > maxRecordsPerRequest) {
      return reply(c, 413, { error: `request has more than ${maxRecordsPerRequest} samples (relay.max-records-per-request); send fewer per request` })
    }

    const groups = new Map<string, DeepFlowRecord[]>()
    const seriesByDs = new Map<string, number>()
    const errors: SeriesError[] = []
    const rejected = new Map<string, number>()
    /** Labels of valid series that are not tags of the data source (ignored), by data source. */
    const unknown = new Map<string, number>()
    let valid = 0
    const reject = (ds: string, reason: Reason, error: SeriesError) => {
      const key = `${ds}\u0000${reason}`
      rejected.set(key, (rejected.get(key) ?? 0) + 1)
      errors.push(error)
    }

    timeseries.forEach((series, index) => {
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
      if (dsName === undefined || dsName === '') return reject('', 'missing_datasource', { series: index, error: 'no datasource label' })
      const source = sources.get(dsName)
      if (source === undefined) {
        return reject('', 'unknown_datasource', { series: index, error: `datasource ${describe(dsName)} is not a flow_metrics data source (valid: ${[...sources.keys()].join(', ')})` })
      }
      if (series.labels.length > maxFields) return reject(dsName, 'too_many_fields', { series: index, error: `more than ${maxFields} labels (relay.max-fields)` })
      const long = series.labels.find((l) => longerThan(l.value, maxStringBytes) || longerThan(l.name, maxStringBytes))
      if (long !== undefined) {
        const field = long.name.length > 64 ? `${long.name.slice(0, 61)}...` : long.name
        return reject(dsName, 'string_too_long', { series: index, field, error: `label longer than the limit of ${maxStringBytes} bytes (relay.max-string-bytes)` })
      }
      if (duplicate !== undefined) return reject(dsName, 'duplicate_label', { series: index, field: duplicate, error: 'label name given twice' })
      if (name === undefined || !source.metrics.has(name)) {
        return reject(dsName, 'not_a_metric', {
          series: index,
          field: '__name__',
          error: name === undefined ? 'no __name__ label' : `${describe(name)} is not a metric field of ${dsName}`,
        })
      }
      if (series.samples.length === 0) return reject(dsName, 'no_samples', { series: index, error: 'series without samples' })

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
      let unknownHere = ignored
      for (const sample of series.samples) {
        if (!Number.isFinite(sample.value)) {
          return reject(dsName, 'invalid_value', { series: index, field: name, error: `sample value ${sample.value} is not a finite number (a staleness marker or NaN/Inf)` })
        }
        const result = source.normalize({ ...tags, time: Math.floor(sample.timestamp / 1000), [name]: sample.value })
        if (!result.ok) {
          return reject(dsName, 'invalid_value', { series: index, ...(result.field === undefined ? {} : { field: result.field }), error: result.error })
        }
        records.push(result.record)
        unknownHere = ignored + result.unknownKeys
      }
      let group = groups.get(dsName)
      if (group === undefined) groups.set(dsName, (group = []))
      group.push(...records)
      seriesByDs.set(dsName, (seriesByDs.get(dsName) ?? 0) + 1)
      if (unknownHere > 0) unknown.set(dsName, (unknown.get(dsName) ?? 0) + unknownHere)
      valid++
    })

    for (const [key, n] of rejected) {
      const [ds, reason] = key.split('\u0000') as [string, string]
      metrics.rwSeriesRejected.inc([ds, reason], n)
    }
    for (const [ds, n] of seriesByDs) metrics.rwSeriesReceived.inc([ds], n)
    for (const [ds, records] of groups) metrics.received.inc([ds], records.length)
    for (const [ds, n] of unknown) metrics.unknownFields.inc([ds], n)
    if (errors.length > 0) {
      log.warnOncePerBurst('remote-write:reject', 'remote-write series rejected', { rejected: errors.length, first: errors[0] })
    }
    const summary = { rejected: errors.length, errors: errors.slice(0, MAX_REPORTED_ERRORS) }
    if (valid === 0 && errors.length > 0) return reply(c, 400, { accepted: 0, ...summary, error: 'no valid series in the request' })

    const exporters = deps.exporters().filter((e) => e.config.protocol === 'prometheus')
    const routed: RecordGroup[] = []
    for (const [ds, records] of groups) {
      if (exporters.some((e) => e.wants(ds))) routed.push({ ds, records })
      else metrics.rwSeriesUnrouted.inc([ds], seriesByDs.get(ds)!)
    }
    const admission = admitGroups(routed, exporters)
    if (admission.status !== 'accepted') {
      for (const { ds, records } of routed) metrics.refused.inc([ds], records.length)
      if (admission.status === 'full') {
        log.warnOncePerBurst(`full:${admission.exporter}`, 'queue full: answering 429', { exporter: admission.exporter, data_sources: routed.map((g) => g.ds) })
        return reply(c, 429, { accepted: 0, ...summary, error: `queues of exporter "${admission.exporter}" are full; retry later` }, { 'Retry-After': RETRY_AFTER_SECONDS })
      }
      return reply(c, 413, { accepted: 0, ...summary, error: `this request alone exceeds the queue bounds of exporter "${admission.exporter}" (queue-size, queue-max-bytes); send fewer series per request` })
    }
    return reply(c, 204)
  }
}
