// POST /v1/records/{data-source}: one JSON object, a JSON array of objects, or NDJSON; gzip
// allowed. Valid records are admitted all-or-nothing; invalid ones are reported by position.
import type { Context } from 'hono'
import type { IngestLimits } from '../config/types.ts'
import { DATA_SOURCES, dataSource } from '../deepflow/schema.ts'
import type { Logger } from '../observe/log.ts'
import type { RelayMetrics } from '../observe/relay-metrics.ts'
import { admit } from '../pipeline/admission.ts'
import type { Exporter } from '../pipeline/exporter.ts'
import type { Sized } from '../pipeline/send-result.ts'
import { compileNormalizer, type DeepFlowRecord, type Normalizer } from '../record/normalize.ts'
import { parseBody, type ParseReason, type RecordError } from '../record/parse-body.ts'
import { readBody } from '../ingest/read-body.ts'

export const MAX_REPORTED_ERRORS = 100
const RETRY_AFTER_SECONDS = '1'

export interface IngestDeps {
  readonly exporters: () => readonly Exporter<Sized>[]
  readonly metrics: RelayMetrics
  readonly log: Logger
  readonly maxBodyBytes: number
  readonly limits: IngestLimits
  readonly shuttingDown: () => boolean
}

/** Labels of deepflow_relay_records_rejected_total: invalid_json, duplicate_key, too_deep, too_many_fields, string_too_long, and the normaliser's. */
type Reason = ParseReason | 'not_an_object' | 'invalid_value' | 'missing_field'

function errorJson(error: RecordError): Record<string, unknown> {
  return { ...error.position, ...(error.field === undefined ? {} : { field: error.field }), error: error.error }
}

export function createIngestHandler(deps: IngestDeps) {
  const { metrics, log } = deps
  const normalizers = new Map<string, Normalizer>()
  for (const name of DATA_SOURCES) {
    normalizers.set(name, compileNormalizer(dataSource(name)!))
    metrics.received.touch(name)
    metrics.refused.touch(name)
  }

  const reply = (c: Context, status: 202 | 400 | 404 | 413 | 415 | 429 | 503, body: Record<string, unknown>, headers?: Record<string, string>) => {
    metrics.requests.inc([String(status)])
    return c.json(body, status, headers)
  }

  return async (c: Context) => {
    if (deps.shuttingDown()) return reply(c, 503, { error: 'shutting down: not accepting records' })
    const ds = c.req.param('dataSource') ?? ''
    const normalize = normalizers.get(ds)
    if (normalize === undefined) {
      return reply(c, 404, { error: `unknown data source ${JSON.stringify(ds)}`, data_sources: DATA_SOURCES })
    }
    const body = await readBody(c.req.raw, deps.maxBodyBytes)
    if (!body.ok) return reply(c, body.status, { error: body.error })
    const parsed = parseBody(body.text, deps.limits)
    if (!parsed.ok) return reply(c, parsed.status, { error: parsed.error })

    const records: DeepFlowRecord[] = []
    const errors: RecordError[] = [...parsed.errors]
    const reasons = new Map<Reason, number>()
    const count = (r: Reason) => reasons.set(r, (reasons.get(r) ?? 0) + 1)
    for (const e of parsed.errors) count(e.reason)
    let unknown = 0
    for (const candidate of parsed.candidates) {
      const result = normalize(candidate.value)
      if (result.ok) {
        records.push(result.record)
        unknown += result.unknownKeys
        continue
      }
      count(result.field === undefined ? 'not_an_object' : result.error === 'required field is missing' ? 'missing_field' : 'invalid_value')
      errors.push(result.field === undefined
        ? { position: candidate.position, error: result.error }
        : { position: candidate.position, field: result.field, error: result.error })
    }
    errors.sort((a, b) => positionOrder(a) - positionOrder(b))
    for (const [reason, n] of reasons) metrics.rejected.inc([ds, reason], n)
    if (unknown > 0) metrics.unknownFields.inc([ds], unknown)
    if (errors.length > 0) {
      log.warnOncePerBurst(`reject:${ds}`, 'records rejected', { data_source: ds, rejected: errors.length, first: errorJson(errors[0]!) })
    }
    const summary = { rejected: errors.length, errors: errors.slice(0, MAX_REPORTED_ERRORS).map(errorJson) }
    if (records.length === 0) return reply(c, 400, { accepted: 0, ...summary, error: 'no valid record in the body' })

    metrics.received.inc([ds], records.length)
    const admission = admit(ds, records, deps.exporters())
    if (admission.status !== 'accepted') {
      metrics.refused.inc([ds], records.length)
      if (admission.status === 'full') {
        log.warnOncePerBurst(`full:${admission.exporter}`, 'queue full: answering 429', { exporter: admission.exporter, data_source: ds })
        return reply(c, 429, { accepted: 0, ...summary, error: `queues of exporter "${admission.exporter}" are full; retry later` }, { 'Retry-After': RETRY_AFTER_SECONDS })
      }
      return reply(c, 413, { accepted: 0, ...summary, error: `this request alone exceeds the queue bounds of exporter "${admission.exporter}" (queue-size, queue-max-bytes); send fewer records per request` })
    }
    return reply(c, 202, { accepted: records.length, ...summary })
  }
}

function positionOrder(e: RecordError): number {
  const p = e.position as { line?: number; index?: number }
  return p.line ?? p.index ?? 0
}
