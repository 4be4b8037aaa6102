// One parser per DeepFlow field type: turns a JSON value from the request into the normalised
// value, or an Invalid naming what was expected. Numbers may come as JSON numbers or numeric
// strings (ClickHouse quotes 64-bit integers); 64-bit integers beyond 2^53 stay exact as bigint.
import type { FieldSpec, FieldType } from '../deepflow/schema.ts'
import { canonicalIp6, parseIp4, parseMac, type Value } from './values.ts'

export class Invalid {
  constructor(readonly error: string) {}
}

export type FieldParser = (raw: unknown) => Value | Invalid

interface IntRange {
  readonly min: bigint
  readonly max: bigint
  /** min and max as the nearest numbers: a safe integer compares with them as with the bigints. */
  readonly minNumber: number
  readonly maxNumber: number
  readonly label: string
}

function intRange(min: bigint, max: bigint, label: string): IntRange {
  return { min, max, minNumber: Number(min), maxNumber: Number(max), label }
}

const INT_RANGES: Partial<Record<FieldType, IntRange>> = {
  u8: intRange(0n, 255n, 'an unsigned 8-bit integer'),
  u16: intRange(0n, 65535n, 'an unsigned 16-bit integer'),
  u32: intRange(0n, 4294967295n, 'an unsigned 32-bit integer'),
  u64: intRange(0n, 18446744073709551615n, 'an unsigned 64-bit integer'),
  i32: intRange(-2147483648n, 2147483647n, 'a signed 32-bit integer'),
  i64: intRange(-9223372036854775808n, 9223372036854775807n, 'a signed 64-bit integer'),
}

const INTEGER_TEXT = /^-?\d+$/
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const MIN_SAFE = -MAX_SAFE

export function describe(raw: unknown): string {
  if (raw === undefined) return 'nothing'
  if (typeof raw === 'number' && !Number.isFinite(raw)) return String(raw) // 1e400: Infinity, not JSON's null
  let s: string
  try {
    // A long string is cut before quoting: only its start is shown.
    s = typeof raw === 'bigint' ? raw.toString() : JSON.stringify(typeof raw === 'string' && raw.length > 64 ? raw.slice(0, 64) : raw)
  } catch {
    s = String(raw)
  }
  return s.length > 64 ? `${s.slice(0, 61)}...` : s
}

function significantDigits(text: string): number {
  let i = text.charCodeAt(0) === 45 /* - */ ? 1 : 0
  while (i < text.length - 1 && text.charCodeAt(i) === 48 /* 0 */) i++
  return text.length - i
}

/** Integer within range as number (or bigint beyond 2^53), undefined when not an integer. */
function toInteger(raw: unknown, range: IntRange): number | bigint | undefined | 'range' {
  let big: bigint
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw)) return undefined
    if (Number.isSafeInteger(raw)) {
      return raw < range.minNumber || raw > range.maxNumber ? 'range' : raw
    }
    big = BigInt(raw)
  } else if (typeof raw === 'string' && INTEGER_TEXT.test(raw)) {
    if (raw.length <= 15) {
      const n = Number(raw)
      return n < range.minNumber || n > range.maxNumber ? 'range' : n
    }
    // More than 20 significant digits is beyond 64 bits: no need to make a (slow, huge) BigInt.
    if (raw.length > 21 && significantDigits(raw) > 20) return 'range'
    big = BigInt(raw)
  } else {
    return undefined
  }
  if (big < range.min || big > range.max) return 'range'
  return big <= MAX_SAFE && big >= MIN_SAFE ? Number(big) : big
}

function integerParser(range: IntRange, acceptsNames: boolean): FieldParser {
  return (raw) => {
    const v = toInteger(raw, range)
    if (v === 'range') return new Invalid(`${describe(raw)} is out of range for ${range.label}`)
    if (v !== undefined) return v
    if (acceptsNames && typeof raw === 'string' && raw !== '' && !INTEGER_TEXT.test(raw)) return raw
    return new Invalid(`expected ${range.label}${acceptsNames ? ' or its name' : ''}, got ${describe(raw)}`)
  }
}

const parseBool: FieldParser = (raw) => {
  if (raw === true || raw === 1 || raw === '1' || raw === 'true') return 1
  if (raw === false || raw === 0 || raw === '0' || raw === 'false') return 0
  return new Invalid(`expected a boolean (true, false, 0 or 1), got ${describe(raw)}`)
}

function toFloat(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined
  if (typeof raw === 'string' && raw.trim() !== '') {
    const n = Number(raw)
    return Number.isFinite(n) ? n : undefined
  }
  return undefined
}

const parseF64: FieldParser = (raw) => toFloat(raw) ?? new Invalid(`expected a finite number, got ${describe(raw)}`)

const parseString: FieldParser = (raw) => typeof raw === 'string' ? raw : new Invalid(`expected a string, got ${describe(raw)}`)

const u32 = INT_RANGES.u32!
const parseIp4Field: FieldParser = (raw) => {
  if (typeof raw === 'string') {
    const n = parseIp4(raw)
    if (n !== undefined) return n
  }
  const v = toInteger(raw, u32)
  if (typeof v === 'number') return v
  return new Invalid(`expected an IPv4 address (dotted text or uint32), got ${describe(raw)}`)
}

const u64 = INT_RANGES.u64!
const parseMacField: FieldParser = (raw) => {
  if (typeof raw === 'string') {
    const n = parseMac(raw)
    if (n !== undefined) return n
  }
  const v = toInteger(raw, u64)
  if (typeof v === 'number') return v % 2 ** 48
  if (typeof v === 'bigint') return Number(v & 0xffffffffffffn)
  return new Invalid(`expected a MAC address (aa:bb:cc:dd:ee:ff or an integer), got ${describe(raw)}`)
}

const parseIp6Field: FieldParser = (raw) => {
  if (typeof raw === 'string') {
    const text = canonicalIp6(raw)
    if (text !== undefined) return text
  }
  return new Invalid(`expected an IPv6 address, got ${describe(raw)}`)
}

const parseStringArray: FieldParser = (raw) => {
  if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return raw as string[]
  return new Invalid(`expected an array of strings, got ${describe(raw)}`)
}

const parseF64Array: FieldParser = (raw) => {
  if (!Array.isArray(raw)) return new Invalid(`expected an array of numbers, got ${describe(raw)}`)
  const out: number[] = []
  for (const x of raw) {
    const n = toFloat(x)
    if (n === undefined) return new Invalid(`expected an array of finite numbers, got ${describe(raw)}`)
    out.push(n)
  }
  return out
}

/** Fields that ClickHouse stores as DateTime (seconds) or DateTime64(6) (microseconds). */
const DATE_TIME_FIELDS: Readonly<Record<string, number>> = { time: 1e6, start_time: 1, end_time: 1 }

export interface FieldParserOptions {
  /** Wall-clock text ("2026-11-21 23:52:29[.123456]") → µs, for the DateTime fields. */
  readonly wallClock?: (text: string) => number | undefined
}

export function fieldParser(field: FieldSpec, opts: FieldParserOptions = {}): FieldParser {
  const divisor = DATE_TIME_FIELDS[field.name]
  const wallClock = opts.wallClock
  if (divisor !== undefined && wallClock !== undefined) {
    const numeric = baseParser(field)
    return (raw) => {
      if (typeof raw === 'string' && raw.includes('-')) {
        const us = wallClock(raw)
        if (us !== undefined) return Math.floor(us / divisor)
      }
      return numeric(raw)
    }
  }
  return baseParser(field)
}

function baseParser(field: FieldSpec): FieldParser {
  const range = INT_RANGES[field.type]
  if (range !== undefined) {
    const acceptsNames = field.translate !== null && !('format' in field.translate)
    return integerParser(range, acceptsNames)
  }
  switch (field.type) {
    case 'bool':
      return parseBool
    case 'f64':
      return parseF64
    case 'string':
      return parseString
    case 'ip4':
      return parseIp4Field
    case 'mac':
      return parseMacField
    case 'ip6':
      return parseIp6Field
    case 'string[]':
      return parseStringArray
    case 'f64[]':
      return parseF64Array
    default:
      throw new Error(`no parser for field type ${field.type}`)
  }
}
