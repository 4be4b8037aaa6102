// valibot schemas for config values as yaml.v2 decodes them into Go types (go-yaml.ts reads the
// file): a null or absent key is the Go zero value (or, for the relay's own keys, their default);
// a string takes any non-null scalar as written; a number takes what resolved to a number; a bool
// only what resolved to a bool. A list, a mapping or a scalar where Go expects another kind fails,
// as it fails in Go.
import * as v from 'valibot'
import { GoScalar } from './go-yaml.ts'

/** The scalar as a Go string field receives it; undefined for a list or a mapping. */
export function scalarText(x: unknown): string | undefined {
  if (typeof x === 'string') return x
  if (x instanceof GoScalar) return x.text
  return undefined
}

/** A value as config problems quote it: `"ten"`, `17`, `yes`, `a list`, `a mapping`, `null`. */
export function describeValue(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x)
  if (x instanceof GoScalar) return x.text
  if (x === null || x === undefined) return 'null'
  if (Array.isArray(x)) return 'a list'
  if (typeof x === 'object') return 'a mapping'
  return String(x)
}

const numberOf = (x: unknown): number | undefined => (x instanceof GoScalar && x.kind !== 'bool' ? (x.value as number) : undefined)

/** A string key; null or absent: undefined. */
export const optionalText = (what: string) =>
  v.pipe(
    v.custom<unknown>((x) => x === null || x === undefined || scalarText(x) !== undefined, `expected ${what}`),
    v.transform((x): string | undefined => (x === null || x === undefined ? undefined : scalarText(x))),
  )

/** A Go string: null or absent is "" (or `fallback`, for the relay's own keys). */
export const text = (what: string, fallback = '') => v.pipe(optionalText(what), v.transform((s): string => s ?? fallback))

/** A number key (Go int or float); null or absent: undefined. */
export const optionalNumber = (what: string) =>
  v.pipe(
    v.custom<unknown>((x) => x === null || x === undefined || numberOf(x) !== undefined, `expected ${what}`),
    v.transform((x): number | undefined => (x === null || x === undefined ? undefined : numberOf(x))),
  )

/** A Go bool (`true`, `yes`, `on`, ...; a quoted "true" is a string and fails, as in Go). */
export const goBool = (fallback = false) =>
  v.pipe(
    v.custom<unknown>((x) => x === null || x === undefined || (x instanceof GoScalar && x.kind === 'bool'), 'expected true or false'),
    v.transform((x): boolean => (x instanceof GoScalar ? (x.value as boolean) : fallback)),
  )

/** The relay's own integer keys: a positive integer; null or absent: the default. */
export const positiveInt = (what: string, fallback: number) =>
  v.pipe(
    optionalNumber(what),
    v.check((n) => n === undefined || (Number.isInteger(n) && n >= 1), `expected ${what}`),
    v.transform((n): number => n ?? fallback),
  )

/** The relay's own durations: seconds, finite, above zero (or zero too); null or absent: the default. */
export const seconds = (fallback: number, allowZero = false) => {
  const what = allowZero ? 'a number of seconds (0 or more)' : 'a positive number of seconds'
  return v.pipe(
    optionalNumber(what),
    v.check((n) => n === undefined || (Number.isFinite(n) && (allowZero ? n >= 0 : n > 0)), `expected ${what}`),
    v.transform((n): number => n ?? fallback),
  )
}

/** A Go slice: null or absent is empty. */
export const goList = <T extends v.GenericSchema>(item: T, what: string) => v.nullish(v.array(item, `expected ${what}`), () => [])

/** A Go map[string]string: null or absent is empty; a null value is "". */
export const goStringMap = (what: string, valueWhat: string) => v.pipe(mappingOrEmpty(what), v.record(v.string(), text(valueWhat)))

export function isMapping(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof GoScalar)
}

/** Reported for every key a mapping does not name (config problems add a did-you-mean). */
export const UNKNOWN_KEY = 'unknown key'

type NullWhenAbsent<T extends Record<string, v.GenericSchema>> = { [K in keyof T]: v.OptionalSchema<T[K], null> }

/**
 * A mapping of exactly these keys (any other is an UNKNOWN_KEY problem); an absent key is read as
 * null, as yaml.v2 leaves an absent field at its zero value: every entry schema takes null.
 */
export function goMapping<T extends Record<string, v.GenericSchema>>(entries: T) {
  const optional = Object.fromEntries(Object.entries(entries).map(([key, schema]) => [key, v.optional(schema, null)])) as NullWhenAbsent<T>
  return v.objectWithRest(optional, v.never(UNKNOWN_KEY))
}

/** A mapping, or {} for null or absent (a Go zero struct or nil map); anything else fails. */
export const mappingOrEmpty = (what: string) =>
  v.pipe(
    v.custom<unknown>((x) => x === null || x === undefined || isMapping(x), `expected ${what}`),
    v.transform((x) => (x ?? {}) as Record<string, unknown>),
  )

/** A mapping of exactly these keys; null or absent: every key absent (a Go zero struct). */
export const goStruct = <T extends Record<string, v.GenericSchema>>(entries: T, what: string) =>
  v.pipe(mappingOrEmpty(what), goMapping(entries))
