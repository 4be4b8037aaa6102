// POST /api/v1/write: Prometheus remote write 1.0 (snappy block format + protobuf
// prometheus.WriteRequest), as deepflow-server's prometheus exporter sends it. Each sample of each
// series becomes the DeepFlow record it came from (src/ingest/series-to-groups.ts) and goes to
// every `prometheus` exporter that takes that data source, whose plan then filters, projects,
// translates and encodes it as it does any record. Invalid series are skipped and counted; the
// valid ones of a request are admitted all-or-nothing through the ingest core's entry. The series
// are decoded one at a time and each is staged (encoded for every exporter) before the next is
// decoded, so a request's decoded series and records are never all alive at once.
import type { Context } from 'hono'
import { refusalReply, syncFailedReply } from '../ingest/admission-reply.ts'
import { unsnappy } from '../ingest/decode-snappy.ts'
import { REMOTE_WRITE_BODY } from '../ingest/ingest-gate.ts'
import { createEntry } from '../ingest/entry.ts'
import { type BodyEncodings, readBody } from '../ingest/read-body.ts'
import { prometheusSources } from '../ingest/remote-write-sources.ts'
import { createSeriesReader } from '../ingest/series-to-groups.ts'
import { type Staging, startStaging } from '../pipeline/admission.ts'
import { loadPrompb } from '../wire/remote-write/prompb-loader.ts'
import type { TimeSeries } from '../wire/remote-write/prompb-types.ts'
import { type IngestDeps, MAX_REPORTED_ERRORS } from './ingest.ts'

const SNAPPY: BodyEncodings = {
  absent: 'snappy',
  decoders: { snappy: unsnappy },
  unsupported: (encoding) => `unsupported Content-Encoding ${JSON.stringify(encoding)}; remote write bodies are snappy (block format)`,
}

type Status = 204 | 400 | 413 | 415 | 429 | 503

/** Thrown from the decoding visitor when the request holds more samples than allowed. */
class TooManySamples {}

export function createRemoteWriteHandler(deps: IngestDeps) {
  const { metrics, log } = deps
  const entry = createEntry(metrics)
  const sources = prometheusSources()
  for (const name of sources.keys()) {
    metrics.rwSeriesReceived.touch(name)
    metrics.rwSeriesUnrouted.touch(name)
    metrics.unknownFields.touch(name)
  }

  const reply = (c: Context, status: Status, body?: Record<string, unknown>, headers?: Record<string, string>) => {
    metrics.rwIngestRequests.inc([String(status)])
    return body === undefined ? c.body(null, 204) : c.json(body, status as Exclude<Status, 204>, headers)
  }

  return async function ingestRemoteWrite(c: Context): Promise<Response> {
    if (deps.shuttingDown()) return reply(c, 503, { error: 'shutting down: not accepting series' })
    if (/proto=io\.prometheus\.write\.v2\.Request/i.test(c.req.header('content-type') ?? '')) {
      return reply(c, 415, {
        error: 'remote write 2.0 (io.prometheus.write.v2.Request) is not supported; send remote write 1.0 (prometheus.WriteRequest)',
      })
    }
    const pass = await deps.gate.pass(c.req.raw, [], REMOTE_WRITE_BODY)
    if (!pass.ok) return reply(c, pass.status, { error: pass.error }, pass.headers)
    try {
      return await ingest(c)
    } finally {
      pass.done()
    }
  }

  async function ingest(c: Context): Promise<Response> {
    const body = await readBody(c.req.raw, deps.maxBodyBytes, SNAPPY)
    if (!body.ok) return reply(c, body.status, { error: body.error })
    // Each series is decoded, converted and staged for every exporter in turn, then let go.
    const exporters = deps.exporters().filter((e) => e.config.protocol === 'prometheus')
    const stagings = new Map<string, Staging>()
    const reader = createSeriesReader(sources, deps.limits, (ds, records) => {
      let staging = stagings.get(ds)
      if (staging === undefined) stagings.set(ds, staging = startStaging(ds, exporters))
      for (const record of records) staging.add(record)
    })
    const max = deps.limits.maxRecordsPerRequest
    let samples = 0
    const { forEachTimeSeries, forEachTimeSeriesPaced } = await loadPrompb()
    try {
      const visit = (s: TimeSeries, index: number, length: number) => {
        deps.gate.memory.consumed(length)
        samples += s.samples.length
        if (samples > max) throw new TooManySamples()
        reader.read(s, index)
      }
      if (deps.pause === undefined) forEachTimeSeries(body.bytes, visit)
      else await forEachTimeSeriesPaced(body.bytes, visit, deps.pause)
    } catch (err) {
      if (err instanceof TooManySamples) {
        return reply(c, 413, { error: `request has more than ${max} samples (relay.max-records-per-request); send fewer per request` })
      }
      return reply(c, 400, {
        error: `body is not a remote-write 1.0 WriteRequest (protobuf): ${err instanceof Error ? err.message : String(err)}`,
      })
    }

    const { series, unknownFields, rejected, errors } = reader.result()
    for (const { ds, reason, count } of rejected) metrics.rwSeriesRejected.inc([ds, reason], count)
    for (const [ds, n] of series) metrics.rwSeriesReceived.inc([ds], n)
    for (const [ds, n] of unknownFields) entry.count(ds, { reasons: [], unknownFields: n })
    if (errors.length > 0) {
      log.warnOncePerBurst('remote-write:reject', 'remote-write series rejected', { rejected: errors.length, first: errors[0] })
    }
    const summary = { rejected: errors.length, errors: errors.slice(0, MAX_REPORTED_ERRORS) }
    if (stagings.size === 0 && errors.length > 0) return reply(c, 400, { accepted: 0, ...summary, error: 'no valid series in the request' })

    const routed = [...stagings.values()].filter(({ ds }) => exporters.some((e) => e.wants(ds)))
    for (const ds of stagings.keys()) if (!routed.some((g) => g.ds === ds)) metrics.rwSeriesUnrouted.inc([ds], series.get(ds)!)
    const admission = entry.offerStaged([...stagings.values()], exporters)
    if (admission.status === 'accepted') {
      const synced = admission.durable === undefined ? undefined : await admission.durable
      if (synced === undefined || synced.ok) return reply(c, 204)
      const r = syncFailedReply(synced.error, summary)
      return reply(c, r.status, r.body, r.headers)
    }
    const r = refusalReply(admission, summary, { log, unit: 'series', logFields: { data_sources: routed.map((g) => g.ds) } })
    return reply(c, r.status, r.body, r.headers)
  }
}
