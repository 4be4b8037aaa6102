// Per-record limits on parsed JSON (relay.max-depth, max-fields, max-string-bytes) and the
// detection of duplicate keys, which JSON.parse silently resolves to the last value.
//
// Cheap on the hot path: a flat record costs one loop over its keys (nested values are walked
// only where they occur), and the raw text is tokenised only when its count of possible key
// separators exceeds the number of keys the parse produced — never for a record whose strings
// hold no `":` and which has no duplicate.
import type { IngestLimits } from '../config/types.ts'

export type LimitReason = 'too_deep' | 'too_many_fields' | 'string_too_long'

export interface LimitViolation {
  readonly reason: LimitReason
  /** The record's top-level key under which the violation was found. */
  readonly field?: string
  readonly error: string
}

/** Bytes `s` takes in UTF-8 (a lone surrogate counts as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  let n = 0
  const len = s.length
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

/** Whether `s` takes more than `maxBytes` bytes in UTF-8; counts bytes only when length alone cannot tell. */
export function longerThan(s: string, maxBytes: number): boolean {
  if (s.length > maxBytes) return true // every UTF-16 unit is at least one UTF-8 byte
  if (s.length * 3 <= maxBytes) return false // and at most three
  return utf8Length(s) > maxBytes
}

function shortKey(key: string): string {
  return key.length > 64 ? `${key.slice(0, 61)}...` : key
}

/**
 * Checks one parsed record against the limits. Depth counts the record object as 1, so
 * `{"a":[1]}` is 2 deep; fields counts every key of every object in the record. Returns the
 * number of keys (all levels) when the record is within the limits, else the first violation.
 * Values other than plain objects are not records: 0 (the normaliser rejects them).
 */
export function checkRecord(record: unknown, limits: IngestLimits): number | LimitViolation {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 0
  const { maxDepth, maxFields, maxStringBytes } = limits
  const tooLong = (field: string): LimitViolation => ({
    reason: 'string_too_long',
    field: shortKey(field),
    error: `string longer than the limit of ${maxStringBytes} bytes (relay.max-string-bytes)`,
  })
  const tooMany = (): LimitViolation => ({ reason: 'too_many_fields', error: `more than ${maxFields} keys (relay.max-fields)` })
  let keys = 0
  // Nested containers still to visit, with their depth and the top-level key they sit under.
  let pending: { value: object; depth: number; field: string }[] | undefined
  const obj = record as Record<string, unknown>
  for (const key in obj) {
    if (++keys > maxFields) return tooMany()
    if (longerThan(key, maxStringBytes)) return tooLong(key)
    const v = obj[key]
    if (typeof v === 'string') {
      if (longerThan(v, maxStringBytes)) return tooLong(key)
    } else if (typeof v === 'object' && v !== null) {
      ;(pending ??= []).push({ value: v, depth: 2, field: key })
    }
  }
  if (pending === undefined) return keys
  // Depth-first, iteratively: no recursion, whatever max-depth says.
  while (pending.length > 0) {
    const { value, depth, field } = pending.pop()!
    if (depth > maxDepth) {
      return { reason: 'too_deep', field: shortKey(field), error: `nested deeper than the limit of ${maxDepth} levels (relay.max-depth)` }
    }
    if (Array.isArray(value)) {
      for (const v of value) {
        if (typeof v === 'string') {
          if (longerThan(v, maxStringBytes)) return tooLong(field)
        } else if (typeof v === 'object' && v !== null) pending.push({ value: v, depth: depth + 1, field })
      }
      continue
    }
    const o = value as Record<string, unknown>
    for (const key in o) {
      if (++keys > maxFields) return tooMany()
      if (longerThan(key, maxStringBytes)) return tooLong(field)
      const v = o[key]
      if (typeof v === 'string') {
        if (longerThan(v, maxStringBytes)) return tooLong(field)
      } else if (typeof v === 'object' && v !== null) pending.push({ value: v, depth: depth + 1, field })
    }
  }
  return keys
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13
}

/**
 * An upper bound of the number of keys written in `text`: the colons whose previous non-space
 * character is a double quote. Every key separator is one; a colon inside a string may be one too
 * (`"::1"`), which only makes the bound looser. When the parse produced as many keys (all levels)
 * as this, no key was written twice.
 */
export function keySeparatorBound(text: string): number {
  let n = 0
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    let j = i - 1
    while (j >= 0 && isSpace(text.charCodeAt(j))) j--
    if (j >= 0 && text.charCodeAt(j) === 34) n++
  }
  return n
}

/**
 * The first duplicate key of each record in valid JSON `text`, by record index. Records are the
 * objects at `recordDepth`: 1 for a body or line that is one record, 2 for the elements of a
 * JSON array (indexed from 0). Keys compare as JSON.parse reads them (`"a"` equals `"\u0061"`).
 * Duplicates inside nested values are not looked for.
 */
export function findDuplicateKeys(text: string, recordDepth: 1 | 2): Map<number, string> {
  const found = new Map<number, string>()
  const n = text.length
  let depth = 0
  let index = 0
  let keys: Set<string> | undefined
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      const start = i + 1
      let end = start
      for (;;) {
        end = text.indexOf('"', end)
        if (end < 0) return found // not valid JSON: cannot happen after a successful parse
        let k = end - 1
        while (k >= start && text.charCodeAt(k) === 92 /* \ */) k--
        if ((end - 1 - k) % 2 === 0) break // an even run of backslashes: the quote closes the string
        end++
      }
      i = end + 1
      if (depth === recordDepth && keys !== undefined) {
        let k = i
        while (k < n && isSpace(text.charCodeAt(k))) k++
        if (text.charCodeAt(k) === 58 /* : */) {
          const raw = text.slice(start, end)
          const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw
          if (!keys.has(key)) keys.add(key)
          else if (!found.has(index)) found.set(index, key)
        }
      }
      continue
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++
      if (depth === recordDepth) keys = c === 123 ? new Set() : undefined
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--
    } else if (c === 44 /* , */ && depth === recordDepth - 1) {
      index++
    }
    i++
  }
  return found
}

export const DUPLICATE_KEY_ERROR = 'key given more than once in the record: ambiguous'
