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
import { errorJson, scanJsonRecords } from '../ingest/json-records.ts'
import { type BodyEncodings, identity, readBody } from '../ingest/read-body.ts'
import { decodeUtf8, type Utf8Result } from '../ingest/utf8.ts'
import type { Logger } from '../observe/log.ts'
import type { RelayMetrics } from '../observe/relay-metrics.ts'
import { type StagedFor, startStaging } from '../pipeline/admission.ts'
import type { Exporter } from '../pipeline/exporter.ts'
import type { Sized } from '../pipeline/send-result.ts'
import { compileNormalizer, type Normalizer } from '../record/normalize.ts'

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
  /**
   * Lets other work run in the middle of a large remote-write body (a zero sleep of the relay's
   * clock), so that /healthz and other requests are answered meanwhile; absent: no pause.
   */
  readonly pause?: () => Promise<void>
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
    const pass = await deps.gate.pass(c.req.raw, exporters.filter((e) => e.wants(ds)), JSON_BODY, ds)
    if (!pass.ok) return reply(c, pass.status, { error: pass.error }, pass.headers)
    try {
      return await ingest(c, ds, normalize, exporters, pass.learn)
    } finally {
      pass.done()
    }
  }

  /** The body as text (its bytes are let go once decoded). */
  async function readText(request: Request): Promise<Utf8Result | { ok: false; status: 413 | 415; error: string }> {
    const body = await readBody(request, deps.maxBodyBytes, JSON_ENCODINGS)
    return body.ok ? decodeUtf8(body.bytes) : body
  }

  async function ingest(
    c: Context,
    ds: string,
    normalize: Normalizer,
    exporters: readonly Exporter<Sized>[],
    learn: (staged: readonly StagedFor[]) => void,
  ): Promise<Response> {
    const text = await readText(c.req.raw)
    if (!text.ok) return reply(c, text.status, { error: text.error })
    // Each valid record is encoded for every exporter as soon as it is parsed, then let go.
    const staging = startStaging(ds, exporters)
    const { memory } = deps.gate
    const scanned = scanJsonRecords(text.text, deps.limits, normalize, (record) => staging.add(record), (bytes) => memory.consumed(bytes))
    if (!scanned.ok) return reply(c, scanned.status, { error: scanned.error })
    learn(staging.staged())

    const { errors, reasons, unknownFields } = scanned
    entry.count(ds, { reasons, unknownFields })
    if (errors.length > 0) {
      log.warnOncePerBurst(`reject:${ds}`, 'records rejected', { data_source: ds, rejected: errors.length, first: errorJson(errors[0]!) })
    }
    const summary = { rejected: errors.length, errors: errors.slice(0, MAX_REPORTED_ERRORS).map(errorJson) }
    if (staging.count === 0) return reply(c, 400, { accepted: 0, ...summary, error: 'no valid record in the body' })

    const admission = entry.offerStaged([staging], exporters)
    const r = await admissionReply(admission, staging.count, summary, { log, unit: 'records', logFields: { data_source: ds } })
    return reply(c, r.status, r.body, r.headers)
  }
}
