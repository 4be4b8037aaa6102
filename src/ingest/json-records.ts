// A parsed JSON body (POST /v1/records) through the normalize step: the valid records, and every
// invalid one — refused by the parser or by the normaliser — as an error by position in the body
// (sorted), with its reason code. Pure.
import type { DeepFlowRecord, Normalizer } from '../record/normalize.ts'
import type { Candidate, ParseError, Position, RecordError } from '../record/parse-body.ts'
import type { RejectReason } from './entry.ts'
import { normalizeAll } from './normalize-step.ts'

export interface ReasonedError extends RecordError {
  readonly reason: RejectReason
}

export interface JsonRecords {
  readonly records: DeepFlowRecord[]
  /** By position in the body. */
  readonly errors: ReasonedError[]
  /** The reason of each error, parser's first, then normaliser's (the order metrics are counted in). */
  readonly reasons: RejectReason[]
  readonly unknownFields: number
}

export function jsonRecords(
  normalize: Normalizer,
  parsed: { readonly candidates: readonly Candidate[]; readonly errors: readonly ParseError[] },
): JsonRecords {
  const n = normalizeAll(normalize, parsed.candidates, (c) => c.value)
  const errors: ReasonedError[] = [...parsed.errors]
  for (const { input, reason, field, error } of n.refused) {
    errors.push(field === undefined ? { position: input.position, reason, error } : { position: input.position, reason, field, error })
  }
  const reasons = errors.map((e) => e.reason)
  errors.sort((a, b) => positionOrder(a.position) - positionOrder(b.position))
  return { records: n.records, errors, reasons, unknownFields: n.unknownFields }
}

/** What a client sees of an error: its position, field if any, and the sentence. */
export function errorJson(error: RecordError): Record<string, unknown> {
  return { ...error.position, ...(error.field === undefined ? {} : { field: error.field }), error: error.error }
}

function positionOrder(p: Position): number {
  const q = p as { line?: number; index?: number }
  return q.line ?? q.index ?? 0
}
