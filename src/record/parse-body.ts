// Splits a request body into candidate records, whatever the Content-Type says: one JSON object,
// a JSON array of objects, or NDJSON (one object per line, blank lines ignored).
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

export type ParsedBody =
  | { readonly ok: true; readonly candidates: Candidate[]; readonly errors: RecordError[] }
  | { readonly ok: false; readonly error: string }

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

export function parseBody(input: string): ParsedBody {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input
  const start = firstNonSpace(text)
  if (start >= text.length) return { ok: false, error: 'empty body: send a JSON object, a JSON array of objects, or NDJSON' }
  const first = text.charCodeAt(start)
  if (first === 91 /* [ */) return parseArray(text.slice(start))
  if (first !== 123 /* { */) {
    return { ok: false, error: `body is not JSON or NDJSON: it starts with ${preview(text.slice(start))}; send a JSON object, a JSON array of objects, or NDJSON` }
  }
  const body = text.slice(start)
  try {
    const value = parseJsonLossless(body)
    return { ok: true, candidates: [{ position: {}, value }], errors: [] }
  } catch {
    return parseNdjson(text)
  }
}

function parseArray(text: string): ParsedBody {
  let value: unknown
  try {
    value = parseJsonLossless(text)
  } catch (err) {
    return { ok: false, error: `body is not valid JSON: ${describeJsonError(err)}` }
  }
  if (!Array.isArray(value)) return { ok: false, error: 'body is not valid JSON' }
  return { ok: true, candidates: value.map((v, index) => ({ position: { index }, value: v })), errors: [] }
}

function parseNdjson(text: string): ParsedBody {
  const candidates: Candidate[] = []
  const errors: RecordError[] = []
  let lineNo = 0
  let from = 0
  while (from <= text.length) {
    let to = text.indexOf('\n', from)
    if (to < 0) to = text.length
    lineNo++
    let line = text.slice(from, to)
    from = to + 1
    if (line.endsWith('\r')) line = line.slice(0, -1)
    if (line.trim() === '') continue
    try {
      candidates.push({ position: { line: lineNo }, value: parseJsonLossless(line) })
    } catch (err) {
      errors.push({ position: { line: lineNo }, error: `invalid JSON: ${describeJsonError(err)}` })
    }
  }
  return { ok: true, candidates, errors }
}
