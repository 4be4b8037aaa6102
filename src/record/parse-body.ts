// Splits a request body into candidate records, whatever the Content-Type says: one JSON object,
// a JSON array of objects, or NDJSON (one object per line, blank lines ignored). scanBody hands each
// candidate to a visitor as soon as it is parsed (ingest stages it and lets it go); parseBody lists them.
import type { IngestLimits } from '../config/types.ts'
import {
  checkRecord,
  DUPLICATE_KEY_ERROR,
  findDuplicateKeys,
  keySeparatorBound,
  type LimitReason,
  type LimitViolation,
  longerThan,
} from './limits.ts'
import { parseJsonLossless } from './lossless-json.ts'

/** Where a record stood in the body: `line` (NDJSON, from 1) or `index` (array, from 0). */
export type Position = { readonly line: number } | { readonly index: number } | Record<string, never>

export interface Candidate {
  readonly position: Position
  readonly value: unknown
}

export interface RecordError {
  readonly position: Position
  readonly field?: string
  readonly error: string
}

/** Why parsing refused a record (a bounded label of deepflow_relay_records_rejected_total). */
export type ParseReason = 'invalid_json' | 'duplicate_key' | LimitReason

export interface ParseError extends RecordError {
  readonly reason: ParseReason
}

export type ParsedBody =
  | { readonly ok: true; readonly candidates: Candidate[]; readonly errors: ParseError[] }
  | BodyRefused

export type BodyRefused = { readonly ok: false; readonly status: 400 | 413; readonly error: string }

/**
 * Called with each candidate record, in body order, as soon as it is parsed and checked; `bytes`:
 * about how much of the body it took (its line; an array's length shared by its elements).
 */
export type VisitCandidate = (position: Position, value: unknown, bytes: number) => void

/** What scanning a body came to: the candidates went to the visitor; these are the records it refused. */
export type ScannedBody = { readonly ok: true; readonly errors: ParseError[] } | BodyRefused

function describeJsonError(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function firstNonSpace(text: string): number {
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === 32 || c === 9 || c === 10 || c === 13) i++
    else break
  }
  return i
}

function preview(text: string): string {
  const s = text.slice(0, 40)
  return JSON.stringify(s.length < text.length ? `${s}...` : s)
}

const tooManyRecords = (limits: IngestLimits) => ({
  ok: false as const,
  status: 413 as const,
  error: `body has more than ${limits.maxRecordsPerRequest} records (relay.max-records-per-request); send fewer records per request`,
})

const objectTooLong = (limits: IngestLimits) => ({
  ok: false as const,
  status: 413 as const,
  error:
    `body is a single JSON object longer than the limit of ${limits.maxLineBytes} bytes (relay.max-line-bytes); send records as NDJSON or a JSON array`,
})

/**
 * Splits a body into candidate records under the limits. A JSON object body, and each NDJSON line,
 * may be at most `maxLineBytes` long, checked before parsing; a JSON array body is bounded by
 * relay.max-body-bytes only. More than `maxRecordsPerRequest` records refuse the whole body (413).
 * Each parsed record is checked for depth, key count, string length and duplicate keys; a record
 * failing one is an error of its own, the others stay candidates.
 */
export function parseBody(input: string, limits: IngestLimits): ParsedBody {
  const candidates: Candidate[] = []
  const scanned = scanBody(input, limits, (position, value) => candidates.push({ position, value }))
  return scanned.ok ? { ok: true, candidates, errors: scanned.errors } : scanned
}

/**
 * parseBody without the list: each candidate goes to `visit` as soon as it is parsed (an NDJSON
 * line's record can be staged and let go before the next line is parsed). On a refusal of the
 * whole body (400, 413), the candidates visited before it are void.
 */
export function scanBody(input: string, limits: IngestLimits, visit: VisitCandidate): ScannedBody {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input
  const start = firstNonSpace(text)
  if (start >= text.length) return { ok: false, status: 400, error: 'empty body: send a JSON object, a JSON array of objects, or NDJSON' }
  const first = text.charCodeAt(start)
  if (first === 91 /* [ */) return parseArray(text.slice(start), limits, visit)
  if (first !== 123 /* { */) {
    return {
      ok: false,
      status: 400,
      error: `body is not JSON or NDJSON: it starts with ${
        preview(text.slice(start))
      }; send a JSON object, a JSON array of objects, or NDJSON`,
    }
  }
  const body = text.slice(start)
  // Longer than one record may be: NDJSON (each line is checked), or an object over the limit.
  if (longerThan(body, limits.maxLineBytes)) return parseNdjson(text, limits, true, visit)
  let value: unknown
  try {
    value = parseJsonLossless(body)
  } catch {
    return parseNdjson(text, limits, false, visit)
  }
  const errors: ParseError[] = []
  const keys = checkRecord(value, limits)
  const dup = typeof keys === 'number' ? hasDuplicate(value, keys, body) : undefined
  if (typeof keys !== 'number') errors.push(limitError({}, keys))
  else if (dup !== undefined) errors.push(duplicateError({}, dup))
  else visit({}, value, body.length)
  return { ok: true, errors }
}

function limitError(position: Position, v: LimitViolation): ParseError {
  return v.field === undefined
    ? { position, reason: v.reason, error: v.error }
    : { position, reason: v.reason, field: v.field, error: v.error }
}

function duplicateError(position: Position, key: string): ParseError {
  return { position, reason: 'duplicate_key', field: key.length > 64 ? `${key.slice(0, 61)}...` : key, error: DUPLICATE_KEY_ERROR }
}

/** The first key `text` (one record) gives twice, when its parse has fewer keys than the text may hold. */
function hasDuplicate(value: unknown, keys: number, text: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  if (keys >= keySeparatorBound(text)) return undefined
  return findDuplicateKeys(text, 1).get(0)
}

function parseArray(text: string, limits: IngestLimits, visit: VisitCandidate): ScannedBody {
  let value: unknown
  try {
    value = parseJsonLossless(text)
  } catch (err) {
    return { ok: false, status: 400, error: `body is not valid JSON: ${describeJsonError(err)}` }
  }
  if (!Array.isArray(value)) return { ok: false, status: 400, error: 'body is not valid JSON' }
  if (value.length > limits.maxRecordsPerRequest) return tooManyRecords(limits)
  const errors: ParseError[] = []
  const ok: boolean[] = new Array(value.length)
  let keys = 0
  for (let index = 0; index < value.length; index++) {
    const k = checkRecord(value[index], limits)
    if (typeof k === 'number') {
      keys += k
      ok[index] = true
    } else errors.push(limitError({ index }, k))
  }
  // Duplicates: one bound for the whole body; the tokenizer runs only when it is not met.
  const duplicates = keys < keySeparatorBound(text) ? findDuplicateKeys(text, 2) : undefined
  const share = Math.ceil(text.length / Math.max(1, value.length))
  for (let index = 0; index < value.length; index++) {
    if (!ok[index]) continue
    const dup = duplicates?.get(index)
    if (dup !== undefined) errors.push(duplicateError({ index }, dup))
    else visit({ index }, value[index], share)
    value[index] = undefined // visited: the array no longer keeps it alive
  }
  return { ok: true, errors }
}

/**
 * NDJSON: one record per line, blank lines skipped. `oversize`: the body is longer than one record
 * may be, so if no line parses it was one object over the limit (pretty-printed), not NDJSON.
 */
function parseNdjson(text: string, limits: IngestLimits, oversize: boolean, visit: VisitCandidate): ScannedBody {
  let candidates = 0
  const errors: ParseError[] = []
  let lineNo = 0
  let records = 0
  let from = 0
  while (from <= text.length) {
    let to = text.indexOf('\n', from)
    if (to < 0) to = text.length
    lineNo++
    let line = text.slice(from, to)
    from = to + 1
    if (line.endsWith('\r')) line = line.slice(0, -1)
    if (line.trim() === '') continue
    if (++records > limits.maxRecordsPerRequest) return tooManyRecords(limits)
    if (longerThan(line, limits.maxLineBytes)) {
      // Refused before parsing. A body that is this one line is a single object (or junk).
      if (records === 1 && text.slice(from).trim() === '') return objectTooLong(limits)
      return {
        ok: false,
        status: 413,
        error: `NDJSON line ${lineNo} is longer than the limit of ${limits.maxLineBytes} bytes (relay.max-line-bytes)`,
      }
    }
    const position = { line: lineNo }
    let value: unknown
    try {
      value = parseJsonLossless(line)
    } catch (err) {
      errors.push({ position, reason: 'invalid_json', error: `invalid JSON: ${describeJsonError(err)}` })
      continue
    }
    const keys = checkRecord(value, limits)
    if (typeof keys !== 'number') {
      errors.push(limitError(position, keys))
      continue
    }
    const dup = hasDuplicate(value, keys, line)
    if (dup !== undefined) errors.push(duplicateError(position, dup))
    else {
      candidates++
      visit(position, value, line.length)
    }
  }
  if (oversize && candidates === 0 && errors.every((e) => e.reason === 'invalid_json')) return objectTooLong(limits)
  return { ok: true, errors }
}
