// POST /v1/records/{data-source}: one JSON object, a JSON array of objects, or NDJSON; gzip
// allowed. Valid records are admitted all-or-nothing; invalid ones are reported by position.
// The reading, normalizing, counting and admission reply are the ingest core's (src/ingest/).
import type { Context } from 'hono'
import type { IngestLimits } from '../config/types.ts'
import { DATA_SOURCES, dataSource } from '../deepflow/schema.ts'
import { admissionReply } from '../ingest/admission-reply.ts'
import { gunzip } from '../ingest/decode-gzip.ts'
import { type IngestGate, JSON_BODY } from '../ingest/ingest-gate.ts'
import { createEntry } from '../ingest/entry.ts'
import { errorJson, jsonRecords } from '../ingest/json-records.ts'
import { type BodyEncodings, identity, readBody } from '../ingest/read-body.ts'
import { decodeUtf8 } from '../ingest/utf8.ts'
import type { Logger } from '../observe/log.ts'
import type { RelayMetrics } from '../observe/relay-metrics.ts'
import type { Exporter } from '../pipeline/exporter.ts'
import type { Sized } from '../pipeline/send-result.ts'
import { compileNormalizer, type Normalizer } from '../record/normalize.ts'
import { parseBody } from '../record/parse-body.ts'

export const MAX_REPORTED_ERRORS = 100

export interface IngestDeps {
  readonly exporters: () => readonly Exporter<Sized>[]
  readonly metrics: RelayMetrics
  readonly log: Logger
  readonly maxBodyBytes: number
  readonly limits: IngestLimits
  readonly shuttingDown: () => boolean
  /** Refuses a request before its body is read (queue full, concurrency, memory). */
  readonly gate: IngestGate
}

const JSON_ENCODINGS: BodyEncodings = {
  absent: 'identity',
  decoders: { identity, '': identity, gzip: gunzip, 'x-gzip': gunzip },
  unsupported: (encoding) => `unsupported Content-Encoding ${JSON.stringify(encoding)}; use gzip or none`,
}

export function createIngestHandler(deps: IngestDeps) {
  const { metrics, log } = deps
  const entry = createEntry(metrics)
  const normalizers = new Map<string, Normalizer>()
  for (const name of DATA_SOURCES) {
    normalizers.set(name, compileNormalizer(dataSource(name)!))
    metrics.received.touch(name)
    metrics.refused.touch(name)
  }

  const reply = (
    c: Context,
    status: 202 | 400 | 404 | 413 | 415 | 429 | 503,
    body: Record<string, unknown>,
    headers?: Record<string, string>,
  ) => {
    metrics.requests.inc([String(status)])
    return c.json(body, status, headers)
  }

  return async function ingestRecords(c: Context): Promise<Response> {
    if (deps.shuttingDown()) return reply(c, 503, { error: 'shutting down: not accepting records' })
    const ds = c.req.param('dataSource') ?? ''
    const normalize = normalizers.get(ds)
    if (normalize === undefined) {
      return reply(c, 404, { error: `unknown data source ${JSON.stringify(ds)}`, data_sources: DATA_SOURCES })
    }
    const exporters = deps.exporters()
    const pass = await deps.gate.pass(c.req.raw, exporters.filter((e) => e.wants(ds)), JSON_BODY)
    if (!pass.ok) return reply(c, pass.status, { error: pass.error }, pass.headers)
    try {
      return await ingest(c, ds, normalize, exporters)
    } finally {
      pass.done()
    }
  }

  async function ingest(c: Context, ds: string, normalize: Normalizer, exporters: readonly Exporter<Sized>[]): Promise<Response> {
    const body = await readBody(c.req.raw, deps.maxBodyBytes, JSON_ENCODINGS)
    if (!body.ok) return reply(c, body.status, { error: body.error })
    const text = decodeUtf8(body.bytes)
    if (!text.ok) return reply(c, text.status, { error: text.error })
    const parsed = parseBody(text.text, deps.limits)
    if (!parsed.ok) return reply(c, parsed.status, { error: parsed.error })

    const { records, errors, reasons, unknownFields } = jsonRecords(normalize, parsed)
    entry.count(ds, { reasons, unknownFields })
    if (errors.length > 0) {
      log.warnOncePerBurst(`reject:${ds}`, 'records rejected', { data_source: ds, rejected: errors.length, first: errorJson(errors[0]!) })
    }
    const summary = { rejected: errors.length, errors: errors.slice(0, MAX_REPORTED_ERRORS).map(errorJson) }
    if (records.length === 0) return reply(c, 400, { accepted: 0, ...summary, error: 'no valid record in the body' })

    const admission = entry.offer([{ ds, records }], exporters)
    const r = admissionReply(admission, records.length, summary, { log, unit: 'records', logFields: { data_source: ds } })
    return reply(c, r.status, r.body, r.headers)
  }
}
