// A JSON body (POST /v1/records) through the normalize step, one record at a time: each record the
// parser and the normaliser accept goes to `add` at once (the request's staging encodes it for every
// exporter and lets it go before the next is parsed); every invalid one — refused by the parser or
// by the normaliser — comes back as an error by position in the body (sorted), with its reason code.
import type { IngestLimits } from '../config/types.ts'
import type { DeepFlowRecord, Normalizer } from '../record/normalize.ts'
import { type BodyRefused, type Position, type RecordError, scanBody } from '../record/parse-body.ts'
import type { RejectReason } from './entry.ts'

export interface ReasonedError extends RecordError {
  readonly reason: RejectReason
}

export type ScannedRecords =
  | {
    readonly ok: true
    /** By position in the body. */
    readonly errors: ReasonedError[]
    /** The reason of each error, parser's first, then normaliser's (the order metrics are counted in). */
    readonly reasons: RejectReason[]
    readonly unknownFields: number
  }
  | BodyRefused

/**
 * The valid records of `text` go to `add` in body order; on a refusal of the whole body, those added
 * are void. `parsed` hears how much of the body each candidate took (the memory limiter's pace).
 */
export function scanJsonRecords(
  text: string,
  limits: IngestLimits,
  normalize: Normalizer,
  add: (record: DeepFlowRecord) => void,
  parsed?: (bytes: number) => void,
): ScannedRecords {
  const refused: ReasonedError[] = []
  let unknownFields = 0
  const scanned = scanBody(text, limits, (position, value, bytes) => {
    parsed?.(bytes)
    const r = normalize(value)
    if (r.ok) {
      unknownFields += r.unknownKeys
      add(r.record)
    } else {
      refused.push(
        r.field === undefined
          ? { position, reason: r.reason, error: r.error }
          : { position, reason: r.reason, field: r.field, error: r.error },
      )
    }
  })
  if (!scanned.ok) return scanned
  const errors: ReasonedError[] = [...scanned.errors, ...refused]
  const reasons = errors.map((e) => e.reason)
  errors.sort((a, b) => positionOrder(a.position) - positionOrder(b.position))
  return { ok: true, errors, reasons, unknownFields }
}

/** What a client sees of an error: its position, field if any, and the sentence. */
export function errorJson(error: RecordError): Record<string, unknown> {
  return { ...error.position, ...(error.field === undefined ? {} : { field: error.field }), error: error.error }
}

function positionOrder(p: Position): number {
  const q = p as { line?: number; index?: number }
  return q.line ?? q.index ?? 0
}
