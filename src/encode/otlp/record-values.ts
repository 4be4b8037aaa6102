// Reading a normalised record's values as the Go struct fields DeepFlow's encoder reads: an absent
// value is the Go zero value (0, "", false), enum fields given by name (the relay's ingest accepts
// names for enum-translated fields) read back as their numbers, and 64-bit integers as protobufjs
// int64 values (a number when it is exact, else the two's-complement halves Go's int64(x) holds).
import type { Value } from '../../record/values.ts'

/** What protobufjs writes for an int64/fixed64 field: a safe integer, or low and high 32-bit halves. */
export type Int64 = number | { readonly low: number; readonly high: number }

/** A number, or a bigint, as an integer; anything else (absent, text, arrays) is 0. */
export function intValue(v: Value | undefined): number | bigint {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : 0
  if (typeof v === 'bigint') return v
  return 0
}

/** A small unsigned field (u8/u16/u32) as a number: bigints and out-of-range values are wrapped to 32 bits. */
export function smallInt(v: Value | undefined): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : 0
  if (typeof v === 'bigint') return Number(BigInt.asIntN(32, v))
  return 0
}

/** An enum field: its number, or the number of the name it was given as (0 when the name is unknown). */
export function enumValue(v: Value | undefined, byName: ReadonlyMap<string, number>): number {
  if (typeof v === 'string') return byName.get(v) ?? 0
  return smallInt(v)
}

export function stringValue(v: Value | undefined): string {
  return typeof v === 'string' ? v : ''
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const TWO_64 = 1n << 64n
const LOW_MASK = 0xffffffffn

/** int64(x) of an integer of any Go integer type, as protobufjs takes it (two's complement past 2^63). */
export function int64(v: number | bigint): Int64 {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v
    v = BigInt(Number.isFinite(v) ? Math.trunc(v) : 0)
  }
  const u = BigInt.asUintN(64, v)
  if (u <= MAX_SAFE) return Number(u)
  if (TWO_64 - u <= MAX_SAFE) return -Number(TWO_64 - u)
  return { low: Number(u & LOW_MASK), high: Number(u >> 32n) }
}

const US_EXACT = Math.floor(Number.MAX_SAFE_INTEGER / 1000)

/** time.Duration(us) * time.Microsecond: nanoseconds, wrapping in int64 as Go's multiplication does. */
export function nanosFromMicros(us: number | bigint): Int64 {
  if (typeof us === 'number' && Number.isSafeInteger(us) && us <= US_EXACT && us >= -US_EXACT) return us * 1000
  return int64(BigInt.asIntN(64, BigInt(us) * 1000n))
}

/** A map from names back to numbers, from tables of number → name (the first number of a name wins). */
export function byName(...tables: readonly Iterable<readonly [string | number, string]>[]): ReadonlyMap<string, number> {
  const out = new Map<string, number>()
  for (const table of tables) {
    for (const [n, name] of table) {
      const num = Number(n)
      if (Number.isInteger(num) && !out.has(name)) out.set(name, num)
    }
  }
  return out
}
